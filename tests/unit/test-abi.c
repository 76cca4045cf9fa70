/*
 * The ABI table's own consistency: every arch has one row, found the same by
 * enum and by name, with sane widths and register numbers. Which register
 * each slot is, by name, is checked against DESIGN.md by abi_oracle.py.
 */
#include <string.h>
#include <phc/abi.h>
#include "check.h"

static unsigned isa_gprs(phc_arch arch)
{
    /* x86 numbers rax..r15 as 0..15; every other ISA here has 32 */
    return arch == PHC_ARCH_X86_64 ? 16 : arch == PHC_ARCH_I386 ? 8 : 32;
}

int main(void)
{
    char names[256] = "";
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const phc_abi *abi = phc_abi_get((phc_arch)a);
        CHECK(abi != NULL, "arch %u has no row", a);
        if (!abi)
            continue;
        CHECK(abi->arch == (phc_arch)a, "row %u says arch %d", a, abi->arch);
        CHECK(abi->name && abi->name[0], "arch %u has no name", a);
        CHECK(phc_abi_by_name(abi->name) == abi, "by_name(%s) is another row", abi->name);
        CHECK(abi->reg_bits == 32 || abi->reg_bits == 64, "%s: reg_bits %u", abi->name, abi->reg_bits);
        CHECK(abi->nr_bits == 32 || abi->nr_bits == abi->reg_bits, "%s: nr_bits %u", abi->name,
              abi->nr_bits);
        CHECK(abi->endian == PHC_LITTLE_ENDIAN || abi->endian == PHC_BIG_ENDIAN, "%s: endian", abi->name);
        CHECK(abi->sentinel_asm && abi->sentinel_asm[0], "%s: no sentinel_asm", abi->name);
        for (unsigned s = 0; s < PHC_SLOT_COUNT; s++) {
            CHECK(abi->gpr[s] == PHC_GPR_NONE || abi->gpr[s] < isa_gprs((phc_arch)a),
                  "%s slot %u: register %u", abi->name, s, abi->gpr[s]);
            CHECK(abi->reg_name[s] != NULL, "%s slot %u: no name", abi->name, s);
        }
        /* nr, ret and the four arguments every guest uses are real registers,
         * and no two arguments share one */
        CHECK(abi->gpr[PHC_SLOT_NR] != PHC_GPR_NONE && abi->gpr[PHC_SLOT_RET] != PHC_GPR_NONE,
              "%s: nr/ret unmapped", abi->name);
        for (unsigned i = 0; i < PHC_NARGS; i++) {
            uint8_t gi = abi->gpr[PHC_ARG_SLOT(i)];
            CHECK(i >= 4 || gi != PHC_GPR_NONE, "%s: arg%u unmapped", abi->name, i);
            for (unsigned j = i + 1; j < PHC_NARGS; j++)
                CHECK(gi == PHC_GPR_NONE || gi != abi->gpr[PHC_ARG_SLOT(j)], "%s: arg%u and arg%u share",
                      abi->name, i, j);
        }
        if (a)
            strcat(names, " ");
        strcat(names, abi->name);
    }
    CHECK(strcmp(phc_abi_names(), names) == 0, "phc_abi_names() = '%s', rows say '%s'", phc_abi_names(),
          names);

    CHECK(phc_abi_get(PHC_ARCH_COUNT) == NULL, "arch COUNT has a row");
    CHECK(phc_abi_get((phc_arch)-1) == NULL, "arch -1 has a row");
    CHECK(phc_abi_by_name("") == NULL, "empty name found");
    CHECK(phc_abi_by_name("mips6") == NULL, "prefix of a name found");
    CHECK(phc_abi_by_name("MIPS") == NULL, "names are case-sensitive");
    CHECK(phc_abi_by_name("x86_64 ") == NULL, "trailing space ignored");

    CHECK_EQ(phc_abi_mask(32, UINT64_C(0x123456789abcdef0)), 0x9abcdef0, "mask 32");
    CHECK_EQ(phc_abi_mask(64, UINT64_C(0x123456789abcdef0)), UINT64_C(0x123456789abcdef0), "mask 64");
    CHECK_EQ(phc_abi_mask(8, 0x1ff), 0xff, "mask 8");
    return check_report("test-abi");
}
