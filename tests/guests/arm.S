/*
 * The ARM32 guest, built twice: A32, and Thumb-2 with GUEST_THUMB (the ELF
 * entry then has bit 0 set). Both use the "arm" ABI row: the number in r7,
 * arguments in r0-r5, the answer in r0. The sentinel is
 * `mcr p7, 0, r0, c0, c0, 0`, one word in A32, two halfwords in T32.
 * r8 holds the status; r9-r12 are scratch.
 */
#include "guest.h"

    .syntax unified
    .arch armv7-a
#ifdef GUEST_THUMB
    .thumb
#define CODE_ADDR(label) ((label) + 1) /* BLX to Thumb code sets bit 0 */
#else
    .arm
#define CODE_ADDR(label) (label)
#endif

/* Any 32-bit value or address into a register, no literal pool. */
.macro li reg, value
    movw \reg, #:lower16:(\value)
    movt \reg, #:upper16:(\value)
.endm

.macro hcall_args nr, a0, a1, a2, a3
    li r7, \nr
    li r0, \a0
    li r1, \a1
    li r2, \a2
    li r3, \a3
    mov r4, #0
    mov r5, #0
.endm

.macro hcall nr, a0, a1, a2, a3
    hcall_args \nr, \a0, \a1, \a2, \a3
    mcr p7, 0, r0, c0, c0, 0
.endm

/* Record @bit in the status unless r0 holds @value. */
.macro expect_r0 value, bit
    li r9, \value
    cmp r0, r9
    beq 1f
    orr r8, r8, #\bit
1:
.endm

/* Copy one of the trampoline templates (two words) over the trampoline. */
.macro load_tramp template
    li r9, \template
    li r10, tramp
    ldr r11, [r9]
    str r11, [r10]
    ldr r11, [r9, #4]
    str r11, [r10, #4]
.endm

/* Make the rewritten trampoline visible to instruction fetch. */
.macro sync_tramp
    li r10, tramp
    mcr p15, 0, r10, c7, c11, 1     /* DCCMVAU: clean the line to unification */
    dsb
    mcr p15, 0, r10, c7, c5, 1      /* ICIMVAU: drop it from the I-cache */
    mcr p15, 0, r10, c7, c5, 6      /* BPIALL: and from branch prediction */
    dsb
    isb
.endm

    .text
    .globl _start
#ifdef GUEST_THUMB
    .thumb_func
#endif
_start:
    li r9, stack_top
    mov sp, r9
    mov r8, #0

    /* 1. The test call answers 13. */
    hcall NR_TEST, TEST_ARG0, TEST_ARG1, TEST_ARG2, TEST_ARG3
    expect_r0 TEST_ANSWER, FAIL_TEST_CALL

    /* 2. One line on the console; the answer is its length. */
    hcall NR_CONSOLE, message, message_len, 0, 0
    expect_r0 message_len, FAIL_CONSOLE

    /*
     * 3. Near misses, with a test call loaded: none may dispatch, so r0
     * keeps its argument instead of the answer 13. Every other cp7
     * mcr/mrc is UNDEFINED when it executes, so the engine raises it like
     * the sentinel and the guest could not go on: those run here only
     * with a condition that fails (cp7 forms under NE after an equal
     * compare, in Thumb inside an IT block), the rest is left to the
     * matcher tests. Then the same instruction class on coprocessor 15,
     * which the engine executes.
     */
    hcall_args NR_TEST, NEAR_ARG0, NEAR_ARG1, NEAR_ARG2, NEAR_ARG3
    cmp r0, r0
    it ne
    mcrne p7, 0, r0, c0, c0, 0      /* A32: the sentinel but NE; T32: the sentinel itself, skipped */
    it ne
    mcrne p7, 0, r0, c0, c0, 1      /* other opc2 */
    it ne
    mrcne p7, 0, r0, c0, c0, 0      /* the read form */
    mov r9, #0
    mrc p15, 0, r10, c0, c0, 0      /* MIDR */
    mcr p15, 0, r9, c7, c5, 4       /* CP15ISB */
    mcr p15, 0, r9, c7, c10, 5      /* CP15DMB */
    mcr p15, 0, r9, c7, c10, 4      /* CP15DSB */
    expect_r0 NEAR_ARG0, FAIL_NEAR_MISS

    /* 4. Nobody handles this number: r0 keeps its argument. */
    hcall NR_UNREGISTERED, UNREG_ARG0, UNREG_ARG1, UNREG_ARG2, UNREG_ARG3
    expect_r0 UNREG_ARG0, FAIL_UNREGISTERED

    /*
     * 5. A sentinel written at run time: run the trampoline once as plain
     * code, then write the sentinel over it and call it again.
     */
    load_tramp tramp_plain
    sync_tramp
    li r12, CODE_ADDR(tramp)
    blx r12
    load_tramp tramp_hcall
    sync_tramp
    hcall_args NR_TEST, RUNTIME_ARG0, RUNTIME_ARG1, RUNTIME_ARG2, RUNTIME_ARG3
    blx r12
    expect_r0 TEST_ANSWER, FAIL_RUNTIME_SENTINEL

    /* 6. Exit with the status; an undefined instruction if that returns. */
    hcall_args NR_EXIT, 0, 0, 0, 0
    mov r0, r8
    mcr p7, 0, r0, c0, c0, 0
    udf #0

    .section .rodata
message:
    .ascii "hello from ", GUEST_NAME, "\n"
    .equ message_len, . - message
/* Templates of the trampoline, two words each: plain code, then the call. */
    .balign 4
tramp_plain:
#ifdef GUEST_THUMB
    nop.w
    bx lr
    nop
#else
    nop
    bx lr
#endif
tramp_hcall:
    mcr p7, 0, r0, c0, c0, 0
    bx lr
#ifdef GUEST_THUMB
    nop
#endif

    .data
    .balign 16
tramp:
    .skip 16

    .bss
    .balign 8
stack:
    .skip 4096
stack_top:
