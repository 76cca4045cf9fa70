/*
 * The Penguin dispatcher: hypercall numbers to handlers. Every frontend
 * calls phc_dispatch on the vCPU that hit a sentinel; it reads the call
 * through the ABI, runs the handler, writes the return register and traces.
 */
#ifndef PHC_DISPATCHER_H
#define PHC_DISPATCHER_H

#include <phc/call.h>

typedef enum phc_verdict {
    PHC_HANDLED,   /* *value is written to the guest's return register */
    PHC_UNHANDLED, /* the return register is left exactly as it was */
    PHC_STOP,      /* the guest ends; *value is the exit status */
} phc_verdict;

typedef phc_verdict (*phc_handler_fn)(phc_vcpu *cpu, const phc_call *call,
                                      uint64_t *value, void *opaque);

typedef struct phc_dispatcher phc_dispatcher;
typedef struct phc_trace phc_trace;

phc_dispatcher *phc_dispatcher_new(void);
void phc_dispatcher_free(phc_dispatcher *d);

/*
 * Register @fn for @nr. A number that fits 32 bits (or is the sign extension
 * of one) is one key: it matches a 32-bit guest's low word and a 64-bit
 * guest's zero- or sign-extended value. Returns false if @nr is taken.
 * Safe while other threads dispatch; never call from inside a handler.
 */
bool phc_dispatcher_register(phc_dispatcher *d, uint64_t nr, phc_handler_fn fn, void *opaque);
bool phc_dispatcher_unregister(phc_dispatcher *d, uint64_t nr);
/* Handler for numbers nobody registered (NULL: leave them unhandled). */
void phc_dispatcher_set_fallback(phc_dispatcher *d, phc_handler_fn fn, void *opaque);
/* Every dispatched call is written to @trace (NULL: none). Set before running. */
void phc_dispatcher_set_trace(phc_dispatcher *d, phc_trace *trace);

typedef struct phc_dispatch_result {
    phc_verdict verdict;
    uint64_t status; /* exit status when verdict is PHC_STOP */
} phc_dispatch_result;

/* Dispatch the hypercall the vCPU just made. Thread-safe. */
phc_dispatch_result phc_dispatch(phc_dispatcher *d, phc_vcpu *cpu);

/* Calls of registered number @nr (normalised as for register) so far. */
uint64_t phc_dispatcher_count(phc_dispatcher *d, uint64_t nr);
/* All calls; and those of numbers nobody had registered. */
uint64_t phc_dispatcher_total(phc_dispatcher *d);
uint64_t phc_dispatcher_unclaimed(phc_dispatcher *d);

/* The dispatcher's key for a number seen from a guest of @nr_bits width. */
uint64_t phc_nr_key(uint64_t nr, unsigned nr_bits);

#endif
