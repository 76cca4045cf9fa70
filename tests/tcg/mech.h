/*
 * The mechanism tests' own hypercall numbers, shared by the guests (through
 * the C preprocessor) and tcg-guest.c. Plain #defines only.
 */
#ifndef PHC_TCG_MECH_H
#define PHC_TCG_MECH_H

#define MECH_NR_FIRST 0x101
#define MECH_NR_CALL 0x101    /* the plain call, four distinct arguments */
#define MECH_NR_FRESH 0x102   /* a sentinel written to fresh memory, then jumped to */
#define MECH_NR_PATCHED 0x103 /* a sentinel written over code that already ran */
#define MECH_NR_LAST 0x103
#define MECH_ANSWER_OFFSET 0x1000

#define MECH_ARG0 0x11
#define MECH_ARG1 0x22
#define MECH_ARG2 0x33
#define MECH_ARG3 0x44

#define NR_EXIT 0x70480000

/* Exit status bits: which of the guest's own checks failed. */
#define MECH_FAIL_ANSWER 0x01  /* the plain call's return value */
#define MECH_FAIL_FRESH 0x02   /* the fresh-memory call's return value */
#define MECH_FAIL_PATCHED 0x04 /* the patched call's return value */
#define MECH_FAIL_NEAR 0x08    /* a near miss changed the return register */

#endif
