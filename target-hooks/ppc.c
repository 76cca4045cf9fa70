/*
 * PowerPC 32/64 (big-endian): `xori 10, 10, 0` (0x694A0000), r10 ^= 0, a
 * no-op. Other registers, a non-zero immediate, or `xoris 10, 10, 0` are
 * ordinary code.
 */
#include "target.h"

const phc_word_sentinel phc_sentinel_ppc = { .word = 0x694A0000 };

#define PPC_ROW(id, nm, bits)                                              \
    {                                                                      \
        .arch = id, .name = nm, .reg_bits = bits, .nr_bits = bits,         \
        .endian = PHC_BIG_ENDIAN,                                          \
        .gpr = { 0, 3, 4, 5, 6, 7, 8, 3 },                                 \
        .reg_name = { "r0", "r3", "r4", "r5", "r6", "r7", "r8", "r3" },    \
        .sentinel_asm = "xori 10, 10, 0",                                  \
    }

const phc_abi phc_abi_ppc = PPC_ROW(PHC_ARCH_PPC, "ppc", 32);
const phc_abi phc_abi_ppc64 = PPC_ROW(PHC_ARCH_PPC64, "ppc64", 64);
