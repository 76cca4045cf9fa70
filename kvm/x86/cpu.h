/*
 * The x86 machine and its vCPUs: the threads, the exit loop and the stop
 * are kvm/vcpus.h's; this side is the x86 set-up of a vCPU and its exits.
 * All vCPUs share one dispatcher and one port bus. The first end (an exit
 * call, a fault, the last vCPU halting, a cancel) stops them all.
 */
#ifndef PHC_KVM_X86_CPU_H
#define PHC_KVM_X86_CPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <phc/accel.h>
#include "../../accel/portbus.h"
#include "../../accel/reset.h"
#include "../vm.h"
#include "../vcpus.h"

typedef struct kvm_x86_machine kvm_x86_machine;

typedef struct kvm_x86_cpu {
    phc_vcpu vcpu; /* first: the dispatcher's handle is the whole vCPU */
    kvm_x86_machine *machine;
    int fd;              /* kvm/vcpus.c opens and closes it */
    struct kvm_run *run; /* registers arrive here through KVM_CAP_SYNC_REGS */
} kvm_x86_cpu;

struct kvm_x86_machine {
    kvm_vm vm;
    phc_dispatcher *dispatcher;
    const phc_run_config *cfg;
    phc_portbus *ports;
    pthread_mutex_t ports_lock; /* the devices assume one caller at a time */
    phc_reset reset;            /* 0x64 and 0xCF9 on the bus: a reset ends the run */
    kvm_x86_cpu *cpus;
    unsigned ncpus;
    bool rip_past_out;          /* this host's KVM exits past an OUT (pio-probe.h) */
    struct kvm_cpuid2 *cpuid;   /* KVM_GET_SUPPORTED_CPUID */
    kvm_vcpus vcpus;            /* threads, the stop, how the run ended */
    unsigned halted;            /* under vcpus.lock */
};

/* The vCPU view the dispatcher and handlers get (registers, memory). */
extern const phc_vcpu_ops kvm_x86_cpu_ops;

/* The x86 exit handlers, for kvm_vcpus_init. */
extern const kvm_exit_ops kvm_x86_exits;

/* Fetch the host's CPUID table into m->cpuid: 0, or -1 with a reason. */
int kvm_x86_host_cpuid(kvm_x86_machine *m, char *err, size_t errlen);

/* Create vCPU @index with the host's CPUID, its APIC ID = @index. */
int kvm_x86_cpu_create(kvm_x86_machine *m, unsigned index, char *err, size_t errlen);

/* Record how the run ended (the first call wins) and stop every vCPU. */
static inline void kvm_x86_machine_end(kvm_x86_machine *m, const phc_run_result *res)
{
    kvm_vcpus_end(&m->vcpus, res);
}

#endif
