# One guest per way to end, chosen by --defsym END=n, for 32- or 64-bit
# code; NORAM (--defsym) is an address the page tables reach but RAM does not.
        .globl _start
        .text
_start:
        mov     $0x20000, %esp
        .if END == 1                    # halt with interrupts off
        cli
        hlt
        .elseif END == 2                # an exception with no IDT: triple fault
        ud2
        .elseif END == 3                # a store where there is no RAM: MMIO
        mov     $NORAM, %ecx
        movl    $1, (%ecx)
        .elseif END == 4                # code where there is no RAM: KVM cannot emulate it
        push    $NORAM
        ret
        .elseif END == 5                # spin until stopped from outside
1:      jmp     1b
        .elseif END == 6                # the 8042's reset line; a halt if ignored
        mov     $0xfe, %al
        out     %al, $0x64
        cli
        hlt
        .elseif END == 7                # the reset control register; a halt if ignored
        mov     $0xcf9, %dx
        mov     $0x02, %al              # SYS_RST alone chooses, it does not reset
        out     %al, (%dx)
        in      (%dx), %al              # and reads back
        cmp     $0x02, %al
        jne     2f
        mov     $0x06, %al              # RST_CPU: now
        out     %al, (%dx)
2:      cli
        hlt
        .endif
