/*
 * What stock KVM does with the MSR sentinel: it is UNDEFINED at the guest's
 * own EL1, so the guest's vector table gets it and the VMM never does. The
 * handler exits (by HVC) with 0x80 | ESR_EL1.EC; reaching the next
 * instruction instead exits with 1.
 */
    .equ NR_EXIT, 0x70480000
    .equ FID, 0xc6005048

    .text
    .global _start
_start:
    ldr x1, =stack_top
    mov sp, x1
    ldr x1, =vectors
    msr vbar_el1, x1
    isb
    mov x8, #0x99
    msr S0_0_c5_c0_0, xzr
    mov x6, #1
    b leave

sync_el1:
    mrs x1, esr_el1
    lsr x1, x1, #26
    orr x6, x1, #0x80
leave:
    ldr x8, =NR_EXIT
    ldr x0, =FID
    hvc #0
    b .

    .balign 2048
vectors:
    .rept 4                 /* current EL with SP0 */
    b .
    .balign 128
    .endr
    b sync_el1              /* current EL with SPx: synchronous */
    .balign 128
    .rept 11
    b .
    .balign 128
    .endr

    .bss
    .balign 16
    .space 4096
stack_top:
