/*
 * RISC-V mechanism guest (rv32 and rv64): the translation-time scan.
 * Plain call, near misses, a loop with no sentinel, a sentinel written to
 * fresh memory and jumped to, and one written over code that already ran.
 * Exits with the MECH_FAIL_* bits of the checks that failed.
 */
#include "mech.h"

#define SENTINEL 0x00004013 /* xori x0, x0, 0 */
#define RET_WORD 0x00008067 /* jalr x0, 0(ra) */

    .option norvc
    .text
    .globl _start
_start:
    la sp, stack_top
    li s0, 0

    /* the plain call */
    li a7, MECH_NR_CALL
    li a0, MECH_ARG0
    li a1, MECH_ARG1
    li a2, MECH_ARG2
    li a3, MECH_ARG3
    xori x0, x0, 0
    li t0, MECH_NR_CALL + MECH_ANSWER_OFFSET
    beq a0, t0, 1f
    ori s0, s0, MECH_FAIL_ANSWER
1:
    /* near misses: other registers or a non-zero immediate */
    li a7, MECH_NR_CALL
    li a0, 0x5e
    xori x0, x0, 1
    xori x0, x0, -1
    xori x0, x1, 0
    xori x5, x0, 0
    xori x0, x10, 0
    li t0, 0x5e
    beq a0, t0, 1f
    ori s0, s0, MECH_FAIL_NEAR
1:
    /* a loop with no sentinel */
    li t1, 1000
2:  addi t1, t1, -1
    bnez t1, 2b

    /* a sentinel written to fresh memory, then jumped to */
    la t0, fresh
    li t1, SENTINEL
    sw t1, 0(t0)
    li t1, RET_WORD
    sw t1, 4(t0)
    fence.i
    li a7, MECH_NR_FRESH
    jalr ra, 0(t0)
    li t0, MECH_NR_FRESH + MECH_ANSWER_OFFSET
    beq a0, t0, 1f
    ori s0, s0, MECH_FAIL_FRESH
1:
    /* a sentinel written over code that already ran */
    li a7, MECH_NR_PATCHED
    li a0, 0x77
    call patchme
    li t0, 0x77
    bne a0, t0, 3f
    la t0, patchme
    li t1, SENTINEL
    sw t1, 0(t0)
    fence.i
    call patchme
    li t0, MECH_NR_PATCHED + MECH_ANSWER_OFFSET
    beq a0, t0, 1f
3:  ori s0, s0, MECH_FAIL_PATCHED
1:
    li a7, NR_EXIT
    mv a0, s0
    xori x0, x0, 0
    j .

patchme:
    nop
    ret

    .bss
    .balign 16
fresh:
    .space 16
    .space 4096
stack_top:
