/*
 * ARM32: `mcr p7, 0, r0, c0, c0, 0`. Coprocessor 7 is unallocated, so the
 * instruction is UNDEFINED on real cores and never ordinary code. The same
 * call exists in A32 (one word) and T32 (two halfwords, first EE00); the
 * encodings coincide as numbers but lie differently in memory. Every other
 * cp7 mcr/mrc (other opc1, CRn, CRm, opc2 or Rt) is not a hypercall.
 * An ARM32 program under an AArch64 kernel uses this row too.
 */
#include "target.h"

static const phc_target_sentinel a32 = { .word = 0xEE000710 };
static const phc_target_sentinel t32 = { .word = 0xEE000710, .halfwords = true };

static const phc_target_row rows[] = { {
    .abi = {
        .arch = PHC_ARCH_ARM, .name = "arm", .reg_bits = 32, .nr_bits = 32,
        .endian = PHC_LITTLE_ENDIAN,
        .gpr = { 7, 0, 1, 2, 3, 4, 5, 0 },
        .reg_name = { "r7", "r0", "r1", "r2", "r3", "r4", "r5", "r0" },
        .sentinel_asm = "mcr p7, 0, r0, c0, c0, 0",
        .entry = { .sp_gpr = 13 },
    },
    .elf_machine = EM_ARM, .elf_data = ELFDATA2LSB,
} };

const phc_target phc_target_arm = {
    .name = "ARM", PHC_TARGET_ROWS(rows),
    .sentinel = { [PHC_ISA_A32] = &a32, [PHC_ISA_T32] = &t32 }, .insn_align = 2,
};
