# Timing: MARK, N handled hypercalls, MARK, N bare port writes, MARK, exit.
        .set MARK, 0x4b564d20
        .set N, 100000
        .globl _start
        .text
_start:
        mov     $MARK, %eax
        outl    %eax, $0x88
        mov     $N, %ecx
1:      mov     $0xcafebabe, %eax
        outl    %eax, $0x88
        dec     %ecx
        jnz     1b
        mov     $MARK, %eax
        outl    %eax, $0x88
        mov     $N, %ecx
2:      outb    %al, $0x80
        dec     %ecx
        jnz     2b
        mov     $MARK, %eax
        outl    %eax, $0x88
        mov     $0x70480000, %eax
        xor     %edi, %edi
        outl    %eax, $0x88
