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

/* Where each field starts: the syndrome (ISS for EC 0x18) and the MSR/MRS
 * instruction word (Arm ARM, "System register move") carry the same fields,
 * in other places. Widths: Op0 2, Op1 3, CRn 4, CRm 4, Op2 3, Rt 5, dir 1. */
typedef struct field_shifts {
    unsigned op0, op1, crn, crm, op2, rt, dir;
} field_shifts;

static const field_shifts in_iss = { .op0 = 20, .op2 = 17, .op1 = 14, .crn = 10, .rt = 5, .crm = 1, .dir = 0 };
static const field_shifts in_insn = { .op0 = 19, .op1 = 16, .crn = 12, .crm = 8, .op2 = 5, .rt = 0, .dir = 21 };

static kvm_arm64_sysreg_trap fields(uint64_t v, const field_shifts *at)
{
    return (kvm_arm64_sysreg_trap){
        .op0 = FIELD(v, at->op0, 2), .op1 = FIELD(v, at->op1, 3), .crn = FIELD(v, at->crn, 4),
        .crm = FIELD(v, at->crm, 4), .op2 = FIELD(v, at->op2, 3), .rt = FIELD(v, at->rt, 5),
        .read = FIELD(v, at->dir, 1), /* Direction: 1 = MRS; the instruction's L bit */
    };
}

bool kvm_arm64_esr_decode_sysreg(uint64_t esr, kvm_arm64_sysreg_trap *out)
{
    if (esr_ec(esr) != KVM_ARM64_EC_SYSREG)
        return false;
    *out = fields(esr, &in_iss);
    return true;
}

bool kvm_arm64_esr_is_sentinel(uint64_t esr)
{
    /* Bits 63:32 (ISS2) and 24:22 are RES0 for this EC: a set one is not
     * the sentinel's syndrome, whatever the fields say. */
    const uint64_t res0 = ~UINT64_C(0xffffffff) | (UINT64_C(7) << 22);
    kvm_arm64_sysreg_trap t;
    if ((esr & res0) || !(esr & IL_BIT) || !kvm_arm64_esr_decode_sysreg(esr, &t))
        return false;
    /* the syndrome the sentinel word itself raises (target-hooks/aarch64.c) */
    kvm_arm64_sysreg_trap s = fields(phc_sentinel_word(PHC_ARCH_AARCH64, PHC_ISA_DEFAULT), &in_insn);
    return t.op0 == s.op0 && t.op1 == s.op1 && t.crn == s.crn && t.crm == s.crm && t.op2 == s.op2 &&
           t.rt == s.rt && t.read == s.read;
}

bool kvm_arm64_trap_dispatch(phc_dispatcher *d, phc_vcpu *cpu, uint64_t esr,
                             phc_dispatch_result *res)
{
    if (!kvm_arm64_esr_is_sentinel(esr))
        return false;
    *res = phc_dispatch(d, cpu);
    return true;
}
