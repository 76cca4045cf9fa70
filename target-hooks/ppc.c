/*
 * PowerPC 32/64 (big-endian): `xori 10, 10, 0` (0x694A0000), r10 ^= 0, a
 * no-op. Other registers, a non-zero immediate, or `xoris 10, 10, 0` are
 * ordinary code.
 *
 * PPC64 ELFv1 (ABI 0 or 1 in e_flags, not 2): a compiler's entry is a
 * function descriptor in .opd, which Linux's loader follows too; an entry
 * anywhere else is code, as hand-written guests have it.
 */
#include "target.h"

static const phc_target_sentinel sentinel = { .word = 0x694A0000 };

#define ROW(id, nm, bits, machine, unicorn)                                \
    {                                                                      \
        .abi = {                                                           \
            .arch = id, .name = nm, .reg_bits = bits, .nr_bits = bits,     \
            .endian = PHC_BIG_ENDIAN,                                      \
            .gpr = { 0, 3, 4, 5, 6, 7, 8, 3 },                             \
            .reg_name = { "r0", "r3", "r4", "r5", "r6", "r7", "r8", "r3" },\
            .sentinel_asm = "xori 10, 10, 0",                              \
            /* the callee saves LR in its caller's frame: PPC32 keeps a    \
             * 16-byte header, ELFv1 a 112-byte one (ELFv2 needs 32); r2   \
             * is ELFv1's TOC pointer */                                   \
            .entry = { .sp_gpr = 1, .frame = (bits) == 32 ? 16 : 112,      \
                       .toc_gpr = (bits) == 64 ? 2 : 0 },                  \
        },                                                                 \
        .elf_machine = machine, .elf_data = ELFDATA2MSB,                   \
        .elf_entry_desc = { .section = (bits) == 64 ? ".opd" : NULL,       \
                            .flags_mask = EF_PPC64_ABI, .flags_none = 2 }, \
        unicorn                                                            \
    }

#define UNICORN(bits, ...)                                                 \
    PHC_TARGET_UNICORN(.arch = UC_ARCH_PPC,                                \
                       .mode = UC_MODE_PPC##bits | UC_MODE_BIG_ENDIAN,     \
                       .pc_reg = UC_PPC_REG_PC, .gpr0 = UC_PPC_REG_0,      \
                       .reg_bytes = (bits) / 8, __VA_ARGS__)

/* Unicorn's default PPC64 core (e5500) raises an exception on the first
 * `li` (measured); the e6500, its successor, runs 64-bit code. */
#define E6500 .pick_cpu = true, .cpu_model = UC_CPU_PPC64_E6500

static const phc_target_row rows[] = {
    ROW(PHC_ARCH_PPC, "ppc", 32, EM_PPC, UNICORN(32)),
    ROW(PHC_ARCH_PPC64, "ppc64", 64, EM_PPC64, UNICORN(64, E6500)),
};

const phc_target phc_target_ppc = {
    .name = "PowerPC", PHC_TARGET_ROWS(rows),
    .sentinel = { [PHC_ISA_DEFAULT] = &sentinel }, .insn_align = 4,
};
