/* The ABI rows of every target, by arch and by name. */
#include <string.h>
#include "../target-hooks/target.h"

static const phc_abi *const rows[PHC_ARCH_COUNT] = {
    [PHC_ARCH_X86_64] = &phc_abi_x86_64,
    [PHC_ARCH_I386] = &phc_abi_i386,
    [PHC_ARCH_ARM] = &phc_abi_arm,
    [PHC_ARCH_AARCH64] = &phc_abi_aarch64,
    [PHC_ARCH_MIPS] = &phc_abi_mips,
    [PHC_ARCH_MIPSEL] = &phc_abi_mipsel,
    [PHC_ARCH_MIPS64] = &phc_abi_mips64,
    [PHC_ARCH_MIPS64EL] = &phc_abi_mips64el,
    [PHC_ARCH_PPC] = &phc_abi_ppc,
    [PHC_ARCH_PPC64] = &phc_abi_ppc64,
    [PHC_ARCH_RISCV32] = &phc_abi_riscv32,
    [PHC_ARCH_RISCV64] = &phc_abi_riscv64,
    [PHC_ARCH_LOONGARCH64] = &phc_abi_loongarch64,
};

const phc_abi *phc_abi_get(phc_arch arch)
{
    return (unsigned)arch < PHC_ARCH_COUNT ? rows[arch] : NULL;
}

const phc_abi *phc_abi_by_name(const char *name)
{
    for (unsigned i = 0; i < PHC_ARCH_COUNT; i++)
        if (strcmp(rows[i]->name, name) == 0)
            return rows[i];
    return NULL;
}

const char *phc_abi_names(void)
{
    return "x86_64 i386 arm aarch64 mips mipsel mips64 mips64el ppc ppc64 "
           "riscv32 riscv64 loongarch64";
}
