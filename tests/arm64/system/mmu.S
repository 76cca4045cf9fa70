/*
 * A guest with its MMU on: phc must read a hypercall's buffer through the
 * guest's own tables. VA 0x40000000 maps PA 0x21000 and VA 0x40001000 maps
 * PA 0x20000 (4K pages, swapped), so a console write of the string at VA
 * 0x40000ff8 is only right if phc walks the tables page by page; the rest
 * of the address space is an identity 1G block. Exit 0, or the failed step.
 */
    .equ NR_EXIT, 0x70480000
    .equ NR_CONSOLE, 0x70480001
    .equ FID, 0xc6005048
    .equ AF, 1 << 10
    .equ SH_INNER, 3 << 8
    .equ TCR, 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32)

    .macro penguin_call
    mov x6, x0
    ldr x0, =FID
    hvc #0
    .endm

    .text
    .global _start
_start:
    ldr x1, =stack_top
    mov sp, x1
    mov x1, #0xff               /* MAIR attr0: normal write-back */
    msr mair_el1, x1
    ldr x1, =TCR                /* T0SZ 25 (39-bit, 4K), EPD1, IPS 40-bit */
    msr tcr_el1, x1
    ldr x1, =l1_table
    msr ttbr0_el1, x1
    isb
    mrs x1, sctlr_el1
    mov x2, #0x1005             /* M, C, I */
    orr x1, x1, x2
    msr sctlr_el1, x1
    isb

    ldr x8, =NR_CONSOLE         /* across the two swapped pages */
    ldr x0, =0x40000ff8
    mov x1, #(msg_end - msg_start + 8)
    penguin_call
    mov x6, #1
    cmp x0, #(msg_end - msg_start + 8)
    b.ne leave

    ldr x8, =NR_CONSOLE         /* an unmapped page: -14 */
    ldr x0, =0x40002000
    mov x1, #4
    penguin_call
    mov x6, #2
    cmn x0, #14
    b.ne leave
    mov x6, #0
leave:
    ldr x8, =NR_EXIT
    ldr x0, =FID
    hvc #0
    b .

    .section .rodata            /* at PA 0x20000 (guest.ld) */
msg_start:
    .ascii "s this through the guest's tables\n"
msg_end:
    .org 0x1ff8                 /* PA 0x21ff8: the last 8 bytes of the other page */
    .ascii "phc read"
    .balign 4096
l1_table:                       /* PA 0x22000 */
    .quad 0x0 | AF | SH_INNER | 1   /* VA 0-1G: identity block */
    .quad l2_table + 3
    .balign 4096
l2_table:
    .quad l3_table + 3
    .balign 4096
l3_table:
    .quad 0x21000 | AF | SH_INNER | 3
    .quad 0x20000 | AF | SH_INNER | 3

    .bss
    .balign 16
    .space 4096
stack_top:
