/*
 * The MIPS guest, built four ways: big- and little-endian, 32-bit (o32)
 * and, with GUEST_MIPS64, 64-bit (n64). The number and the answer share
 * v0, the arguments are a0-a3, and the sentinel is `movz $0, $0, $0`.
 * The 64-bit build loads 32-bit values zero-extended (dli), as C code
 * holding them in an unsigned long would; `li` would sign-extend.
 * s0 holds the status; t0-t2 are scratch. Delay slots are explicit.
 */
#include "guest.h"

#ifdef GUEST_MIPS64
#define LI dli
#define LA dla
#else
#define LI li
#define LA la
#endif

    .set noreorder

.macro hcall_args nr, a0, a1, a2, a3
    LI $v0, \nr
    LI $a0, \a0
    LI $a1, \a1
    LI $a2, \a2
    LI $a3, \a3
.endm

.macro hcall nr, a0, a1, a2, a3
    hcall_args \nr, \a0, \a1, \a2, \a3
    movz $0, $0, $0
.endm

/* Record @bit in the status unless v0 holds @value. */
.macro expect_v0 value, bit
    LI $t0, \value
    beq $v0, $t0, 1f
    nop
    ori $s0, $s0, \bit
1:
.endm

/* Copy one of the trampoline templates (three words) over the trampoline. */
.macro load_tramp template
    LA $t0, \template
    LA $t1, tramp
    lw $t2, 0($t0)
    sw $t2, 0($t1)
    lw $t2, 4($t0)
    sw $t2, 4($t1)
    lw $t2, 8($t0)
    sw $t2, 8($t1)
.endm

/*
 * Make the rewritten trampoline (within one cache line: it is 16-byte
 * aligned and 12 bytes long) visible to instruction fetch; the call that
 * follows is a jalr.hb, which clears the instruction hazard.
 */
.macro sync_tramp
    synci 0($t1)
    sync
.endm

    .text
    .globl _start
_start:
    LA $sp, stack_top
    move $s0, $0

    /* 1. The test call answers 13. */
    hcall NR_TEST, TEST_ARG0, TEST_ARG1, TEST_ARG2, TEST_ARG3
    expect_v0 TEST_ANSWER, FAIL_TEST_CALL

    /* 2. One line on the console; the answer is its length. */
    hcall_args NR_CONSOLE, 0, message_len, 0, 0
    LA $a0, message
    movz $0, $0, $0
    expect_v0 message_len, FAIL_CONSOLE

    /*
     * 3. Near misses, with a test call loaded: none may dispatch, so v0
     * keeps the number instead of the answer 13. seleqz/selnez into $0
     * are MIPS R6 encodings that this R2 CPU would trap on as reserved
     * instructions, so they are left to the matcher tests.
     */
    hcall_args NR_TEST, NEAR_ARG0, NEAR_ARG1, NEAR_ARG2, NEAR_ARG3
    LI $t0, 1
    LI $t1, 2
    movn $0, $0, $0
    movn $0, $t0, $t1
    movz $0, $t0, $t1
    movz $0, $0, $t1
    movz $0, $t0, $0
    movz $t2, $0, $0                /* really moves: t2 = 0 */
    mfc0 $0, $12                    /* Status */
    mfc0 $0, $15                    /* PRId */
#ifdef GUEST_MIPS64
    dmfc0 $0, $12
#endif
    expect_v0 NR_TEST, FAIL_NEAR_MISS

    /* 4. Nobody handles this number: v0 keeps it. */
    hcall NR_UNREGISTERED, UNREG_ARG0, UNREG_ARG1, UNREG_ARG2, UNREG_ARG3
    expect_v0 NR_UNREGISTERED, FAIL_UNREGISTERED

    /*
     * 5. A sentinel written at run time: run the trampoline once as plain
     * code, then write the sentinel over it and call it again.
     */
    load_tramp tramp_plain
    sync_tramp
    jalr.hb $t1
    nop
    load_tramp tramp_hcall
    sync_tramp
    hcall_args NR_TEST, RUNTIME_ARG0, RUNTIME_ARG1, RUNTIME_ARG2, RUNTIME_ARG3
    jalr.hb $t1
    nop
    expect_v0 TEST_ANSWER, FAIL_RUNTIME_SENTINEL

    /* 6. Exit with the status; a breakpoint if that returns. */
    hcall_args NR_EXIT, 0, 0, 0, 0
    move $a0, $s0
    movz $0, $0, $0
    break

    .section .rodata
message:
    .ascii "hello from ", GUEST_NAME, "\n"
    .equ message_len, . - message
/* Templates of the trampoline, three words each: plain code, then the call. */
    .balign 4
tramp_plain:
    nop
    jr $ra
    nop
tramp_hcall:
    movz $0, $0, $0
    jr $ra
    nop

    .data
    .balign 16
tramp:
    .skip 16

    .bss
    .balign 16
stack:
    .skip 4096
stack_top:
