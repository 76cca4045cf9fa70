/*
 * MIPS32/64, both byte orders: `movz $0, $0, $0` (0x0000000A), a no-op that
 * compilers never emit. The old QEMU hook took any conditional move into
 * $zero and any `mfc0 $zero`, and dispatched ordinary code: only this one
 * word is a hypercall (not movn, not movz with other rs/rt, not
 * seleqz/selnez, not mfc0).
 *
 * The number and the return value share v0; the guest passes four
 * arguments in a0-a3 and the last two slots read as zero.
 */
#include "target.h"

const phc_word_sentinel phc_sentinel_mips = { .word = 0x0000000A };

#define MIPS_ROW(id, nm, bits, end)                                        \
    {                                                                      \
        .arch = id, .name = nm, .reg_bits = bits, .nr_bits = bits,         \
        .endian = end,                                                     \
        .gpr = { 2, 4, 5, 6, 7, PHC_GPR_NONE, PHC_GPR_NONE, 2 },           \
        .reg_name = { "v0", "a0", "a1", "a2", "a3", "-", "-", "v0" },      \
        .sentinel_asm = "movz $0, $0, $0",                                 \
    }

const phc_abi phc_abi_mips = MIPS_ROW(PHC_ARCH_MIPS, "mips", 32, PHC_BIG_ENDIAN);
const phc_abi phc_abi_mipsel = MIPS_ROW(PHC_ARCH_MIPSEL, "mipsel", 32, PHC_LITTLE_ENDIAN);
const phc_abi phc_abi_mips64 = MIPS_ROW(PHC_ARCH_MIPS64, "mips64", 64, PHC_BIG_ENDIAN);
const phc_abi phc_abi_mips64el = MIPS_ROW(PHC_ARCH_MIPS64EL, "mips64el", 64, PHC_LITTLE_ENDIAN);
