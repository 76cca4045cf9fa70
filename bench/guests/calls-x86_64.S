/* Loop of handled hypercalls (layout: README.md). */
    .text
    .globl _start
_start:
    mov count(%rip), %rcx
1:  mov $0xcafebabe, %eax
    out %eax, $0x88
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
