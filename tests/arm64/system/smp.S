/*
 * A second vCPU under the ARM64 KVM board: vCPU 0 starts vCPU 1 with PSCI
 * CPU_ON (handled in KVM), vCPU 1 makes a Penguin round trip by HVC and
 * powers itself off, vCPU 0 checks its answer (13) and exits 0. Other exit
 * statuses name the failed step.
 */
    .equ NR_EXIT, 0x70480000
    .equ NR_TEST, 0xcafebabe
    .equ FID, 0xc6005048
    .equ PSCI_CPU_ON, 0xc4000003
    .equ PSCI_CPU_OFF, 0x84000002
    .equ CONTEXT, 0x77

    .text
    .global _start
_start:
    ldr x1, =stack0_top
    mov sp, x1
    ldr x0, =PSCI_CPU_ON
    mov x1, #1              /* MPIDR of vCPU 1 */
    ldr x2, =secondary
    mov x3, #CONTEXT
    hvc #0
    mov x6, #2
    cbnz x0, leave          /* CPU_ON failed */
    ldr x9, =answer
    ldr x10, =200000000
1:  ldr w11, [x9]
    cbnz w11, 2f
    subs x10, x10, #1
    b.ne 1b
    mov x6, #3              /* vCPU 1 never answered */
    b leave
2:  cmp w11, #13
    mov x6, #0
    b.eq leave
    mov x6, #4              /* a wrong answer */
leave:
    ldr x8, =NR_EXIT
    ldr x0, =FID
    hvc #0
    b .

secondary:
    ldr x1, =stack1_top
    mov sp, x1
    mov w12, #99
    cmp x0, #CONTEXT        /* CPU_ON hands over the context in x0 */
    b.ne 3f
    ldr x8, =NR_TEST
    mov x6, #5              /* a0..a3 = 5 6 7 8 */
    mov x1, #6
    mov x2, #7
    mov x3, #8
    mov x4, #0
    mov x5, #0
    ldr x0, =FID
    hvc #0
    mov w12, w0
3:  ldr x9, =answer
    str w12, [x9]
    dsb sy
    ldr x0, =PSCI_CPU_OFF
    hvc #0
    b .

    .bss
    .balign 16
answer:
    .space 16
    .space 4096
stack0_top:
    .space 4096
stack1_top:
