# x86_64 hypercalls through port 0x88 and the port IO that must not be one.
# Runs under any accelerator with the built-ins only; exits 0, or with the
# number of the step that failed.
        .set NEAR, 0x4e454152           # "NEAR": the number in EAX at every near miss
        .globl _start
        .text
_start:
        lea     stack_top(%rip), %rsp

        mov     $1, %r12d               # the round trip, every argument register set
        mov     $0xcafebabe, %eax
        mov     $0x11, %edi
        mov     $0x22, %esi
        mov     $0x33, %edx
        mov     $0x44, %r10d
        mov     $0x55, %r8d
        mov     $0x66, %r9d
        outl    %eax, $0x88
        cmp     $13, %rax
        jne     fail

        mov     $2, %r12d               # unclaimed, 64-bit arguments: RAX stays
        mov     $0x4b564d00, %eax
        movabs  $0x1122334455667788, %rdi
        movabs  $0x8877665544332211, %rsi
        mov     $-1, %rdx
        movabs  $0x8000000000000000, %r10
        outl    %eax, $0x88
        cmp     $0x4b564d00, %rax
        jne     fail

        mov     $3, %r12d               # out %eax,%dx with DX = 0x88 is the same event
        mov     $0xcafebabe, %eax
        mov     $0x88, %edx
        outl    %eax, %dx
        cmp     $13, %rax
        jne     fail

        mov     $NEAR, %eax             # near misses: none of these is a hypercall
        outb    %al, $0x88
        outw    %ax, $0x88
        outl    %eax, $0x89
        outl    %eax, $0x8a
        outl    %eax, $0x8b
        mov     $0x88, %edx
        outb    %al, %dx
        outw    %ax, %dx
        lea     near_words(%rip), %rsi
        mov     $2, %ecx
        rep outsl

        mov     $4, %r12d               # reads from 0x88 are all ones
        mov     $NEAR, %eax
        inb     $0x88, %al
        cmp     $0x4e4541ff, %eax
        jne     fail
        mov     $5, %r12d
        mov     $NEAR, %eax
        inw     $0x88, %ax
        cmp     $0x4e45ffff, %eax
        jne     fail
        mov     $6, %r12d
        mov     $NEAR, %eax
        inl     $0x88, %eax
        cmp     $-1, %eax
        jne     fail
        mov     $7, %r12d
        mov     $NEAR, %eax
        lea     in_words(%rip), %rdi
        mov     $2, %ecx
        mov     $0x88, %edx
        rep insl
        cmpq    $-1, in_words(%rip)
        jne     fail

        mov     $8, %r12d               # the UART line status says "empty"
        mov     $0x3fd, %edx
        inb     %dx, %al
        and     $0x60, %al
        cmp     $0x60, %al
        jne     fail
        mov     $0x3f8, %edx            # and its transmitter is the console
        lea     serial_msg(%rip), %rsi
        mov     $serial_len, %ecx
        rep outsb

        mov     $9, %r12d               # console write by the built-in
        mov     $0x70480001, %eax
        lea     msg(%rip), %rdi
        mov     $msg_len, %esi
        outl    %eax, $0x88
        cmp     $msg_len, %rax
        jne     fail

        mov     $0x70480000, %eax
        xor     %edi, %edi
        outl    %eax, $0x88
fail:
        mov     $0x70480000, %eax
        mov     %r12d, %edi
        outl    %eax, $0x88
        hlt

        .data
near_words: .long NEAR, NEAR
in_words:   .quad 0
serial_msg: .ascii "serial: x86_64\n"
        .set serial_len, . - serial_msg
msg:        .ascii "console: x86_64\n"
        .set msg_len, . - msg
        .bss
        .balign 16
        .space 4096
stack_top:
