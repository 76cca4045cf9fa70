/*
 * AArch64 mechanism guest: the UDEF interrupt. The call, a sentinel written
 * to fresh memory and called, the exit. -DMECH_NEAR=<instruction>: run that
 * near miss first; it is undefined, so the run must end as a fault with
 * nothing dispatched.
 */
#include "mech.h"

#define SENTINEL_WORD 0xd500501f /* msr S0_0_c5_c0_0, xzr */
#define RET_WORD 0xd65f03c0

    .text
    .globl _start
_start:
    ldr x9, =stack_top
    mov sp, x9
    mov x19, #0
    mov x8, #MECH_NR_CALL
    mov x0, #MECH_ARG0
    mov x1, #MECH_ARG1
    mov x2, #MECH_ARG2
    mov x3, #MECH_ARG3
#ifdef MECH_NEAR
    MECH_NEAR
#endif
    msr S0_0_c5_c0_0, xzr
    mov x9, #MECH_NR_CALL + MECH_ANSWER_OFFSET
    cmp x0, x9
    b.eq 1f
    orr x19, x19, #MECH_FAIL_ANSWER
1:
    /* a sentinel written to fresh memory, then called */
    ldr x9, =fresh
    ldr w10, =SENTINEL_WORD
    str w10, [x9]
    ldr w10, =RET_WORD
    str w10, [x9, #4]
    isb
    mov x8, #MECH_NR_FRESH
    blr x9
    mov x9, #MECH_NR_FRESH + MECH_ANSWER_OFFSET
    cmp x0, x9
    b.eq 1f
    orr x19, x19, #MECH_FAIL_FRESH
1:
    ldr x8, =NR_EXIT
    mov x0, x19
    msr S0_0_c5_c0_0, xzr
2:  b 2b
    .ltorg

    .bss
    .balign 16
fresh:
    .space 16
    .space 4096
stack_top:
