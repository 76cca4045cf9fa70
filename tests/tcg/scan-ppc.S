/*
 * PowerPC mechanism guest (32- and 64-bit): the translation-time scan.
 * Plain call, near misses, a loop with no sentinel, a sentinel written to
 * fresh memory and jumped to, and one written over code that already ran.
 * Exits with the MECH_FAIL_* bits of the checks that failed.
 */
#include "mech.h"

#define SENTINEL 0x694a0000 /* xori 10, 10, 0 */
#define BLR 0x4e800020

#define LOAD(r, v) lis r, (v)@h; ori r, r, (v)@l
#define ADDR(r, s) lis r, s@ha; addi r, r, s@l

    .text
    .globl _start
_start:
    ADDR(1, stack_top)
    li 14, 0

    /* the plain call: number in r0, answer in r3 */
    li 0, MECH_NR_CALL
    li 3, MECH_ARG0
    li 4, MECH_ARG1
    li 5, MECH_ARG2
    li 6, MECH_ARG3
    xori 10, 10, 0
    cmpwi 3, MECH_NR_CALL + MECH_ANSWER_OFFSET
    beq 1f
    ori 14, 14, MECH_FAIL_ANSWER
1:
    /* near misses: other registers, a non-zero immediate, xoris */
    li 0, MECH_NR_CALL
    li 3, 0x5e
    xori 10, 10, 1
    xori 11, 10, 0
    xori 10, 11, 0
    xoris 10, 10, 0
    cmpwi 3, 0x5e
    beq 1f
    ori 14, 14, MECH_FAIL_NEAR
1:
    /* a loop with no sentinel */
    li 15, 1000
    mtctr 15
2:  addi 16, 16, 1
    bdnz 2b

    /* a sentinel written to fresh memory, then jumped to */
    ADDR(15, fresh)
    LOAD(16, SENTINEL)
    stw 16, 0(15)
    LOAD(16, BLR)
    stw 16, 4(15)
    li 0, MECH_NR_FRESH
    mtctr 15
    bctrl
    cmpwi 3, MECH_NR_FRESH + MECH_ANSWER_OFFSET
    beq 1f
    ori 14, 14, MECH_FAIL_FRESH
1:
    /* a sentinel written over code that already ran */
    li 0, MECH_NR_PATCHED
    li 3, 0x77
    bl patchme
    cmpwi 3, 0x77
    bne 3f
    ADDR(15, patchme)
    LOAD(16, SENTINEL)
    stw 16, 0(15)
    bl patchme
    cmpwi 3, MECH_NR_PATCHED + MECH_ANSWER_OFFSET
    beq 1f
3:  ori 14, 14, MECH_FAIL_PATCHED
1:
    LOAD(0, NR_EXIT)
    mr 3, 14
    xori 10, 10, 0
4:  b 4b

patchme:
    nop
    blr

    .bss
    .balign 16
fresh:
    .space 16
    .space 4096
stack_top:
