/*
 * The RISC-V guest, built twice: RV32 and RV64, both with compressed
 * instructions, so 32-bit instructions (the sentinel among them) may sit at
 * 2-byte aligned addresses as in real firmware. The number is a7, the
 * arguments a0-a5, the answer a0, and the sentinel is `xori x0, x0, 0`.
 * `li` loads the exact value (zero-extended on RV64). s1 holds the status;
 * t0-t2 are scratch.
 */
#include "guest.h"

    .option norelax                 /* the code is exactly as written here */

.macro hcall_args nr, a0, a1, a2, a3
    li a7, \nr
    li a0, \a0
    li a1, \a1
    li a2, \a2
    li a3, \a3
    li a4, 0
    li a5, 0
.endm

.macro hcall nr, a0, a1, a2, a3
    hcall_args \nr, \a0, \a1, \a2, \a3
    xori x0, x0, 0
.endm

/* Record @bit in the status unless a0 holds @value. */
.macro expect_a0 value, bit
    li t0, \value
    beq a0, t0, 1f
    ori s1, s1, \bit
1:
.endm

/* Copy one of the trampoline templates (two words) over the trampoline. */
.macro load_tramp template
    la t0, \template
    la t1, tramp
    lw t2, 0(t0)
    sw t2, 0(t1)
    lw t2, 4(t0)
    sw t2, 4(t1)
.endm

/* Read-only data first: `li` needs message_len known where it is used. */
    .section .rodata
message:
    .ascii "hello from ", GUEST_NAME, "\n"
    .equ message_len, . - message
/* Templates of the trampoline, two full words each: plain code, the call. */
    .balign 4
    .option push
    .option norvc
tramp_plain:
    nop
    ret
tramp_hcall:
    xori x0, x0, 0
    ret
    .option pop

    .text
    .globl _start
_start:
    la sp, stack_top
    li s1, 0

    /*
     * 1. The test call answers 13. Its sentinel is put at an address that
     * is 2 mod 4, where compressed code leaves 32-bit instructions.
     */
    hcall_args NR_TEST, TEST_ARG0, TEST_ARG1, TEST_ARG2, TEST_ARG3
    .balign 4
    c.nop
    xori x0, x0, 0
    expect_a0 TEST_ANSWER, FAIL_TEST_CALL

    /* 2. One line on the console; the answer is its length. */
    hcall_args NR_CONSOLE, 0, message_len, 0, 0
    la a0, message
    xori x0, x0, 0
    expect_a0 message_len, FAIL_CONSOLE

    /*
     * 3. Near misses, with a test call loaded: none may dispatch, so a0
     * keeps its argument instead of the answer 13.
     */
    hcall_args NR_TEST, NEAR_ARG0, NEAR_ARG1, NEAR_ARG2, NEAR_ARG3
    xori x0, x0, 1                  /* non-zero immediates */
    xori x0, x0, -1
    xori t0, x0, 0                  /* other registers */
    xori x0, t0, 0
    xori t0, t0, 0
    expect_a0 NEAR_ARG0, FAIL_NEAR_MISS

    /* 4. Nobody handles this number: a0 keeps its argument. */
    hcall NR_UNREGISTERED, UNREG_ARG0, UNREG_ARG1, UNREG_ARG2, UNREG_ARG3
    expect_a0 UNREG_ARG0, FAIL_UNREGISTERED

    /*
     * 5. A sentinel written at run time: run the trampoline once as plain
     * code, then write the sentinel over it and call it again; fence.i
     * makes the stores visible to instruction fetch.
     */
    load_tramp tramp_plain
    fence.i
    jalr t1
    load_tramp tramp_hcall
    fence.i
    hcall_args NR_TEST, RUNTIME_ARG0, RUNTIME_ARG1, RUNTIME_ARG2, RUNTIME_ARG3
    jalr t1
    expect_a0 TEST_ANSWER, FAIL_RUNTIME_SENTINEL

    /* 6. Exit with the status; a breakpoint if that returns. */
    hcall_args NR_EXIT, 0, 0, 0, 0
    mv a0, s1
    xori x0, x0, 0
    ebreak

    .data
    .balign 16
tramp:
    .skip 16

    .bss
    .balign 16
stack:
    .skip 4096
stack_top:
