/*
 * The LoongArch64 guest. No engine here runs LoongArch, so the end-to-end
 * test only checks that the runner refuses it; it is built so the guest is
 * ready when an engine is. The number is a7, the arguments a0-a5, the
 * answer a0, and the sentinel is `cpucfg $r0, $r0`.
 *
 * It is assembled by llvm-mc-16 and linked by ld.lld, neither of which
 * resolves LoongArch relocations or symbolic immediates here, so the guest
 * has none: its data sits at fixed offsets from the text base (.org below,
 * the addresses as plain numbers), branches only reach local labels, and
 * the console line's length is counted at run time.
 * s0 holds the status; t0-t3 are scratch.
 */
#include "guest.h"

#define TEXT_BASE 0x10000               /* where guest.ld puts .text */
#define DATA_OFF 0x0                    /* console line, trampoline templates */
#define TRAMP_OFF 0x1000                /* the trampoline; the stack grows down to it */
#define CODE_OFF 0x3000                 /* _start, and the top of the stack */
#define ADDR(off) (TEXT_BASE + (off))
#define MESSAGE ADDR(DATA_OFF)
#define TRAMP_PLAIN ADDR(DATA_OFF + 0x40)
#define TRAMP_HCALL ADDR(DATA_OFF + 0x48)

/* A 32-bit value into a register, zero-extended. */
.macro li32 rd, value
    lu12i.w \rd, (((\value) >> 12) & 0xfffff) - ((((\value) >> 12) & 0x80000) << 1)
    ori \rd, \rd, (\value) & 0xfff
    lu32i.d \rd, 0
.endm

.macro hcall_args nr, a0, a1, a2, a3
    li32 $a7, \nr
    li32 $a0, \a0
    li32 $a1, \a1
    li32 $a2, \a2
    li32 $a3, \a3
    move $a4, $zero
    move $a5, $zero
.endm

.macro hcall nr, a0, a1, a2, a3
    hcall_args \nr, \a0, \a1, \a2, \a3
    cpucfg $r0, $r0
.endm

/* Record @bit in the status unless a0 equals register @reg. */
.macro expect_a0_reg reg, bit
    beq $a0, \reg, 1f
    ori $s0, $s0, \bit
1:
.endm

.macro expect_a0 value, bit
    li32 $t0, \value
    expect_a0_reg $t0, \bit
.endm

/* Copy one of the trampoline templates (two words) over the trampoline. */
.macro load_tramp template
    li32 $t0, \template
    li32 $t1, ADDR(TRAMP_OFF)
    ld.w $t2, $t0, 0
    st.w $t2, $t1, 0
    ld.w $t2, $t0, 4
    st.w $t2, $t1, 4
    dbar 0
    ibar 0                          /* later fetches see the stores */
.endm

    .text
    .org DATA_OFF
message:
    .ascii "hello from ", GUEST_NAME, "\n"
    .byte 0                         /* one string: .asciz ends each part */
/* Templates of the trampoline, two words each: plain code, then the call. */
    .org TRAMP_PLAIN - TEXT_BASE
    nop
    jirl $zero, $ra, 0
    .org TRAMP_HCALL - TEXT_BASE
    cpucfg $r0, $r0
    jirl $zero, $ra, 0

    .org TRAMP_OFF
    .skip 16

    .org CODE_OFF
    .globl _start
_start:
    li32 $sp, ADDR(CODE_OFF)
    move $s0, $zero

    /* 1. The test call answers 13. */
    hcall NR_TEST, TEST_ARG0, TEST_ARG1, TEST_ARG2, TEST_ARG3
    expect_a0 TEST_ANSWER, FAIL_TEST_CALL

    /* 2. One line on the console; the answer is its length. */
    li32 $t0, MESSAGE
    move $t1, $zero
1:  ldx.bu $t2, $t0, $t1
    beqz $t2, 2f
    addi.d $t1, $t1, 1
    b 1b
2:  hcall_args NR_CONSOLE, MESSAGE, 0, 0, 0
    move $a1, $t1
    cpucfg $r0, $r0
    expect_a0_reg $t1, FAIL_CONSOLE

    /*
     * 3. Near misses, with a test call loaded: none may dispatch, so a0
     * keeps its argument instead of the answer 13.
     */
    hcall_args NR_TEST, NEAR_ARG0, NEAR_ARG1, NEAR_ARG2, NEAR_ARG3
    cpucfg $r0, $t0                 /* rj != 0 */
    cpucfg $t0, $r0                 /* rd != 0 */
    cpucfg $t0, $t0
    expect_a0 NEAR_ARG0, FAIL_NEAR_MISS

    /* 4. Nobody handles this number: a0 keeps its argument. */
    hcall NR_UNREGISTERED, UNREG_ARG0, UNREG_ARG1, UNREG_ARG2, UNREG_ARG3
    expect_a0 UNREG_ARG0, FAIL_UNREGISTERED

    /*
     * 5. A sentinel written at run time: run the trampoline once as plain
     * code, then write the sentinel over it and call it again.
     */
    load_tramp TRAMP_PLAIN
    jirl $ra, $t1, 0
    load_tramp TRAMP_HCALL
    hcall_args NR_TEST, RUNTIME_ARG0, RUNTIME_ARG1, RUNTIME_ARG2, RUNTIME_ARG3
    jirl $ra, $t1, 0
    expect_a0 TEST_ANSWER, FAIL_RUNTIME_SENTINEL

    /* 6. Exit with the status; a breakpoint if that returns. */
    hcall_args NR_EXIT, 0, 0, 0, 0
    move $a0, $s0
    cpucfg $r0, $r0
    break 0
