/* Loop of handled hypercalls (layout: README.md). */
    .option norelax
    .text
    .globl _start
_start:
    lui t0, 0x10
    ld t1, 0x200(t0)
    li a7, 0xcafebabe
1:  xori x0, x0, 0
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
