/*
 * What every bundled guest does, in one place: the numbers it calls, the
 * arguments it passes and the status bit each of its checks sets on failure.
 * Included by every guest source (through the C preprocessor) and read by
 * tests/e2e/check_guest.py to build the trace each guest must produce.
 * Plain "#define NAME number" lines only, so both can read them.
 */
#ifndef PHC_GUEST_H
#define PHC_GUEST_H

/* Built-in hypercalls (include/phc/builtins.h) and one nobody registers. */
#define NR_TEST 0xcafebabe
#define NR_CONSOLE 0x70480001
#define NR_EXIT 0x70480000
#define NR_UNREGISTERED 0x0badc0de
#define TEST_ANSWER 13

/* Check 1: the test call, four distinct arguments. */
#define TEST_ARG0 0x10000001
#define TEST_ARG1 0x20000002
#define TEST_ARG2 0x30000003
#define TEST_ARG3 0x40000004

/*
 * Check 3: the near misses run with the test number and these arguments
 * loaded, so a near miss taken for a hypercall would show in the trace and
 * would overwrite the return register with 13.
 */
#define NEAR_ARG0 0x5e000001
#define NEAR_ARG1 0x5e000002
#define NEAR_ARG2 0x5e000003
#define NEAR_ARG3 0x5e000004

/* Check 4: an unregistered number leaves the return register alone. */
#define UNREG_ARG0 0x0a000001
#define UNREG_ARG1 0x0a000002
#define UNREG_ARG2 0x0a000003
#define UNREG_ARG3 0x0a000004

/* Check 5: the test call made through a sentinel written at run time. */
#define RUNTIME_ARG0 0x7b000001
#define RUNTIME_ARG1 0x7b000002
#define RUNTIME_ARG2 0x7b000003
#define RUNTIME_ARG3 0x7b000004

/* The exit status: one bit per failed check, 0 when all passed. */
#define FAIL_TEST_CALL 0x01
#define FAIL_CONSOLE 0x02
#define FAIL_NEAR_MISS 0x04
#define FAIL_UNREGISTERED 0x08
#define FAIL_RUNTIME_SENTINEL 0x10

#endif
