/*
 * x86 mechanism guest, 64-bit (-DMECH_64) and 32-bit: the OUT hook.
 * The call through `outl %eax, $0x88` and through `out %eax, %dx`, every
 * near miss (byte and word OUTs, ports 0x89-0x8b, INs, a single and a
 * repeated OUTSD whose values all equal EAX, with DX = 0x88), and in 64-bit
 * code a far jump into a 32-bit compatibility-mode segment, where a call
 * must be read through the i386 row. Exits with the MECH_FAIL_* bits.
 * -DMECH_HALT: only a HLT (the run ends as a halt). -DMECH_SPIN: a loop
 * with no end (the instruction and time limits end it).
 */
#include "mech.h"

#ifdef MECH_64
#define A0 %rdi
#define A1 %rsi
#define A2 %rdx
#define A3 %r10
#define SRC %rsi
#else
#define A0 %ebx
#define A1 %ecx
#define A2 %edx
#define A3 %esi
#define SRC %esi
#endif
#define FAILS %ebp

.macro check_eax want, bit
    cmp $\want, %eax
    je 1f
    or $\bit, FAILS
1:
.endm

    .text
    .globl _start
_start:
#if defined(MECH_HALT)
    hlt
#elif defined(MECH_SPIN)
2:  inc %eax
    jmp 2b
#endif
    mov $stack_top, %esp
    xor FAILS, FAILS

    /* the call, port as an immediate */
    mov $MECH_NR_CALL, %eax
    mov $MECH_ARG0, A0
    mov $MECH_ARG1, A1
    mov $MECH_ARG2, A2
    mov $MECH_ARG3, A3
    outl %eax, $0x88
    check_eax MECH_NR_CALL + MECH_ANSWER_OFFSET, MECH_FAIL_ANSWER

    /* the same event through DX, with [rSI] holding EAX too: the frontend
     * must look at this block's bytes (no OUTSD) to know it is an OUT */
    mov $MECH_NR_FRESH, %eax
    mov $0x88, %dx
    mov $fresh_number, SRC
    out %eax, %dx
    check_eax MECH_NR_FRESH + MECH_ANSWER_OFFSET, MECH_FAIL_FRESH

    /* near misses: none may dispatch, so EAX keeps the number */
    mov $MECH_NR_CALL, %eax
    outb %al, $0x88
    outw %ax, $0x88
    outl %eax, $0x89
    outl %eax, $0x8a
    outl %eax, $0x8b
    mov $0x88, %dx
    outb %al, %dx
    outw %ax, %dx
    mov $0x89, %dx
    out %eax, %dx
    check_eax MECH_NR_CALL, MECH_FAIL_NEAR
    inl $0x88, %eax
    check_eax 0xffffffff, MECH_FAIL_NEAR
    /* string OUTs of doublewords equal to EAX, port 0x88 in DX */
    mov $MECH_NR_CALL, %eax
    mov $0x88, %dx
    mov $numbers, SRC
    cld
    outsl
    mov $3, %ecx
    rep outsl
    check_eax MECH_NR_CALL, MECH_FAIL_NEAR

#ifdef MECH_64
    /* into 32-bit compatibility mode: the call reads ebx, ecx, edx, esi */
    mov $0xd1, %rdi
    mov $0xd2, %rsi
    mov $0xd4, %r10
    lgdt gdt_pointer
    ljmpl *compat_entry
    .code32
compat:
    mov $MECH_NR_PATCHED, %eax
    mov $MECH_ARG0, %ebx
    mov $MECH_ARG1, %ecx
    mov $MECH_ARG2, %edx
    mov $MECH_ARG3, %esi
    outl %eax, $0x88
    check_eax MECH_NR_PATCHED + MECH_ANSWER_OFFSET, MECH_FAIL_PATCHED
#endif
    mov $NR_EXIT, %eax
    mov FAILS, %ebx
#ifdef MECH_64
    mov FAILS, %edi /* in case the 64-bit row were wrongly used */
#endif
    outl %eax, $0x88
    hlt

    .data
    .balign 8
numbers:
    .long MECH_NR_CALL, MECH_NR_CALL, MECH_NR_CALL, MECH_NR_CALL
fresh_number:
    .long MECH_NR_FRESH
#ifdef MECH_64
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff /* 0x08: 32-bit code, base 0, 4 GiB, L = 0 */
gdt_pointer:
    .word gdt_pointer - gdt - 1
    .quad gdt
compat_entry:
    .long compat
    .word 0x08
#endif

    .bss
    .balign 16
    .space 4096
stack_top:
