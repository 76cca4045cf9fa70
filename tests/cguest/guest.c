/*
 * A freestanding C guest on <phc/guest.h> alone, the way a firmware author
 * would write one: _start is a plain C function (no assembly, no stack of
 * its own), built with -O2 -ffreestanding -nostdlib -static. It relies on
 * the entry state of docs/entry.md for its stack (calls, a recursive
 * function, locals) and on the header for every call. Exit status: one bit
 * per failed check, 0 when all passed. check_cguest.py reads the trace.
 */
#include <phc/guest.h>

/* Six arguments nobody else uses, so the trace shows which ones arrived. */
#define ARG(i) (0x1a000000ul + 0x10101ul * (i))
#define NR_UNREGISTERED 0x0badc0deul

#define FAIL_TEST_CALL 0x01
#define FAIL_UNREGISTERED 0x02
#define FAIL_STACK 0x04
#define FAIL_CONSOLE 0x08
#define FAIL_ALIGNMENT 0x10

/* The stack alignment each ABI promises at a call: what the compiler
 * assumes, so it never realigns a local declared this aligned. */
#if (defined(__arm__) || defined(__mips__)) && !defined(__LP64__)
#define STACK_ALIGN 8
#else
#define STACK_ALIGN 16
#endif

/* x86 and MIPS answer in the register that carried the number. */
#if defined(__x86_64__) || defined(__i386__) || defined(__mips__)
#define UNHANDLED_ANSWER(nr, a0) (nr)
#else
#define UNHANDLED_ANSWER(nr, a0) (a0)
#endif

static const char greeting[] = "hello from a C guest\n";
static unsigned long base = 1; /* .data */
static unsigned long deepest;  /* .bss */

/* Real stack frames: each level passes its local's address down (so the
 * frames cannot be folded into a loop) and checks the stack grows down.
 * Returns base + n(n+1)/2, or 0 on a frame out of order. */
static unsigned long __attribute__((noinline)) nested(unsigned long n, volatile unsigned long *outer)
{
    volatile unsigned long local = n;
    if ((unsigned long)&local >= (unsigned long)outer)
        return 0;
    deepest = (unsigned long)&local;
    unsigned long below = n ? nested(n - 1, &local) : base;
    return below ? below + local : 0;
}

/* A local as aligned as the ABI promises lies where the compiler thinks
 * only if sp was aligned at the entry; the barrier hides the address so
 * the compiler cannot fold the test away. */
static int __attribute__((noinline)) misaligned(void)
{
    volatile char local[STACK_ALIGN] __attribute__((aligned(STACK_ALIGN))) = { 0 };
    unsigned long where = (unsigned long)local;
    __asm__("" : "+r"(where));
    return (where & (STACK_ALIGN - 1)) != 0;
}

void _start(void)
{
    unsigned long status = 0;
    volatile unsigned long marker = 0; /* a local in _start's own frame */

    if (phc_hypercall(PHC_NR_TEST, ARG(0), ARG(1), ARG(2), ARG(3), ARG(4), ARG(5)) != PHC_TEST_ANSWER)
        status |= FAIL_TEST_CALL;

    /* Nobody answers: the answer register keeps what it had. a0 is where
     * the stack is, for the trace to show. */
    unsigned long where = (unsigned long)&marker;
    if (phc_hypercall(NR_UNREGISTERED, where, ARG(1), ARG(2), ARG(3), ARG(4), ARG(5)) !=
        UNHANDLED_ANSWER(NR_UNREGISTERED, where))
        status |= FAIL_UNREGISTERED;

    if (nested(20, &marker) != 20 * 21 / 2 + 1 || deepest >= where)
        status |= FAIL_STACK;

    if (misaligned())
        status |= FAIL_ALIGNMENT;

    if (phc_hypercall(PHC_NR_CONSOLE, (unsigned long)greeting, sizeof greeting - 1, 0, 0, 0, 0) !=
        sizeof greeting - 1)
        status |= FAIL_CONSOLE;

    phc_hypercall(PHC_NR_EXIT, status, 0, 0, 0, 0, 0);
    for (;;)
        ;
}
