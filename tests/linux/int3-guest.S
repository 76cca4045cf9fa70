/*
 * A bare x86-64 guest that executes INT3 with a #BP handler in its IDT, as
 * Linux does at boot (int3_selftest). The handler exits with status 42 if
 * the trap's return address is the instruction after the INT3, 43 if not.
 * Where KVM cannot emulate INT3 (kvm/x86_unemulated.c) the VMM finishes it.
 */
        .globl  _start
        .text
_start:
        lea     stack_top(%rip), %rsp
        lea     bp_handler(%rip), %rax
        lea     idt(%rip), %rdi
        mov     %ax, 3*16(%rdi)                 /* offset 15:0 */
        movw    $0x08, 3*16+2(%rdi)             /* the VMM's 64-bit code selector */
        movw    $0x8e00, 3*16+4(%rdi)           /* present, DPL 0, interrupt gate */
        shr     $16, %rax
        mov     %ax, 3*16+6(%rdi)               /* offset 31:16 */
        shr     $16, %rax
        mov     %eax, 3*16+8(%rdi)              /* offset 63:32 */
        lidt    idtr(%rip)
        int3
after_int3:
        mov     $0x70480000, %eax               /* not reached: exit 44 */
        mov     $44, %edi
        outl    %eax, $0x88
        hlt

bp_handler:
        lea     after_int3(%rip), %rax
        mov     $42, %edi
        cmp     (%rsp), %rax                    /* the pushed RIP */
        je      1f
        mov     $43, %edi
1:      mov     $0x70480000, %eax
        outl    %eax, $0x88
        hlt

        .data
idtr:   .word   16*4 - 1
        .quad   idt
        .bss
        .balign 16
idt:    .skip   16*4
        .skip   4096
stack_top:
