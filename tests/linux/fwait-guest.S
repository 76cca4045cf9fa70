/*
 * A bare x86-64 guest that executes FWAIT twice, as Linux's FPU code does:
 * with CR0.TS clear it must do nothing; with CR0.TS (and MP, which the VMM
 * sets) it must fault with #NM at the FWAIT. The #NM handler exits with
 * status 42 if the fault's address is the second FWAIT, 43 if not; falling
 * through exits 44. Where KVM cannot emulate FWAIT (kvm/x86_unemulated.c)
 * the VMM finishes it.
 */
        .globl  _start
        .text
_start:
        lea     stack_top(%rip), %rsp
        lea     nm_handler(%rip), %rax
        lea     idt(%rip), %rdi
        mov     %ax, 7*16(%rdi)                 /* offset 15:0 */
        movw    $0x08, 7*16+2(%rdi)             /* the VMM's 64-bit code selector */
        movw    $0x8e00, 7*16+4(%rdi)           /* present, DPL 0, interrupt gate */
        shr     $16, %rax
        mov     %ax, 7*16+6(%rdi)               /* offset 31:16 */
        shr     $16, %rax
        mov     %eax, 7*16+8(%rdi)              /* offset 63:32 */
        lidt    idtr(%rip)
        fninit                                  /* no x87 exception pending */
        fwait                                   /* TS clear: nothing happens */
        mov     %cr0, %rax
        or      $8, %rax                        /* CR0.TS */
        mov     %rax, %cr0
faulting_fwait:
        fwait
        mov     $0x70480000, %eax               /* not reached: exit 44 */
        mov     $44, %edi
        outl    %eax, $0x88
        hlt

nm_handler:
        lea     faulting_fwait(%rip), %rax
        mov     $42, %edi
        cmp     (%rsp), %rax                    /* the pushed RIP */
        je      1f
        mov     $43, %edi
1:      mov     $0x70480000, %eax
        outl    %eax, $0x88
        hlt

        .data
idtr:   .word   16*8 - 1
        .quad   idt
        .bss
        .balign 16
idt:    .skip   16*8
        .skip   4096
stack_top:
