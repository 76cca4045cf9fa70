/*
 * phc_accel_kvm on aarch64 hosts (the x86 VMM defines it on x86_64): build
 * the board (vm.c), run its vCPUs (cpu.c), report how the guest ended.
 */
#include "../device.h"
#include "vmm.h"

static const char *kvm_unsupported(phc_arch arch)
{
    if (arch == PHC_ARCH_AARCH64)
        return NULL;
    return "KVM on an ARM64 host runs aarch64 guests only; use -accel tcg";
}

static void kvm_run(const phc_run_config *cfg, phc_run_result *res)
{
    *res = (phc_run_result){ .end = PHC_END_ERROR };
    const char *why = kvm_unsupported(cfg->abi->arch);
    if (why) {
        phc_run_result_set(res, PHC_END_ERROR, "%s", why);
        return;
    }
    if (cfg->insn_limit > 0) {
        phc_run_result_set(res, PHC_END_ERROR, "instruction limits need -accel tcg");
        return;
    }
    arm64_vm vm;
    char err[sizeof(res->reason)];
    if (arm64_vm_open(&vm, cfg, err, sizeof(err)) != 0) {
        phc_run_result_set(res, PHC_END_ERROR, "%s", err);
        arm64_vm_close(&vm);
        return;
    }
    arm64_vm_run(&vm, cfg->cancel);
    phc_run_result_settle(res, vm.ended ? &vm.result : NULL, cfg->cancel);
    arm64_vm_close(&vm);
}

const phc_accel phc_accel_kvm = {
    .name = "kvm",
    .prop_keys = PHC_KVM_PROP_KEYS,
    .unsupported = kvm_unsupported,
    .run = kvm_run,
};
