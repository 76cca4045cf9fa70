/*
 * What every host architecture's VMM shares (kvmtool's kvm-cpu.c): a vCPU's
 * file descriptor and kvm_run mapping, one thread per vCPU, the exit loop
 * with its one switch on the exit reason, and one way to stop them all.
 * The architecture (kvm/x86, kvm/arm64) supplies its exit handlers.
 *
 * Stopping without a lost wake-up: the first end is recorded, `stopping` is
 * set, then each vCPU's run->immediate_exit, then its thread is signalled.
 * KVM reads immediate_exit as it enters KVM_RUN: a vCPU that enters after
 * the store returns at once with EINTR; one whose KVM_RUN read it before
 * the store is inside KVM_RUN when the signal comes, and a pending signal
 * forces it out. Either way the loop then sees `stopping`. No signal mask
 * is swapped per KVM_RUN: vCPU threads simply take the kick signal.
 */
#ifndef PHC_KVM_VCPUS_H
#define PHC_KVM_VCPUS_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <phc/accel.h>

/* The handlers of one architecture's exits. @cpu is the architecture's own
 * vCPU; each handler returns false when this vCPU's run is over (it has
 * ended the run, or parked the vCPU). NULL: that exit is final. */
typedef struct kvm_exit_ops {
    void (*enter)(void *cpu); /* before each KVM_RUN; NULL: nothing */
    void (*leave)(void *cpu); /* after each KVM_RUN; NULL: nothing */
    bool (*io)(void *cpu);
    bool (*mmio)(void *cpu);
    bool (*hlt)(void *cpu);
    bool (*hypercall)(void *cpu);
    bool (*exception)(void *cpu);
    bool (*system_event)(void *cpu);
    bool (*internal_error)(void *cpu);
    /* Any other exit, or one its handler is NULL for: describe it and end
     * the run. */
    void (*final)(void *cpu);
} kvm_exit_ops;

/* One vCPU as the shared code sees it. */
typedef struct kvm_vcpu {
    unsigned index;
    int fd;
    struct kvm_run *run;
    size_t run_size;
    void *cpu;         /* the architecture's vCPU, handed to the exit ops */
    pthread_t thread;
    bool started;      /* under kvm_vcpus.lock */
} kvm_vcpu;

typedef struct kvm_vcpus {
    const kvm_exit_ops *ops;
    kvm_vcpu *v;       /* n of them */
    unsigned n;
    atomic_bool stopping;
    pthread_mutex_t lock; /* ended, result, each started; the arch may guard its own counters */
    bool ended;
    phc_run_result result;
} kvm_vcpus;

/* Room for @n vCPUs, none open yet: 0, or -1 with a reason in @err. */
int kvm_vcpus_init(kvm_vcpus *g, unsigned n, const kvm_exit_ops *ops, char *err, size_t errlen);
/* Close every vCPU that was opened and free the room. */
void kvm_vcpus_destroy(kvm_vcpus *g);

/* KVM_CREATE_VCPU @index on @vm_fd and map its kvm_run (@run_size bytes);
 * @cpu is what the exit ops get. 0, or -1 with a reason in @err. */
int kvm_vcpu_open(kvm_vcpus *g, unsigned index, int vm_fd, size_t run_size, void *cpu, char *err,
                  size_t errlen);

/* Run every vCPU on its own thread until the run ends; @cancel (may be
 * NULL) can end it from outside. */
void kvm_vcpus_run(kvm_vcpus *g, phc_cancel *cancel);

/* Record how the run ended (the first call wins) and stop every vCPU. */
void kvm_vcpus_end(kvm_vcpus *g, const phc_run_result *res);

#endif
