/*
 * Every word-sentinel matcher against random bytes: phc_sentinel_match must
 * agree with phc_sentinel_bytes, with phc_sentinel_match_word on the word
 * decoded here independently (byte order and T32 halfword order), and with
 * the sentinel table of DESIGN.md section 2. It must never read past @len:
 * the bytes are handed over in a heap block of exactly that size.
 */
#include <stdlib.h>
#include <string.h>
#include <phc/sentinel.h>
#include "input.h"

/* DESIGN.md section 2: the one word per architecture, in instruction order. */
static uint32_t design_word(phc_arch arch)
{
    switch (arch) {
    case PHC_ARCH_ARM: return 0xEE000710;
    case PHC_ARCH_AARCH64: return 0xD500501F;
    case PHC_ARCH_MIPS: case PHC_ARCH_MIPSEL: case PHC_ARCH_MIPS64: case PHC_ARCH_MIPS64EL:
        return 0x0000000A;
    case PHC_ARCH_PPC: case PHC_ARCH_PPC64: return 0x694A0000;
    case PHC_ARCH_RISCV32: case PHC_ARCH_RISCV64: return 0x00004013;
    case PHC_ARCH_LOONGARCH64: return 0x00006C00;
    default: return 0; /* x86 and out-of-range values: no word sentinel */
    }
}

static bool big_endian(phc_arch arch)
{
    return arch == PHC_ARCH_MIPS || arch == PHC_ARCH_MIPS64 || arch == PHC_ARCH_PPC ||
           arch == PHC_ARCH_PPC64;
}

static uint32_t half(const uint8_t *p, bool be)
{
    return be ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[1] << 8 | p[0];
}

static uint32_t decode_word(const uint8_t *p, phc_arch arch, bool halfwords)
{
    bool be = big_endian(arch);
    if (halfwords || be)
        return half(p, be) << 16 | half(p + 2, be);
    return half(p + 2, false) << 16 | half(p, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = { data, size, 0 };
    phc_arch arch = (phc_arch)(fuzz_u8(&in) % (PHC_ARCH_COUNT + 2));
    phc_isa isa = (phc_isa)(fuzz_u8(&in) % 3);
    size_t len = fuzz_left(&in);
    uint8_t *code = malloc(len ? len : 1);
    memcpy(code, data + in.pos, len);

    /* an isa outside the enum names no sentinel, for every arch */
    bool has_word = design_word(arch) != 0 && isa <= PHC_ISA_T32;
    bool t32 = arch == PHC_ARCH_ARM && isa == PHC_ISA_T32;
    uint8_t sentinel[4];
    size_t slen = phc_sentinel_bytes(arch, isa, sentinel);
    size_t got = phc_sentinel_match(arch, isa, code, len);

    FUZZ_CHECK(slen == (has_word ? 4u : 0u), "arch %d: sentinel length %zu", arch, slen);
    FUZZ_CHECK(phc_sentinel_word(arch, isa) == (has_word ? design_word(arch) : 0), "arch %d isa %d",
               arch, isa);
    if (has_word)
        FUZZ_CHECK(decode_word(sentinel, arch, t32) == design_word(arch),
                   "arch %d isa %d: sentinel bytes decode to 0x%08x", arch, isa,
                   decode_word(sentinel, arch, t32));
    size_t want = slen == 4 && len >= 4 && memcmp(code, sentinel, 4) == 0 ? 4 : 0;
    FUZZ_CHECK(got == want, "arch %d isa %d len %zu: match %zu, bytes say %zu", arch, isa, len, got,
               want);
    if (has_word && len >= 4) {
        uint32_t word = decode_word(code, arch, t32);
        bool by_word = phc_sentinel_match_word(arch, isa, word);
        FUZZ_CHECK(by_word == (got == 4), "arch %d isa %d word 0x%08x: match_word %d, match %zu",
                   arch, isa, word, by_word, got);
        FUZZ_CHECK(by_word == (word == design_word(arch)), "arch %d word 0x%08x", arch, word);
    }
    free(code);
    return 0;
}
