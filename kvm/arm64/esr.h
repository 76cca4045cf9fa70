/*
 * The exception syndrome of a trapped MSR/MRS (ESR_ELx with EC 0x18), and
 * the one syndrome that is the Penguin sentinel `msr S0_0_c5_c0_0, xzr`.
 * Stock kernels never deliver it (see docs/kvm-arm64.md); a kernel that
 * forwards system-register traps gets an exact match here.
 */
#ifndef PHC_KVM_ARM64_ESR_H
#define PHC_KVM_ARM64_ESR_H

#include <phc/dispatcher.h>

#define KVM_ARM64_EC_SYSREG 0x18u

/* The fields of an EC 0x18 syndrome, named as the MSR/MRS encoding names them. */
typedef struct kvm_arm64_sysreg_trap {
    unsigned op0, op1, crn, crm, op2;
    unsigned rt;
    bool read; /* Direction: 1 = MRS (read), 0 = MSR (write) */
} kvm_arm64_sysreg_trap;

/* Split an EC 0x18 syndrome into its fields; false for any other EC. */
bool kvm_arm64_esr_decode_sysreg(uint64_t esr, kvm_arm64_sysreg_trap *out);

/*
 * Exactly the sentinel's syndrome: EC 0x18, IL 1, the fields of the aarch64
 * sentinel word (a write from xzr to Op0=0 Op1=0 CRn=5 CRm=0 Op2=0), every
 * RES0 bit clear. Nothing else.
 */
bool kvm_arm64_esr_is_sentinel(uint64_t esr);

/*
 * A trap a kernel forwarded with syndrome @esr: the sentinel's is dispatched
 * through the vCPU's (aarch64) row, exactly as TCG does (true, *res set; the
 * caller steps the PC past it); any other is not a hypercall (false, the
 * vCPU untouched).
 */
bool kvm_arm64_trap_dispatch(phc_dispatcher *d, phc_vcpu *cpu, uint64_t esr,
                             phc_dispatch_result *res);

#endif
