/*
 * The same Penguin calls two ways: the MSR sentinel (TCG) or, assembled
 * with --defsym HVC=1, the SMCCC HVC convention of docs/kvm-arm64.md
 * (KVM). Both builds must give the same trace and exit 0; a failed check
 * exits with its number.
 */
    .equ NR_EXIT, 0x70480000
    .equ NR_CONSOLE, 0x70480001
    .equ NR_TEST, 0xcafebabe
    .equ NR_NOBODY, 0x1234
    .equ FID, 0xc6005048
    .equ FDT_MAGIC_LE, 0xedfe0dd0
    .equ UART, 0xf1000000     /* the KVM board's PL011 */

    .macro penguin_call
    .if HVC
    mov x6, x0              /* a0 moves to x6: w0 carries the function ID */
    ldr x0, =FID
    hvc #0
    .else
    msr S0_0_c5_c0_0, xzr
    .endif
    .endm

    .macro check cond, n
    b.\cond 1f
    mov x0, #\n
    b fail
1:
    .endm

    .text
    .global _start
_start:
    mov x19, x0             /* KVM board: the device tree */
    ldr x1, =stack_top
    mov sp, x1
    mov x4, #0
    mov x5, #0
    .if HVC
    ldr w9, [x19]
    ldr w10, =FDT_MAGIC_LE
    cmp w9, w10
    check eq, 1
    ldr x9, =UART           /* the PL011: flags say "transmit empty", bytes go out */
    ldr w10, [x9, #0x18]
    tst w10, #0x80
    check ne, 7
    ldr x10, =uart_msg
2:  ldrb w11, [x10], #1
    cbz w11, 3f
    str w11, [x9]
    b 2b
3:
    .endif

    ldr x8, =NR_TEST        /* round trip: 13 */
    mov x0, #1
    mov x1, #2
    mov x2, #3
    mov x3, #4
    penguin_call
    cmp x0, #13
    check eq, 2

    ldr x8, =NR_CONSOLE     /* console write: the length */
    ldr x0, =msg
    mov x1, #(msg_end - msg)
    penguin_call
    cmp x0, #(msg_end - msg)
    check eq, 3

    ldr x8, =NR_NOBODY      /* unclaimed: x0 stays a0 */
    ldr x0, =0x5555aaaa5555aaaa
    mov x1, #7
    penguin_call
    ldr x9, =0x5555aaaa5555aaaa
    cmp x0, x9
    check eq, 4

    ldr x8, =NR_CONSOLE     /* memory the guest does not have: -14 */
    ldr x0, =0xfff00000000
    mov x1, #4
    penguin_call
    cmn x0, #14
    check eq, 5

    ldr x8, =NR_CONSOLE     /* longer than 4096: -22 */
    ldr x0, =msg
    mov x1, #4097
    penguin_call
    cmn x0, #22
    check eq, 6

    mov x0, #0
fail:
    ldr x8, =NR_EXIT
    penguin_call
    b .

    .section .rodata
msg:
    .ascii "hello from aarch64\n"
msg_end:
uart_msg:
    .asciz "pl011 says hello\n"

    .bss
    .balign 16
    .space 4096
stack_top:
