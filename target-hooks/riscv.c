/*
 * RISC-V 32/64: `xori x0, x0, 0` (0x00004013). Writes to x0 are discarded,
 * so this is a HINT-space no-op; `xori` with any other register or a
 * non-zero immediate is ordinary code. Compressed (2-byte) instructions
 * put instruction starts on any even address.
 */
#include "target.h"

static const phc_target_sentinel sentinel = { .word = 0x00004013 };

#define ROW(id, nm, bits, cls, uc_mode)                                    \
    {                                                                      \
        .abi = {                                                           \
            .arch = id, .name = nm, .reg_bits = bits, .nr_bits = bits,     \
            .endian = PHC_LITTLE_ENDIAN,                                   \
            .gpr = { 17, 10, 11, 12, 13, 14, 15, 10 },                     \
            .reg_name = { "a7", "a0", "a1", "a2", "a3", "a4", "a5", "a0" },\
            .sentinel_asm = "xori x0, x0, 0",                              \
            .entry = { .sp_gpr = 2 },                                      \
        },                                                                 \
        .elf_machine = EM_RISCV, .elf_class = cls,                         \
        PHC_TARGET_UNICORN(.arch = UC_ARCH_RISCV, .mode = uc_mode,         \
                           .pc_reg = UC_RISCV_REG_PC,                      \
                           .gpr0 = UC_RISCV_REG_X0,                        \
                           .reg_bytes = (bits) / 8)                        \
    }

static const phc_target_row rows[] = {
    ROW(PHC_ARCH_RISCV32, "riscv32", 32, ELFCLASS32, UC_MODE_RISCV32),
    ROW(PHC_ARCH_RISCV64, "riscv64", 64, ELFCLASS64, UC_MODE_RISCV64),
};

const phc_target phc_target_riscv = {
    .name = "RISC-V", PHC_TARGET_ROWS(rows),
    .sentinel = { [PHC_ISA_DEFAULT] = &sentinel }, .insn_align = 2,
};
