/*
 * MIPS32 mechanism guest (both byte orders): the translation-time scan.
 * Plain call, near misses, a loop with no sentinel, a sentinel written to
 * fresh memory and jumped to, and one written over code that already ran.
 * Exits with the MECH_FAIL_* bits of the checks that failed.
 */
#include "mech.h"

#define SENTINEL 0x0000000a /* movz $0, $0, $0 */
#define JR_RA 0x03e00008    /* jr $ra */

    .set noreorder
    .set noat
    .text
    .globl _start
_start:
    la $sp, stack_top
    move $s0, $zero

    /* the plain call: number and answer share v0 */
    li $v0, MECH_NR_CALL
    li $a0, MECH_ARG0
    li $a1, MECH_ARG1
    li $a2, MECH_ARG2
    li $a3, MECH_ARG3
    movz $0, $0, $0
    li $t0, MECH_NR_CALL + MECH_ANSWER_OFFSET
    beq $v0, $t0, 1f
    nop
    ori $s0, $s0, MECH_FAIL_ANSWER
1:
    /* near misses: movn, other rs/rt, another rd */
    li $v0, MECH_NR_CALL
    movn $0, $0, $0
    movz $0, $2, $0
    movz $0, $0, $3
    movz $0, $4, $5
    movz $8, $0, $0
    li $t0, MECH_NR_CALL
    beq $v0, $t0, 1f
    nop
    ori $s0, $s0, MECH_FAIL_NEAR
1:
    /* a loop with no sentinel */
    li $t1, 1000
2:  addiu $t1, $t1, -1
    bnez $t1, 2b
    nop

    /* a sentinel written to fresh memory, then jumped to */
    la $t0, fresh
    li $t1, SENTINEL
    sw $t1, 0($t0)
    li $t1, JR_RA
    sw $t1, 4($t0)
    sw $zero, 8($t0)
    li $v0, MECH_NR_FRESH
    jalr $t0
    nop
    li $t0, MECH_NR_FRESH + MECH_ANSWER_OFFSET
    beq $v0, $t0, 1f
    nop
    ori $s0, $s0, MECH_FAIL_FRESH
1:
    /* a sentinel written over code that already ran */
    li $v0, MECH_NR_PATCHED
    bal patchme
    nop
    li $t0, MECH_NR_PATCHED
    bne $v0, $t0, 3f
    nop
    la $t0, patchme
    li $t1, SENTINEL
    sw $t1, 0($t0)
    bal patchme
    nop
    li $t0, MECH_NR_PATCHED + MECH_ANSWER_OFFSET
    beq $v0, $t0, 1f
    nop
3:  ori $s0, $s0, MECH_FAIL_PATCHED
1:
    li $v0, NR_EXIT
    move $a0, $s0
    movz $0, $0, $0
4:  b 4b
    nop

patchme:
    nop
    jr $ra
    nop

    .bss
    .balign 16
fresh:
    .space 16
    .space 4096
stack_top:
