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
        .endif
