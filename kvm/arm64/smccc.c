/* The Penguin HVC convention: function IDs and the way back to the sentinel's registers. */
#include "smccc.h"

bool phc_arm64_fid_is_penguin(uint32_t fid)
{
    return fid - PHC_ARM64_FID_BASE < PHC_ARM64_FID_COUNT;
}

phc_hvc_outcome phc_arm64_hvc_dispatch(phc_dispatcher *d, phc_vcpu *cpu, uint32_t fid,
                                       phc_dispatch_result *res)
{
    if (!phc_arm64_fid_is_penguin(fid)) {
        cpu->ops->set_gpr(cpu, cpu->abi->gpr[PHC_SLOT_RET], PHC_SMCCC_RET_NOT_SUPPORTED);
        return PHC_HVC_NOT_PENGUIN;
    }
    cpu->ops->set_gpr(cpu, cpu->abi->gpr[PHC_SLOT_ARG0], cpu->ops->get_gpr(cpu, PHC_ARM64_HVC_ARG0_GPR));
    *res = phc_dispatch(d, cpu);
    return PHC_HVC_DISPATCHED;
}
