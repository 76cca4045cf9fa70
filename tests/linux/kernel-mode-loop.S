/*
 * A bare x86-64 guest that runs LOOPS iterations of a two-instruction loop
 * in kernel mode and exits: the Linux tests time it to tell a KVM that runs
 * guest kernel code on the CPU from one that emulates it instruction by
 * instruction, where a distribution kernel never finishes booting.
 */
        .globl  _start
        .text
_start:
        mov     $LOOPS, %rcx
1:      dec     %rcx
        jnz     1b
        mov     $0x70480000, %eax       /* exit */
        xor     %edi, %edi
        outl    %eax, $0x88
        hlt
