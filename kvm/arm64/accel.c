/*
 * The ARM64 machine for phc_accel_kvm on aarch64 hosts (kvm/run.c; the x86
 * VMM provides it on x86_64): the board (vm.c), whose vCPUs take cpu.c's
 * exits.
 */
#include "vmm.h"
#include "../run.h"

const char *kvm_arch_unsupported(phc_arch arch)
{
    if (arch == PHC_ARCH_AARCH64)
        return NULL;
    return "KVM on an ARM64 host runs aarch64 guests only; use -accel tcg";
}

const size_t kvm_arch_machine_size = sizeof(kvm_arm64_vm);

int kvm_arch_open(void *machine, const phc_run_config *cfg, char *err, size_t errlen)
{
    return kvm_arm64_vm_open(machine, cfg, err, errlen);
}

kvm_vcpus *kvm_arch_vcpus(void *machine)
{
    return &((kvm_arm64_vm *)machine)->vcpus;
}

void kvm_arch_close(void *machine)
{
    kvm_arm64_vm_close(machine);
}
