/* ALU loop, no hypercall (layout: README.md). */
    .option norelax
    .text
    .globl _start
_start:
    lui t0, 0x10
    ld t1, 0x200(t0)
    li t2, 0
    li t3, 1
1:  add t2, t2, t3
    xor t3, t3, t1
    slli t4, t2, 3
    addi t1, t1, -1
    bnez t1, 1b
    j done

    .org 0x100
done:
    lui a7, 0x70480
    li a0, 0
    xori x0, x0, 0
2:  j 2b

    .org 0x200
count:
    .dword 1000
