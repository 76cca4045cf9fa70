# i386 hypercalls through port 0x88 and the port IO that must not be one.
# Runs under any accelerator with the built-ins only; exits 0, or with the
# number of the step that failed.
        .set NEAR, 0x4e454152           # "NEAR": the number in EAX at every near miss
        .globl _start
        .text
_start:
        mov     $stack_top, %esp

        movl    $1, step                # the round trip, every argument register set
        mov     $0xcafebabe, %eax
        mov     $0x11, %ebx
        mov     $0x22, %ecx
        mov     $0x33, %edx
        mov     $0x44, %esi
        mov     $0x55, %edi
        mov     $0x66, %ebp
        outl    %eax, $0x88
        cmp     $13, %eax
        jne     fail

        movl    $2, step                # unclaimed: EAX stays
        mov     $0x4b564d00, %eax
        mov     $0xffffffff, %ebx
        mov     $0x80000000, %ecx
        outl    %eax, $0x88
        cmp     $0x4b564d00, %eax
        jne     fail

        movl    $3, step                # out %eax,%dx with DX = 0x88 is the same event
        mov     $0xcafebabe, %eax
        mov     $0x88, %edx
        outl    %eax, %dx
        cmp     $13, %eax
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
        mov     $near_words, %esi
        mov     $2, %ecx
        rep outsl

        movl    $4, step                # reads from 0x88 are all ones
        mov     $NEAR, %eax
        inb     $0x88, %al
        cmp     $0x4e4541ff, %eax
        jne     fail
        movl    $5, step
        mov     $NEAR, %eax
        inw     $0x88, %ax
        cmp     $0x4e45ffff, %eax
        jne     fail
        movl    $6, step
        mov     $NEAR, %eax
        inl     $0x88, %eax
        cmp     $-1, %eax
        jne     fail
        movl    $7, step
        mov     $NEAR, %eax
        mov     $in_words, %edi
        mov     $2, %ecx
        mov     $0x88, %edx
        rep insl
        cmpl    $-1, in_words
        jne     fail
        cmpl    $-1, in_words + 4
        jne     fail

        movl    $8, step                # the UART line status says "empty"
        mov     $0x3fd, %edx
        inb     %dx, %al
        and     $0x60, %al
        cmp     $0x60, %al
        jne     fail
        mov     $0x3f8, %edx            # and its transmitter is the console
        mov     $serial_msg, %esi
        mov     $serial_len, %ecx
        rep outsb

        movl    $9, step                # console write by the built-in
        mov     $0x70480001, %eax
        mov     $msg, %ebx
        mov     $msg_len, %ecx
        outl    %eax, $0x88
        cmp     $msg_len, %eax
        jne     fail

        movl    $0, step
fail:
        mov     $0x70480000, %eax
        mov     step, %ebx
        outl    %eax, $0x88
        hlt

        .data
step:       .long 0
near_words: .long NEAR, NEAR
in_words:   .quad 0
serial_msg: .ascii "serial: i386\n"
        .set serial_len, . - serial_msg
msg:        .ascii "console: i386\n"
        .set msg_len, . - msg
        .bss
        .balign 16
        .space 4096
stack_top:
