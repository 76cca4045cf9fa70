/*
 * The AArch64 guest, at EL1: the number in x8, arguments in x0-x5, the
 * answer in x0. The sentinel is `msr S0_0_c5_c0_0, xzr`.
 * x19 holds the status; x9-x12 are scratch.
 */
#include "guest.h"

/* A 32-bit value into a register, zero-extended. */
.macro li reg, value
    movz \reg, #((\value) & 0xffff)
    movk \reg, #(((\value) >> 16) & 0xffff), lsl #16
.endm

.macro la reg, label
    adrp \reg, \label
    add \reg, \reg, #:lo12:\label
.endm

.macro hcall_args nr, a0, a1, a2, a3
    li x8, \nr
    li x0, \a0
    li x1, \a1
    li x2, \a2
    li x3, \a3
    mov x4, #0
    mov x5, #0
.endm

.macro hcall nr, a0, a1, a2, a3
    hcall_args \nr, \a0, \a1, \a2, \a3
    msr S0_0_c5_c0_0, xzr
.endm

/* Record @bit in the status unless x0 holds @value. */
.macro expect_x0 value, bit
    li x9, \value
    cmp x0, x9
    b.eq 1f
    orr x19, x19, #\bit
1:
.endm

/* Copy one of the trampoline templates (two words) over the trampoline. */
.macro load_tramp template
    la x9, \template
    la x10, tramp
    ldr x11, [x9]
    str x11, [x10]
.endm

/* Make the rewritten trampoline visible to instruction fetch. */
.macro sync_tramp
    la x10, tramp
    dc cvau, x10
    dsb ish
    ic ivau, x10
    dsb ish
    isb
.endm

    .text
    .globl _start
_start:
    la x9, stack_top
    mov sp, x9
    mov x19, #0

    /* 1. The test call answers 13. */
    hcall NR_TEST, TEST_ARG0, TEST_ARG1, TEST_ARG2, TEST_ARG3
    expect_x0 TEST_ANSWER, FAIL_TEST_CALL

    /* 2. One line on the console; the answer is its length. */
    hcall_args NR_CONSOLE, 0, message_len, 0, 0
    la x0, message
    msr S0_0_c5_c0_0, xzr
    expect_x0 message_len, FAIL_CONSOLE

    /*
     * 3. Near misses, with a test call loaded: none may dispatch, so x0
     * keeps its argument instead of the answer 13. Every other op1, CRm,
     * op2 or Rt in the S0_x_c5_cy_z space, and mrs from it, is UNDEFINED
     * like the sentinel: the guest could not go on, so those are left to
     * the matcher tests. What runs here is the rest of the op0 = 0 space
     * (hints, barriers, PSTATE writes), a cache op and real mrs/msr.
     */
    hcall_args NR_TEST, NEAR_ARG0, NEAR_ARG1, NEAR_ARG2, NEAR_ARG3
    nop                             /* hint space: op0 = 0, op1 = 3, CRn = 2 */
    hint #0x7f                      /* an unallocated hint runs as a nop */
    isb                             /* barriers: CRn = 3 */
    msr daifset, #0                 /* PSTATE: CRn = 4 */
    ic iallu                        /* op0 = 1: a system instruction */
    mrs x10, midr_el1
    mrs x10, tpidr_el1
    msr tpidr_el1, x10
    expect_x0 NEAR_ARG0, FAIL_NEAR_MISS

    /* 4. Nobody handles this number: x0 keeps its argument. */
    hcall NR_UNREGISTERED, UNREG_ARG0, UNREG_ARG1, UNREG_ARG2, UNREG_ARG3
    expect_x0 UNREG_ARG0, FAIL_UNREGISTERED

    /*
     * 5. A sentinel written at run time: run the trampoline once as plain
     * code, then write the sentinel over it and call it again.
     */
    load_tramp tramp_plain
    sync_tramp
    blr x10
    load_tramp tramp_hcall
    sync_tramp
    hcall_args NR_TEST, RUNTIME_ARG0, RUNTIME_ARG1, RUNTIME_ARG2, RUNTIME_ARG3
    blr x10
    expect_x0 TEST_ANSWER, FAIL_RUNTIME_SENTINEL

    /* 6. Exit with the status; an undefined instruction if that returns. */
    hcall_args NR_EXIT, 0, 0, 0, 0
    mov x0, x19
    msr S0_0_c5_c0_0, xzr
    udf #0

    .section .rodata
message:
    .ascii "hello from ", GUEST_NAME, "\n"
    .equ message_len, . - message
/* Templates of the trampoline, two words each: plain code, then the call. */
    .balign 8
tramp_plain:
    nop
    ret
tramp_hcall:
    msr S0_0_c5_c0_0, xzr
    ret

    .data
    .balign 16
tramp:
    .skip 16

    .bss
    .balign 16
stack:
    .skip 4096
stack_top:
