/*
 * The ARM64 VMM on /dev/kvm (aarch64 hosts only): one VM, its RAM, the
 * in-kernel GICv3, the PL011, and a thread per vCPU. vm.c builds and tears
 * down the machine, cpu.c handles the vCPUs' exits; the threads, the exit
 * loop and the stop are kvm/vcpus.h's.
 */
#ifndef PHC_KVM_ARM64_VMM_H
#define PHC_KVM_ARM64_VMM_H

#include <pthread.h>
#include <stdatomic.h>
#include <linux/kvm.h>
#include <phc/accel.h>
#include "pl011.h"
#include "walk.h"
#include "../vcpus.h"
#include "../vm.h"

/* The SMCCC filter (Linux 6.4) is newer than Debian 12's 6.1 headers. */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL 0
#define KVM_ARM_VM_SMCCC_FILTER 0
enum kvm_smccc_filter_action {
    KVM_SMCCC_FILTER_HANDLE = 0,
    KVM_SMCCC_FILTER_DENY,
    KVM_SMCCC_FILTER_FWD_TO_USER,
};
struct kvm_smccc_filter {
    __u32 base;
    __u32 nr_functions;
    __u8 action;
    __u8 pad[15];
};
#endif

typedef struct kvm_arm64_vm kvm_arm64_vm;

typedef struct kvm_arm64_cpu {
    phc_vcpu vcpu; /* first: the dispatcher's handle is this struct */
    kvm_arm64_vm *vm;
    int fd;              /* kvm/vcpus.c opens and closes it */
    struct kvm_run *run;
    uint64_t x[31];   /* x0..x30 read during this exit */
    uint32_t x_valid; /* bit n: x[n] is current */
    kvm_arm64_mmu mmu; /* translation registers, read during this exit */
    bool mmu_valid;
    int reg_errno;    /* first failed register access of this exit, 0 if none */
} kvm_arm64_cpu;

struct kvm_arm64_vm {
    const phc_run_config *cfg;
    kvm_vm kvm;           /* the device, the VM, RAM at guest physical 0 */
    int gic_fd;
    uint64_t fdt_addr;
    unsigned ncpus;
    kvm_arm64_cpu *cpus;
    pthread_mutex_t lock; /* the UART */
    kvm_arm64_pl011 uart;
    kvm_vcpus vcpus;      /* threads, the stop, how the run ended */
};

/* Build the machine for @cfg: 0, or -1 with a one-line reason in @err. */
int kvm_arm64_vm_open(kvm_arm64_vm *vm, const phc_run_config *cfg, char *err, size_t errlen);
void kvm_arm64_vm_close(kvm_arm64_vm *vm);

/* The ARM64 exit handlers, for kvm_vcpus_init. */
extern const kvm_exit_ops kvm_arm64_exits;

/* The first end wins; every vCPU is kicked out. */
static inline void kvm_arm64_vm_end(kvm_arm64_vm *vm, const phc_run_result *res)
{
    kvm_vcpus_end(&vm->vcpus, res);
}

/* The phc_vcpu face of an kvm_arm64_cpu (registers through KVM_{GET,SET}_ONE_REG). */
extern const phc_vcpu_ops kvm_arm64_cpu_ops;

/* Core and system register ids for KVM_{GET,SET}_ONE_REG. */
uint64_t kvm_arm64_reg_x(unsigned n);
uint64_t kvm_arm64_reg_pc(void);
uint64_t kvm_arm64_reg_sp_el1(void);
int kvm_arm64_reg_get(int vcpu_fd, uint64_t id, uint64_t *value);
int kvm_arm64_reg_set(int vcpu_fd, uint64_t id, uint64_t value);

#endif
