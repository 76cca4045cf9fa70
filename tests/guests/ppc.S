/*
 * The PowerPC guest (big-endian), built twice: 32-bit and, with
 * GUEST_PPC64, 64-bit. The number is r0, arguments r3-r8, the answer r3,
 * and the sentinel is `xori 10, 10, 0`. Values are loaded with lis/ori,
 * the idiom both widths share: on PPC64 that sign-extends, so the test
 * number arrives as 0xffffffffcafebabe there and the dispatcher must
 * still recognise it. r14 holds the status; r9-r12 are scratch.
 */
#include "guest.h"

#ifdef GUEST_PPC64
#define CMP cmpd
#else
#define CMP cmpw
#endif

/* A 32-bit value or an address below 2 GiB into a register. */
.macro li32 reg, value
    lis \reg, (\value)@h
    ori \reg, \reg, (\value)@l
.endm

.macro hcall_args nr, a0, a1, a2, a3
    li32 0, \nr
    li32 3, \a0
    li32 4, \a1
    li32 5, \a2
    li32 6, \a3
    li 7, 0
    li 8, 0
.endm

.macro hcall nr, a0, a1, a2, a3
    hcall_args \nr, \a0, \a1, \a2, \a3
    xori 10, 10, 0
.endm

/* Record @bit in the status unless r3 holds @value. */
.macro expect_r3 value, bit
    li32 9, \value
    CMP 3, 9
    beq 1f
    ori 14, 14, \bit
1:
.endm

/* Copy one of the trampoline templates (two words) over the trampoline. */
.macro load_tramp template
    li32 9, \template
    li32 10, tramp
    lwz 11, 0(9)
    stw 11, 0(10)
    lwz 11, 4(9)
    stw 11, 4(10)
.endm

/* Make the rewritten trampoline (one cache block) visible to fetch. */
.macro sync_tramp
    dcbst 0, 10
    sync
    icbi 0, 10
    sync
    isync
.endm

    .text
    .globl _start
_start:
    li32 1, stack_top
    li 14, 0

    /* 1. The test call answers 13. */
    hcall NR_TEST, TEST_ARG0, TEST_ARG1, TEST_ARG2, TEST_ARG3
    expect_r3 TEST_ANSWER, FAIL_TEST_CALL

    /* 2. One line on the console; the answer is its length. */
    hcall NR_CONSOLE, message, message_len, 0, 0
    expect_r3 message_len, FAIL_CONSOLE

    /*
     * 3. Near misses, with a test call loaded: none may dispatch, so r3
     * keeps its argument instead of the answer 13.
     */
    hcall_args NR_TEST, NEAR_ARG0, NEAR_ARG1, NEAR_ARG2, NEAR_ARG3
    xori 10, 10, 1                  /* non-zero immediate */
    xori 11, 11, 0                  /* other registers */
    xori 10, 11, 0
    xori 11, 10, 0
    xoris 10, 10, 0                 /* the shifted form */
    expect_r3 NEAR_ARG0, FAIL_NEAR_MISS

    /* 4. Nobody handles this number: r3 keeps its argument. */
    hcall NR_UNREGISTERED, UNREG_ARG0, UNREG_ARG1, UNREG_ARG2, UNREG_ARG3
    expect_r3 UNREG_ARG0, FAIL_UNREGISTERED

    /*
     * 5. A sentinel written at run time: run the trampoline once as plain
     * code, then write the sentinel over it and call it again.
     */
    load_tramp tramp_plain
    sync_tramp
    mtctr 10
    bctrl
    load_tramp tramp_hcall
    sync_tramp
    mtctr 10
    hcall_args NR_TEST, RUNTIME_ARG0, RUNTIME_ARG1, RUNTIME_ARG2, RUNTIME_ARG3
    bctrl
    expect_r3 TEST_ANSWER, FAIL_RUNTIME_SENTINEL

    /* 6. Exit with the status; a trap if that returns. */
    hcall_args NR_EXIT, 0, 0, 0, 0
    mr 3, 14
    xori 10, 10, 0
    trap

    .section .rodata
message:
    .ascii "hello from ", GUEST_NAME, "\n"
    .equ message_len, . - message
/* Templates of the trampoline, two words each: plain code, then the call. */
    .balign 4
tramp_plain:
    nop
    blr
tramp_hcall:
    xori 10, 10, 0
    blr

    .data
    .balign 16
tramp:
    .skip 16

    .bss
    .balign 16
stack:
    .skip 4096
stack_top:
