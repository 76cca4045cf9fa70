/* Exact matching of the word sentinels, with each row's byte order. */
#include <string.h>
#include "../target-hooks/target.h"

static const phc_target_sentinel *word_sentinel(phc_arch arch, phc_isa isa)
{
    const phc_target *t = phc_target_of(arch);
    if (!t || (unsigned)isa > PHC_ISA_T32)
        return NULL;
    /* Only ARM has a second instruction set: elsewhere either state names
     * the row's one sentinel, as the API has always said. */
    return t->sentinel[isa] ? t->sentinel[isa] : t->sentinel[PHC_ISA_DEFAULT];
}

uint32_t phc_sentinel_word(phc_arch arch, phc_isa isa)
{
    const phc_target_sentinel *s = word_sentinel(arch, isa);
    return s ? s->word : 0;
}

bool phc_sentinel_match_word(phc_arch arch, phc_isa isa, uint32_t word)
{
    const phc_target_sentinel *s = word_sentinel(arch, isa);
    return s && word == s->word;
}

static void store16(uint8_t *p, uint32_t v, phc_endian e)
{
    p[e == PHC_BIG_ENDIAN ? 0 : 1] = (uint8_t)(v >> 8);
    p[e == PHC_BIG_ENDIAN ? 1 : 0] = (uint8_t)v;
}

size_t phc_sentinel_bytes(phc_arch arch, phc_isa isa, uint8_t out[4])
{
    const phc_target_sentinel *s = word_sentinel(arch, isa);
    if (!s)
        return 0;
    phc_endian e = phc_abi_get(arch)->endian;
    /* A word in little-endian memory puts its low half first; halfword
     * streams (T32) always put the first-executed (high) half first. */
    bool high_first = s->halfwords || e == PHC_BIG_ENDIAN;
    store16(out, high_first ? s->word >> 16 : s->word, e);
    store16(out + 2, high_first ? s->word : s->word >> 16, e);
    return 4;
}

/*
 * Each row's sentinel as the 4 bytes lie in guest memory, read as one host
 * word: matching is then one load and one compare, and it compares against
 * exactly what phc_sentinel_bytes lays out. This runs on every word a
 * frontend scans, and 2^32 times per row in the exhaustive test.
 */
static struct {
    uint32_t bytes;
    bool exists;
} in_memory[PHC_ARCH_COUNT][PHC_ISA_T32 + 1];

__attribute__((constructor)) static void lay_out_sentinels(void)
{
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++)
        for (unsigned isa = 0; isa <= PHC_ISA_T32; isa++) {
            uint8_t b[4];
            in_memory[a][isa].exists = phc_sentinel_bytes(a, isa, b) == 4;
            memcpy(&in_memory[a][isa].bytes, b, 4);
        }
}

size_t phc_sentinel_match(phc_arch arch, phc_isa isa, const uint8_t *bytes, size_t len)
{
    if ((unsigned)arch >= PHC_ARCH_COUNT || (unsigned)isa > PHC_ISA_T32 || len < 4)
        return 0;
    uint32_t word;
    memcpy(&word, bytes, 4);
    return in_memory[arch][isa].exists && word == in_memory[arch][isa].bytes ? 4 : 0;
}
