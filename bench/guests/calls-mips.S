/* Loop of handled hypercalls (layout: README.md). */
    .set noreorder
    .text
    .globl _start
_start:
    lui $t0, 0x1
    lw $t1, 0x200($t0)
1:  lui $v0, 0xcafe
    ori $v0, $v0, 0xbabe
    movz $0, $0, $0
    addiu $t1, $t1, -1
    bnez $t1, 1b
    nop
    b done
    nop

    .org 0x100
done:
    lui $v0, 0x7048
    move $a0, $zero
    movz $0, $0, $0
2:  b 2b
    nop

    .org 0x200
count:
    .word 1000
