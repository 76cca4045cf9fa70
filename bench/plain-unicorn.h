/*
 * The baselines our TCG frontend is measured against: the same guest in a
 * bare Unicorn, set up the way any embedder would, with one of three hook
 * arrangements.
 */
#ifndef PHC_BENCH_PLAIN_UNICORN_H
#define PHC_BENCH_PLAIN_UNICORN_H

#include "bench.h"

typedef enum plain_hooks {
    PLAIN_NO_HOOKS,   /* nothing: the engine's own speed */
    PLAIN_CATCH_ALL,  /* the naive way: a code hook on every instruction that
                         reads it and compares it with the sentinel */
    PLAIN_EMPTY_HOOK, /* the cheapest callback on the sentinel itself, empty:
                         x86 an OUT hook, others a code hook on its address */
    PLAIN_MINIMAL_HOOK, /* the same callback doing the least a hypercall needs:
                           read the number and argument registers in one
                           batch, answer 0xcafebabe with 13 in the return one */
} plain_hooks;

typedef struct plain_unicorn {
    bench_guest *guest;
    plain_hooks hooks;
} plain_unicorn;

/* bench_run_fn: runs the guest from its entry to BENCH_DONE_ADDR. */
double plain_unicorn_run(void *ctx, uint64_t n, char *err, size_t errlen);

#endif
