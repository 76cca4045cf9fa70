/* Exact matching of the word sentinels, with each row's byte order. */
#include "../target-hooks/target.h"

static const phc_word_sentinel *word_sentinel(phc_arch arch, phc_isa isa)
{
    switch (arch) {
    case PHC_ARCH_ARM:
        return isa == PHC_ISA_T32 ? &phc_sentinel_arm_t32 : &phc_sentinel_arm_a32;
    case PHC_ARCH_AARCH64:
        return &phc_sentinel_aarch64;
    case PHC_ARCH_MIPS:
    case PHC_ARCH_MIPSEL:
    case PHC_ARCH_MIPS64:
    case PHC_ARCH_MIPS64EL:
        return &phc_sentinel_mips;
    case PHC_ARCH_PPC:
    case PHC_ARCH_PPC64:
        return &phc_sentinel_ppc;
    case PHC_ARCH_RISCV32:
    case PHC_ARCH_RISCV64:
        return &phc_sentinel_riscv;
    case PHC_ARCH_LOONGARCH64:
        return &phc_sentinel_loongarch;
    default:
        return NULL; /* x86: port semantics, see phc_x86_io_is_hypercall */
    }
}

uint32_t phc_sentinel_word(phc_arch arch, phc_isa isa)
{
    const phc_word_sentinel *s = word_sentinel(arch, isa);
    return s ? s->word : 0;
}

bool phc_sentinel_match_word(phc_arch arch, phc_isa isa, uint32_t word)
{
    const phc_word_sentinel *s = word_sentinel(arch, isa);
    return s && word == s->word;
}

static uint32_t load16(const uint8_t *p, phc_endian e)
{
    return e == PHC_BIG_ENDIAN ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[1] << 8 | p[0];
}

size_t phc_sentinel_match(phc_arch arch, phc_isa isa, const uint8_t *bytes, size_t len)
{
    const phc_word_sentinel *s = word_sentinel(arch, isa);
    if (!s || len < 4)
        return 0;
    phc_endian e = phc_abi_get(arch)->endian;
    uint32_t hi = load16(bytes, e), lo = load16(bytes + 2, e);
    uint32_t word = s->halfwords || e == PHC_BIG_ENDIAN ? hi << 16 | lo : lo << 16 | hi;
    return word == s->word ? 4 : 0;
}
