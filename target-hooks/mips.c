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

static const phc_word_sentinel sentinel = { .word = 0x0000000A };

/* One ELF machine for all four: the class picks the width, the data
 * encoding the byte order. */
#define ROW(id, nm, bits, end, cls, data)                                  \
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
    }

static const phc_target_row rows[] = {
    ROW(PHC_ARCH_MIPS, "mips", 32, PHC_BIG_ENDIAN, ELFCLASS32, ELFDATA2MSB),
    ROW(PHC_ARCH_MIPSEL, "mipsel", 32, PHC_LITTLE_ENDIAN, ELFCLASS32, ELFDATA2LSB),
    ROW(PHC_ARCH_MIPS64, "mips64", 64, PHC_BIG_ENDIAN, ELFCLASS64, ELFDATA2MSB),
    ROW(PHC_ARCH_MIPS64EL, "mips64el", 64, PHC_LITTLE_ENDIAN, ELFCLASS64, ELFDATA2LSB),
};

const phc_target phc_target_mips = {
    .name = "MIPS", PHC_TARGET_ROWS(rows),
    .sentinel = { [PHC_ISA_DEFAULT] = &sentinel }, .insn_align = 4,
};
