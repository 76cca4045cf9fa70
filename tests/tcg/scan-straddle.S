/*
 * RISC-V guest (rv64, compressed code): sentinels inside translation
 * blocks that span two pages. Each such block starts near a page end and
 * compressed NOPs put a 4-byte instruction at page offset 0xffe, so the
 * engine translates one block across the boundary.
 * - `oneshot`: reached once by a jump from the first page; its sentinel
 *   runs exactly once and the call must dispatch that first time.
 * - `rewritten`: called once with a NOP in its slot, then the slot is
 *   overwritten with a sentinel and it is called again: the retranslated
 *   block must dispatch on that first run too.
 * Exits with the MECH_FAIL_* bits of the answers that did not arrive.
 */
#include "mech.h"

#define PAGE 0x1000
#define SENTINEL 0x00004013 /* xori x0, x0, 0 */

/* Compressed NOPs from label 0 up to page offset 0xffe of page `page`
 * (of .text), then the 4-byte instruction that ends on the next page.
 * .org fails to assemble if the code before it overran the boundary. */
#define STRADDLE(page, start)         \
    .option rvc;                      \
0:  .rept (0x100 - 2 - (0b - start)) / 2; \
    c.nop;                            \
    .endr;                            \
    .org (page) * PAGE - 2;           \
    .option norvc;                    \
    addi t1, t1, 0

    .option norelax
    .option norvc
    .text
    .globl _start
_start:
    la sp, stack_top
    li s0, 0
    j oneshot
back:
    /* the rewritten block: first run with a NOP in the slot */
    li a7, MECH_NR_PATCHED
    li a0, 0x77
    call rewritten
    li t0, 0x77
    bne a0, t0, 2f
    la t0, slot
    li t1, SENTINEL
    sw t1, 0(t0)
    fence.i
    call rewritten
    li t0, MECH_NR_PATCHED + MECH_ANSWER_OFFSET
    beq a0, t0, 1f
2:  ori s0, s0, MECH_FAIL_PATCHED
1:
    li a7, NR_EXIT
    mv a0, s0
    xori x0, x0, 0
    j .

    .org 2 * PAGE - 0x100
oneshot:
    li a7, MECH_NR_CALL
    li a0, MECH_ARG0
    li a1, MECH_ARG1
    li a2, MECH_ARG2
    li a3, MECH_ARG3
    xori x0, x0, 0
    STRADDLE(2, oneshot)
    li t0, MECH_NR_CALL + MECH_ANSWER_OFFSET
    beq a0, t0, 1f
    ori s0, s0, MECH_FAIL_ANSWER
1:  j back

    .org 3 * PAGE - 0x100
rewritten:
slot:
    addi x0, x0, 0
    STRADDLE(3, rewritten)
    ret

    .bss
    .balign 16
    .space 4096
stack_top:
