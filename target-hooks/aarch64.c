/*
 * AArch64: `msr S0_0_c5_c0_0, xzr` (0xD500501F). Op0 = 0 makes it UNDEFINED
 * at the guest's own EL1, so under KVM it never leaves the guest: see
 * kvm/arm64 for the HVC path and the trap-syndrome decoder. Other op1, CRm,
 * op2 or Rt in the same space, and any mrs, are not hypercalls.
 */
#include "target.h"

const phc_word_sentinel phc_sentinel_aarch64 = { .word = 0xD500501F };

const phc_abi phc_abi_aarch64 = {
    .arch = PHC_ARCH_AARCH64, .name = "aarch64", .reg_bits = 64, .nr_bits = 64,
    .endian = PHC_LITTLE_ENDIAN,
    .gpr = { 8, 0, 1, 2, 3, 4, 5, 0 },
    .reg_name = { "x8", "x0", "x1", "x2", "x3", "x4", "x5", "x0" },
    .sentinel_asm = "msr S0_0_c5_c0_0, xzr",
};
