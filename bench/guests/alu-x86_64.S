/* ALU loop, no hypercall (layout: README.md). */
    .text
    .globl _start
_start:
    mov count(%rip), %rcx
    xor %eax, %eax
    mov $1, %edx
1:  add %rdx, %rax
    xor %rcx, %rdx
    rol $3, %rax
    dec %rcx
    jnz 1b
    jmp done

    .org 0x100
done:
    mov $0x70480000, %eax
    xor %edi, %edi
    out %eax, $0x88
    hlt

    .org 0x200
count:
    .quad 1000
