/*
 * LoongArch64: `cpucfg $r0, $r0` (0x00006C00). The old QEMU hook accepted
 * any cpucfg into $r0; only rd = rj = 0 is a hypercall. No TCG engine here
 * runs LoongArch, so this file is the ABI and the matcher only.
 */
#include "target.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

static const phc_target_sentinel sentinel = { .word = 0x00006C00 };

static const phc_target_row rows[] = { {
    .abi = {
        .arch = PHC_ARCH_LOONGARCH64, .name = "loongarch64", .reg_bits = 64, .nr_bits = 64,
        .endian = PHC_LITTLE_ENDIAN,
        .gpr = { 11, 4, 5, 6, 7, 8, 9, 4 },
        .reg_name = { "a7", "a0", "a1", "a2", "a3", "a4", "a5", "a0" },
        .sentinel_asm = "cpucfg $r0, $r0",
        .entry = { .sp_gpr = 3 },
    },
    .elf_machine = EM_LOONGARCH, .elf_class = ELFCLASS64,
} };

const phc_target phc_target_loongarch = {
    .name = "LoongArch", PHC_TARGET_ROWS(rows),
    .sentinel = { [PHC_ISA_DEFAULT] = &sentinel }, .insn_align = 4,
};
