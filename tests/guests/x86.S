/*
 * The x86 guest, built twice: GUEST_X86_64 for 64-bit long mode (the
 * x86_64 ABI row) and without it for 32-bit protected mode with paging
 * off (the i386 row). It uses nothing but the CPU state of the guest
 * conventions, so it runs the same under TCG and KVM.
 *
 * The sentinel is port semantics: a 32-bit OUT to port 0x88, the number
 * in EAX. The return register is EAX/RAX, the number's own register, so
 * an unregistered call must leave the number there.
 */
#include "guest.h"

#ifdef GUEST_X86_64
    .code64
#define A0 %rdi
#define A1 %rsi
#define A2 %rdx
#define A3 %r10
#define A4 %r8
#define A5 %r9
#define RET %rax
#define SP %rsp
#define PTR_SRC %rsi
#define PTR_DST %rdi
#else
    .code32
#define A0 %ebx
#define A1 %ecx
#define A2 %edx
#define A3 %esi
#define A4 %edi
#define A5 %ebp
#define RET %eax
#define SP %esp
#define PTR_SRC %esi
#define PTR_DST %edi
#endif

/* Load a call: the number into EAX, four arguments, the last two zero. */
.macro hcall_args nr, a0, a1, a2, a3
    mov $\nr, %eax
    mov \a0, A0
    mov \a1, A1
    mov \a2, A2
    mov \a3, A3
    xor A4, A4
    xor A5, A5
.endm

.macro hcall nr, a0, a1, a2, a3
    hcall_args \nr, \a0, \a1, \a2, \a3
    outl %eax, $0x88
.endm

/* Record @bit in the status unless the flags say "equal". */
.macro fail_unless_equal bit
    je 1f
    orl $\bit, status
1:
.endm

/* Copy one of the trampoline templates over the trampoline. */
.macro load_tramp template
    mov $\template, PTR_SRC
    mov $tramp, PTR_DST
    mov $(tramp_hcall - tramp_plain), %ecx
    cld
    rep movsb
.endm

    .text
    .globl _start
_start:
    mov $stack_top, SP

    /* 1. The test call answers 13. */
    hcall NR_TEST, $TEST_ARG0, $TEST_ARG1, $TEST_ARG2, $TEST_ARG3
    cmp $TEST_ANSWER, RET
    fail_unless_equal FAIL_TEST_CALL

    /* 2. One line on the console; the answer is its length. */
    hcall NR_CONSOLE, $message, $message_len, $0, $0
    cmp $message_len, RET
    fail_unless_equal FAIL_CONSOLE

    /*
     * 3. Near misses, with a test call loaded: none may dispatch, so EAX
     * still holds the number afterwards, not the answer 13.
     */
    hcall_args NR_TEST, $NEAR_ARG0, $NEAR_ARG1, $NEAR_ARG2, $NEAR_ARG3
    outb %al, $0x88                 /* byte and word OUTs to 0x88 */
    outw %ax, $0x88
    outl %eax, $0x89                /* 32-bit OUTs to the next ports */
    outl %eax, $0x8a
    outl %eax, $0x8b
    mov $0x88, %dx                  /* the same through DX */
    outb %al, %dx
    outw %ax, %dx
    mov $0x89, %dx
    outl %eax, %dx
    cmp $NR_TEST, %eax
    fail_unless_equal FAIL_NEAR_MISS

    /* INs from 0x88 read the port bus: all ones, whatever the width. */
    inb $0x88, %al
    cmp $0xff, %al
    fail_unless_equal FAIL_NEAR_MISS
    inw $0x88, %ax
    cmp $0xffff, %ax
    fail_unless_equal FAIL_NEAR_MISS
    inl $0x88, %eax
    cmp $0xffffffff, %eax
    fail_unless_equal FAIL_NEAR_MISS
    mov $0x88, %dx
    inl %dx, %eax
    cmp $0xffffffff, %eax
    fail_unless_equal FAIL_NEAR_MISS

    /* A string OUT of two doublewords to 0x88 is IO, not two calls. */
    mov $NR_TEST, %eax
    mov $0x88, %dx
    mov $two_numbers, PTR_SRC
    mov $2, %ecx
    cld
    rep outsl
    cmp $NR_TEST, %eax
    fail_unless_equal FAIL_NEAR_MISS

    /* 4. Nobody handles this number: RAX keeps it. */
    hcall NR_UNREGISTERED, $UNREG_ARG0, $UNREG_ARG1, $UNREG_ARG2, $UNREG_ARG3
    cmp $NR_UNREGISTERED, RET
    fail_unless_equal FAIL_UNREGISTERED

    /*
     * 5. A sentinel written at run time: run the trampoline once as plain
     * code, then write the sentinel over it and call it again. x86 keeps
     * instruction fetch coherent with stores; the CALL is the branch the
     * architecture asks for after modifying code.
     */
    load_tramp tramp_plain
    call tramp
    load_tramp tramp_hcall
    hcall_args NR_TEST, $RUNTIME_ARG0, $RUNTIME_ARG1, $RUNTIME_ARG2, $RUNTIME_ARG3
    call tramp
    cmp $TEST_ANSWER, RET
    fail_unless_equal FAIL_RUNTIME_SENTINEL

    /* 6. Exit with the status; HLT with interrupts off if that returns. */
    hcall NR_EXIT, status, $0, $0, $0
1:  hlt
    jmp 1b

    .section .rodata
message:
    .ascii "hello from ", GUEST_NAME, "\n"
    .equ message_len, . - message
    .balign 4
two_numbers:
    .long NR_TEST, NR_TEST
/* Templates of the trampoline, the same size: plain code, then the call. */
tramp_plain:
    nop
    nop
    ret
tramp_hcall:
    outl %eax, $0x88
    ret

    .data
    .balign 16
tramp:
    .skip 64

    .bss
    .balign 8
status:                             /* as wide as A0: it becomes the exit call's a0 */
    .skip 8
    .balign 16
stack:
    .skip 4096
stack_top:
