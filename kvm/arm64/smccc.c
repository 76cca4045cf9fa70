/* The Penguin HVC convention: function IDs and the way back to the sentinel's registers. */
#include "smccc.h"

bool kvm_arm64_fid_is_penguin(uint32_t fid)
{
    return fid - KVM_ARM64_FID_BASE < KVM_ARM64_FID_COUNT;
}

kvm_arm64_hvc_outcome kvm_arm64_hvc_dispatch(phc_dispatcher *d, phc_vcpu *cpu, uint32_t fid,
                                             phc_dispatch_result *res)
{
    if (!kvm_arm64_fid_is_penguin(fid)) {
        cpu->ops->set_gpr(cpu, cpu->abi->gpr[PHC_SLOT_RET], KVM_ARM64_SMCCC_RET_NOT_SUPPORTED);
        return KVM_ARM64_HVC_NOT_PENGUIN;
    }
    cpu->ops->set_gpr(cpu, cpu->abi->gpr[PHC_SLOT_ARG0], cpu->ops->get_gpr(cpu, KVM_ARM64_HVC_ARG0_GPR));
    *res = phc_dispatch(d, cpu);
    return KVM_ARM64_HVC_DISPATCHED;
}
