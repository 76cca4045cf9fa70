/*
 * vCPUs and the machine they run in: one thread per vCPU, each in its own
 * KVM_RUN loop, all sharing one dispatcher and one port bus. The first end
 * (an exit call, a fault, the last vCPU halting, a cancel) stops them all.
 */
#ifndef PHC_KVM_CPU_H
#define PHC_KVM_CPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <phc/accel.h>
#include "../../accel/portbus.h"
#include "../../accel/reset.h"
#include "vm.h"

typedef struct kvm_machine kvm_machine;

typedef struct kvm_cpu {
    phc_vcpu vcpu; /* first: the dispatcher's handle is the whole vCPU */
    kvm_machine *machine;
    int fd;
    struct kvm_run *run; /* registers arrive here through KVM_CAP_SYNC_REGS */
    pthread_t thread;
    bool started;        /* under machine->lock */
} kvm_cpu;

struct kvm_machine {
    kvm_vm vm;
    phc_dispatcher *dispatcher;
    const phc_run_config *cfg;
    phc_portbus *ports;
    pthread_mutex_t ports_lock; /* the devices assume one caller at a time */
    phc_reset reset;            /* 0x64 and 0xCF9 on the bus: a reset ends the run */
    kvm_cpu *cpus;
    unsigned ncpus;
    bool rip_past_out;          /* this host's KVM exits past an OUT (pio-probe.h) */
    atomic_bool stopping;
    pthread_mutex_t lock; /* everything below, and each cpu's started */
    unsigned halted;
    bool ended;
    phc_run_result result;
};

/* The vCPU view the dispatcher and handlers get (registers, memory). */
extern const phc_vcpu_ops kvm_cpu_ops;

/* Create vCPU @index with the host's CPUID, its APIC ID = @index. */
int kvm_cpu_create(kvm_machine *m, unsigned index, char *err, size_t errlen);
void kvm_cpu_destroy(kvm_cpu *cpu);

/* Run every vCPU to the machine's end; @cancel can end it from outside. */
void kvm_machine_run(kvm_machine *m, phc_cancel *cancel);

/* Record how the run ended (the first call wins) and stop every vCPU. */
void kvm_machine_end(kvm_machine *m, const phc_run_result *res);

#endif
