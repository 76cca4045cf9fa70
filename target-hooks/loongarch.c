/*
 * LoongArch64: `cpucfg $r0, $r0` (0x00006C00). The old QEMU hook accepted
 * any cpucfg into $r0; only rd = rj = 0 is a hypercall. No TCG engine here
 * runs LoongArch, so this file is the ABI and the matcher only.
 */
#include "target.h"

const phc_word_sentinel phc_sentinel_loongarch = { .word = 0x00006C00 };

const phc_abi phc_abi_loongarch64 = {
    .arch = PHC_ARCH_LOONGARCH64, .name = "loongarch64", .reg_bits = 64, .nr_bits = 64,
    .endian = PHC_LITTLE_ENDIAN,
    .gpr = { 11, 4, 5, 6, 7, 8, 9, 4 },
    .reg_name = { "a7", "a0", "a1", "a2", "a3", "a4", "a5", "a0" },
    .sentinel_asm = "cpucfg $r0, $r0",
};
