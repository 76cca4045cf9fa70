/*
 * Penguin hypercalls over SMCCC (HVC), the one way a guest reaches the VMM
 * under stock ARM64 KVM (Linux 6.4+, the SMCCC filter).
 *
 * The function ID range: fast call, SMC64, owner 6 (vendor-specific
 * hypervisor service), function numbers [KVM_ARM64_FID_FUNC, +COUNT).
 * KVM keeps its own vendor-hypervisor calls at function numbers 0x0-0x3f
 * and 0xff01 (SMC32); 0x5048 ("PH") is clear of both.
 *
 * The guest convention, chosen so the call record is the one TCG makes from
 * `msr S0_0_c5_c0_0, xzr` (phc_abi_aarch64: nr x8, args x0..x5, ret x0):
 *   x8 = nr, x1..x5 = a1..a5 as for the sentinel; a0 goes in x6 because
 *   w0 must carry the function ID; then `hvc #0`.
 * The host moves x6 back into the row's arg0 register (x0) before
 * dispatching, so the dispatcher reads the call through the unchanged
 * aarch64 row, and an unhandled call leaves x0 = a0, exactly as the
 * sentinel does. Only x0 changes.
 */
#ifndef PHC_KVM_ARM64_SMCCC_H
#define PHC_KVM_ARM64_SMCCC_H

#include <phc/dispatcher.h>

#define KVM_ARM64_SMCCC_FAST_CALL (1u << 31)
#define KVM_ARM64_SMCCC_64 (1u << 30)
#define KVM_ARM64_SMCCC_OWNER_SHIFT 24
#define KVM_ARM64_SMCCC_OWNER_VENDOR_HYP 6u
#define KVM_ARM64_SMCCC_RET_NOT_SUPPORTED UINT64_MAX /* -1 */

#define KVM_ARM64_FID_FUNC 0x5048u
#define KVM_ARM64_FID_COUNT 1u
#define KVM_ARM64_FID_BASE                                                                       \
    (KVM_ARM64_SMCCC_FAST_CALL | KVM_ARM64_SMCCC_64 |                                            \
     KVM_ARM64_SMCCC_OWNER_VENDOR_HYP << KVM_ARM64_SMCCC_OWNER_SHIFT | KVM_ARM64_FID_FUNC)

/* The register the guest moves a0 into, since w0 carries the function ID
 * (a fact of the aarch64 row: target-hooks/aarch64.c). */
extern const unsigned phc_target_aarch64_hvc_arg0_gpr;
#define KVM_ARM64_HVC_ARG0_GPR phc_target_aarch64_hvc_arg0_gpr

/* Is @fid (w0 at the HVC) a Penguin hypercall? */
bool kvm_arm64_fid_is_penguin(uint32_t fid);

typedef enum kvm_arm64_hvc_outcome {
    KVM_ARM64_HVC_DISPATCHED,  /* a Penguin call: *res says what the dispatcher did */
    KVM_ARM64_HVC_NOT_PENGUIN, /* another function ID: x0 = SMCCC NOT_SUPPORTED */
} kvm_arm64_hvc_outcome;

/*
 * Handle an HVC the VMM was handed with function ID @fid: restore a0 into x0
 * and dispatch through the vCPU's (aarch64) row, or answer NOT_SUPPORTED.
 */
kvm_arm64_hvc_outcome kvm_arm64_hvc_dispatch(phc_dispatcher *d, phc_vcpu *cpu, uint32_t fid,
                                             phc_dispatch_result *res);

#endif
