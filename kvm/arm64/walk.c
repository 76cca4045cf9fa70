/* A stage 1 table walk as the Arm ARM (D8, VMSAv8-64) defines it for 4K, 16K and 64K granules. */
#include "walk.h"

#define OUTPUT_MASK UINT64_C(0x0000fffffffff000) /* 48-bit output address, 4K-aligned */
#define TTBR_BADDR UINT64_C(0x0000fffffffffffe)  /* bits 47:1 */
#define DESC_VALID 1u
#define DESC_TABLE 2u /* at levels 0-2: table (1) or block (0); at level 3 must be 1 */

typedef struct region {
    unsigned in_bits;    /* input address size, 64 - TxSZ */
    unsigned page_bits;  /* granule: 12, 14 or 16 */
    uint64_t table;      /* the start-level table (TTBR BADDR) */
    bool top_byte_ignored;
} region;

/* TTBR0 or TTBR1 by VA bit 55, with their TCR_EL1 fields; false if walks are off. */
static bool select_region(const kvm_arm64_mmu *m, uint64_t va, region *r)
{
    bool upper = va >> 55 & 1;
    unsigned tsz = upper ? (m->tcr >> 16) & 0x3f : m->tcr & 0x3f;
    unsigned tg = upper ? (m->tcr >> 30) & 3 : (m->tcr >> 14) & 3;
    bool disabled = upper ? m->tcr >> 23 & 1 : m->tcr >> 7 & 1; /* EPD1 / EPD0 */
    static const unsigned tg0_bits[4] = { 12, 16, 14, 0 }, tg1_bits[4] = { 0, 14, 12, 16 };
    r->page_bits = upper ? tg1_bits[tg] : tg0_bits[tg];
    r->top_byte_ignored = upper ? m->tcr >> 38 & 1 : m->tcr >> 37 & 1;
    r->table = (upper ? m->ttbr1 : m->ttbr0) & TTBR_BADDR;
    r->in_bits = 64 - tsz;
    /* TxSZ 16..39: inputs of 25 to 48 bits (no 52-bit LVA/LPA2 here). */
    return !disabled && r->page_bits && tsz >= 16 && tsz <= 39;
}

/* The VA bits above the input size must all equal bit 55 (top byte aside under TBI). */
static bool in_range(uint64_t va, const region *r)
{
    unsigned top = r->top_byte_ignored ? 56 : 64;
    uint64_t high = (va & (top == 64 ? ~UINT64_C(0) : (UINT64_C(1) << top) - 1)) >> r->in_bits;
    uint64_t ones = (UINT64_C(1) << (top - r->in_bits)) - 1;
    return high == ((va >> 55 & 1) ? ones : 0);
}

static bool block_allowed(unsigned level, unsigned page_bits)
{
    return page_bits == 12 ? level == 1 || level == 2 : level == 2;
}

bool kvm_arm64_translate(const kvm_arm64_mmu *m, uint64_t va, kvm_arm64_read_phys read,
                         void *opaque, uint64_t *pa, uint64_t *span)
{
    if (!(m->sctlr & 1)) {
        *pa = va;
        *span = va ? -va : UINT64_MAX;
        return true;
    }
    region r;
    if (!select_region(m, va, &r) || !in_range(va, &r))
        return false;
    unsigned stride = r.page_bits - 3;
    unsigned start = 4 - (r.in_bits - r.page_bits + stride - 1) / stride;
    unsigned start_bits = r.in_bits - (r.page_bits + stride * (3 - start));
    /* The start-level table is aligned to its size, at least 64 bytes. */
    unsigned align = start_bits + 3 > 6 ? start_bits + 3 : 6;
    uint64_t table = r.table & ~((UINT64_C(1) << align) - 1);
    for (unsigned level = start; level <= 3; level++) {
        unsigned shift = r.page_bits + stride * (3 - level);
        unsigned bits = level == start ? start_bits : stride;
        uint64_t desc;
        if (!read(opaque, table + ((va >> shift) & ((UINT64_C(1) << bits) - 1)) * 8, &desc) ||
            !(desc & DESC_VALID))
            return false;
        bool table_desc = desc & DESC_TABLE;
        if (level < 3 && table_desc) {
            table = desc & OUTPUT_MASK & ~((UINT64_C(1) << r.page_bits) - 1);
            continue;
        }
        if (level < 3 ? !block_allowed(level, r.page_bits) : !table_desc)
            return false;
        uint64_t size = UINT64_C(1) << shift;
        *pa = (desc & OUTPUT_MASK & ~(size - 1)) | (va & (size - 1));
        *span = size - (va & (size - 1));
        return true;
    }
    return false;
}
