/* ALU loop, no hypercall (layout: README.md). */
    .set noreorder
    .text
    .globl _start
_start:
    lui $t0, 0x1
    lw $t1, 0x200($t0)
    move $t2, $zero
    li $t3, 1
1:  addu $t2, $t2, $t3
    xor $t3, $t3, $t1
    sll $t4, $t2, 3
    addiu $t1, $t1, -1
    bnez $t1, 1b
    or $t2, $t2, $t4
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
