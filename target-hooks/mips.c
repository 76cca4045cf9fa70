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

static const phc_target_sentinel sentinel = { .word = 0x0000000A };

/* Unicorn 2.0.1 runs MIPS32 only. */
#define MIPS64_REFUSAL                                                                                    \
    "Unicorn 2.0.1 cannot run MIPS64 code: uc_emu_start sets a 32-bit start PC (upstream issue #2109) and " \
    "64-bit instructions raise Reserved Instruction"

/* One ELF machine for all four: the class picks the width, the data
 * encoding the byte order. */
#define ROW(id, nm, bits, end, cls, data, unicorn)                         \
    {                                                                      \
        .abi = {                                                           \
            .arch = id, .name = nm, .reg_bits = bits, .nr_bits = bits,     \
            .endian = end,                                                 \
            .gpr = { 2, 4, 5, 6, 7, PHC_GPR_NONE, PHC_GPR_NONE, 2 },       \
            .reg_name = { "v0", "a0", "a1", "a2", "a3", "-", "-", "v0" },  \
            .sentinel_asm = "movz $0, $0, $0",                             \
            /* o32 callers keep 16 bytes for the callee's a0-a3; t9        \
             * holds the entry address, from which PIC code finds $gp */   \
            .entry = { .sp_gpr = 29, .frame = (bits) == 32 ? 16 : 0,       \
                       .addr_gpr = 25 },                                   \
        },                                                                 \
        .elf_machine = EM_MIPS, .elf_class = cls, .elf_data = data,        \
        unicorn                                                            \
    }

#define UNICORN32(uc_endian)                                               \
    PHC_TARGET_UNICORN(.arch = UC_ARCH_MIPS,                               \
                       .mode = UC_MODE_MIPS32 | (uc_endian),               \
                       .pc_reg = UC_MIPS_REG_PC, .gpr0 = UC_MIPS_REG_0,    \
                       .reg_bytes = 4)
#define UNICORN64 PHC_TARGET_UNICORN(.refusal = MIPS64_REFUSAL)

static const phc_target_row rows[] = {
    ROW(PHC_ARCH_MIPS, "mips", 32, PHC_BIG_ENDIAN, ELFCLASS32, ELFDATA2MSB, UNICORN32(UC_MODE_BIG_ENDIAN)),
    ROW(PHC_ARCH_MIPSEL, "mipsel", 32, PHC_LITTLE_ENDIAN, ELFCLASS32, ELFDATA2LSB,
        UNICORN32(UC_MODE_LITTLE_ENDIAN)),
    ROW(PHC_ARCH_MIPS64, "mips64", 64, PHC_BIG_ENDIAN, ELFCLASS64, ELFDATA2MSB, UNICORN64),
    ROW(PHC_ARCH_MIPS64EL, "mips64el", 64, PHC_LITTLE_ENDIAN, ELFCLASS64, ELFDATA2LSB, UNICORN64),
};

const phc_target phc_target_mips = {
    .name = "MIPS", PHC_TARGET_ROWS(rows),
    .sentinel = { [PHC_ISA_DEFAULT] = &sentinel }, .insn_align = 4,
};
