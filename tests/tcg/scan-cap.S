/*
 * A RISC-V guest that plants a sentinel in everything it runs: 5000 of
 * them in a row, then jumps there. The frontend caps the sentinel sites it
 * hooks at 4096, so the run must end as a fault, not crawl on.
 */
#include "mech.h"

#define SENTINEL 0x00004013
#define SITES 5000

    .option norvc
    .text
    .globl _start
_start:
    la t0, sites
    li t1, SENTINEL
    li t2, SITES
1:  sw t1, 0(t0)
    addi t0, t0, 4
    addi t2, t2, -1
    bnez t2, 1b
    li t1, 0x00008067 /* ret */
    sw t1, 0(t0)
    fence.i
    li a7, MECH_NR_CALL
    la t0, sites
    jalr ra, 0(t0)
    li a7, NR_EXIT
    li a0, 0
    xori x0, x0, 0
2:  j 2b

    .bss
    .balign 16
sites:
    .space (SITES + 1) * 4
