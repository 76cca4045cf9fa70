/* The EC 0x18 syndrome (field layout: Arm ARM, ESR_ELx, ISS for EC 0x18) and its dispatch. */
#include <phc/sentinel.h>
#include "esr.h"

#define EC_SHIFT 26
#define IL_BIT (UINT64_C(1) << 25)
#define FIELD(esr, shift, bits) ((unsigned)((esr) >> (shift)) & ((1u << (bits)) - 1))

static unsigned esr_ec(uint64_t esr)
{
    return FIELD(esr, EC_SHIFT, 6);
}

bool phc_arm64_esr_decode_sysreg(uint64_t esr, phc_arm64_sysreg_trap *out)
{
    if (esr_ec(esr) != PHC_ARM64_EC_SYSREG)
        return false;
    *out = (phc_arm64_sysreg_trap){
        .op0 = FIELD(esr, 20, 2),
        .op2 = FIELD(esr, 17, 3),
        .op1 = FIELD(esr, 14, 3),
        .crn = FIELD(esr, 10, 4),
        .rt = FIELD(esr, 5, 5),
        .crm = FIELD(esr, 1, 4),
        .read = esr & 1,
    };
    return true;
}

/* The fields of an MSR/MRS instruction word (Arm ARM, "System register
 * move"), the same fields the syndrome reports. */
static phc_arm64_sysreg_trap decode_insn(uint32_t insn)
{
    return (phc_arm64_sysreg_trap){
        .op0 = FIELD(insn, 19, 2),
        .op1 = FIELD(insn, 16, 3),
        .crn = FIELD(insn, 12, 4),
        .crm = FIELD(insn, 8, 4),
        .op2 = FIELD(insn, 5, 3),
        .rt = FIELD(insn, 0, 5),
        .read = FIELD(insn, 21, 1),
    };
}

bool phc_arm64_esr_is_sentinel(uint64_t esr)
{
    /* Bits 63:32 (ISS2) and 24:22 are RES0 for this EC: a set one is not
     * the sentinel's syndrome, whatever the fields say. */
    const uint64_t res0 = ~UINT64_C(0xffffffff) | (UINT64_C(7) << 22);
    phc_arm64_sysreg_trap t;
    if ((esr & res0) || !(esr & IL_BIT) || !phc_arm64_esr_decode_sysreg(esr, &t))
        return false;
    /* the syndrome the sentinel word itself raises (target-hooks/aarch64.c) */
    phc_arm64_sysreg_trap s = decode_insn(phc_sentinel_word(PHC_ARCH_AARCH64, PHC_ISA_DEFAULT));
    return t.op0 == s.op0 && t.op1 == s.op1 && t.crn == s.crn && t.crm == s.crm && t.op2 == s.op2 &&
           t.rt == s.rt && t.read == s.read;
}

bool phc_arm64_trap_dispatch(phc_dispatcher *d, phc_vcpu *cpu, uint64_t esr,
                             phc_dispatch_result *res)
{
    if (!phc_arm64_esr_is_sentinel(esr))
        return false;
    *res = phc_dispatch(d, cpu);
    return true;
}
