/*
 * The KVM baselines: the smallest VMM that can run an x86-64 benchmark guest
 * on /dev/kvm (long mode, identity paging, one vCPU), whose exit loop does
 * nothing but KVM_RUN again; optionally with the full state synchronisation
 * per exit that the QEMU fork does.
 */
#ifndef PHC_BENCH_RAW_KVM_H
#define PHC_BENCH_RAW_KVM_H

#include "bench.h"

typedef enum raw_kvm_sync {
    RAW_KVM_NO_SYNC,    /* an empty exit handler */
    RAW_KVM_FULL_STATE, /* get then set regs, sregs, XSAVE (or FPU) and MSRs per exit */
} raw_kvm_sync;

typedef struct raw_kvm {
    bench_guest *guest;
    raw_kvm_sync sync;
    unsigned nmsrs; /* after a FULL_STATE run: the MSRs it synchronised */
} raw_kvm;

/* NULL if /dev/kvm can be used here, else why not. */
const char *raw_kvm_unavailable(void);

/* bench_run_fn: runs the guest to its exit hypercall. */
double raw_kvm_run(void *ctx, uint64_t n, char *err, size_t errlen);

#endif
