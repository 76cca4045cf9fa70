/*
 * RISC-V 32/64: `xori x0, x0, 0` (0x00004013). Writes to x0 are discarded,
 * so this is a HINT-space no-op; `xori` with any other register or a
 * non-zero immediate is ordinary code.
 */
#include "target.h"

const phc_word_sentinel phc_sentinel_riscv = { .word = 0x00004013 };

#define RISCV_ROW(id, nm, bits)                                            \
    {                                                                      \
        .arch = id, .name = nm, .reg_bits = bits, .nr_bits = bits,         \
        .endian = PHC_LITTLE_ENDIAN,                                       \
        .gpr = { 17, 10, 11, 12, 13, 14, 15, 10 },                         \
        .reg_name = { "a7", "a0", "a1", "a2", "a3", "a4", "a5", "a0" },    \
        .sentinel_asm = "xori x0, x0, 0",                                  \
    }

const phc_abi phc_abi_riscv32 = RISCV_ROW(PHC_ARCH_RISCV32, "riscv32", 32);
const phc_abi phc_abi_riscv64 = RISCV_ROW(PHC_ARCH_RISCV64, "riscv64", 64);
