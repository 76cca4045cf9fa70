/* ALU loop, no hypercall (layout: README.md). */
    .text
    .globl _start
_start:
    ldr x1, count
    mov x2, #0
    mov x3, #1
1:  add x2, x2, x3
    eor x3, x3, x1
    lsl x4, x2, #3
    subs x1, x1, #1
    b.ne 1b
    b done

    .org 0x100
done:
    movz x8, #0x7048, lsl #16
    mov x0, #0
    msr S0_0_c5_c0_0, xzr
2:  b 2b

    .org 0x200
count:
    .quad 1000
