/*
 * ARM32 mechanism guest, A32 and (-DMECH_THUMB) T32: the invalid-instruction
 * stop. The call, a sentinel written to fresh memory and called, the exit.
 * -DMECH_NEAR=<instruction>: run that near miss first; it is undefined, so
 * the run must end as a fault with nothing dispatched.
 */
#include "mech.h"

    .syntax unified
#ifdef MECH_THUMB
    .thumb
#define SENTINEL_WORD 0x0710ee00 /* halfwords EE00 0710, first one first */
#define RETURN_WORD 0x00004770   /* bx lr, then a zero halfword */
#define CALL_BIT 1
#else
    .arm
#define SENTINEL_WORD 0xee000710
#define RETURN_WORD 0xe12fff1e   /* bx lr */
#define CALL_BIT 0
#endif

    .text
    .globl _start
    .type _start, %function
_start:
    ldr sp, =stack_top
    mov r8, #0
    ldr r7, =MECH_NR_CALL
    mov r0, #MECH_ARG0
    mov r1, #MECH_ARG1
    mov r2, #MECH_ARG2
    mov r3, #MECH_ARG3
#ifdef MECH_NEAR
    MECH_NEAR
#endif
    mcr p7, 0, r0, c0, c0, 0
    ldr r9, =MECH_NR_CALL + MECH_ANSWER_OFFSET
    cmp r0, r9
    beq 1f
    orr r8, r8, #MECH_FAIL_ANSWER
1:
    /* a sentinel written to fresh memory, then called */
    ldr r4, =fresh
    ldr r5, =SENTINEL_WORD
    str r5, [r4]
    ldr r5, =RETURN_WORD
    str r5, [r4, #4]
    ldr r7, =MECH_NR_FRESH
    orr r4, r4, #CALL_BIT
    blx r4
    ldr r9, =MECH_NR_FRESH + MECH_ANSWER_OFFSET
    cmp r0, r9
    beq 1f
    orr r8, r8, #MECH_FAIL_FRESH
1:
    ldr r7, =NR_EXIT
    mov r0, r8
    mcr p7, 0, r0, c0, c0, 0
2:  b 2b
    .ltorg

    .bss
    .balign 16
fresh:
    .space 16
    .space 4096
stack_top:
