/*
 * AArch64: `msr S0_0_c5_c0_0, xzr` (0xD500501F). Op0 = 0 makes it UNDEFINED
 * at the guest's own EL1, so under KVM it never leaves the guest: see
 * kvm/arm64 for the HVC path and the trap-syndrome decoder. Other op1, CRm,
 * op2 or Rt in the same space, and any mrs, are not hypercalls.
 */
#include "target.h"

static const phc_target_sentinel sentinel = { .word = 0xD500501F };

static const phc_target_row rows[] = { {
    .abi = {
        .arch = PHC_ARCH_AARCH64, .name = "aarch64", .reg_bits = 64, .nr_bits = 64,
        .endian = PHC_LITTLE_ENDIAN,
        .gpr = { 8, 0, 1, 2, 3, 4, 5, 0 },
        .reg_name = { "x8", "x0", "x1", "x2", "x3", "x4", "x5", "x0" },
        .sentinel_asm = "msr S0_0_c5_c0_0, xzr",
        .entry = { .sp_gpr = 31 },
    },
    .elf_machine = EM_AARCH64, .elf_data = ELFDATA2LSB,
} };

/*
 * The same call under stock ARM64 KVM is an HVC (kvm/arm64/smccc.h): w0
 * carries the SMCCC function ID, so the guest passes a0 in x6 instead, and
 * the host puts it back into the row's arg0 register before dispatching.
 */
const unsigned phc_target_aarch64_hvc_arg0_gpr = 6;

const phc_target phc_target_aarch64 = {
    .name = "AArch64", PHC_TARGET_ROWS(rows),
    .sentinel = { [PHC_ISA_DEFAULT] = &sentinel }, .insn_align = 4,
};
