/*
 * x86 paging as the CPU does it: off, 32-bit (4 KiB and, with CR4.PSE,
 * 4 MiB pages), PAE (4 KiB, 2 MiB), and long mode with 4 or 5 levels (4 KiB,
 * 2 MiB, 1 GiB). Only presence matters here: we read code, we never write.
 */
#include <string.h>
#include "x86_walk.h"

#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_LA57 (1u << 12)
#define EFER_LMA (1u << 10)
#define PTE_PRESENT 1u
#define PTE_LARGE 0x80u
#define ADDR_MASK UINT64_C(0x000ffffffffff000)

/* One paging format: entries of @entry_bytes, @bits of index per level. */
typedef struct paging {
    unsigned levels, bits, entry_bytes;
    uint64_t addr_mask;
    unsigned large_from, large_to; /* levels where PS makes a large page */
} paging;

static int entry(const kvm_vm *vm, uint64_t addr, unsigned bytes, uint64_t *e)
{
    const uint8_t *p = kvm_vm_ram(vm, addr, bytes);
    if (!p)
        return -1;
    /* Fixed-size loads, not a memcpy call per level; little-endian both sides. */
    if (bytes == 8) {
        memcpy(e, p, 8);
    } else {
        uint32_t e32;
        memcpy(&e32, p, 4);
        *e = e32;
    }
    return *e & PTE_PRESENT ? 0 : -1;
}

static int walk(const kvm_vm *vm, const paging *pg, uint64_t table, uint64_t linear, uint64_t *gpa)
{
    for (unsigned level = pg->levels; level >= 1; level--) {
        unsigned shift = 12 + pg->bits * (level - 1);
        uint64_t index = (linear >> shift) & ((UINT64_C(1) << pg->bits) - 1), e;
        if (entry(vm, table + index * pg->entry_bytes, pg->entry_bytes, &e) != 0)
            return -1;
        if (level == 1 || (level >= pg->large_from && level <= pg->large_to && (e & PTE_LARGE))) {
            uint64_t offset = (UINT64_C(1) << shift) - 1;
            *gpa = (e & pg->addr_mask & ~offset) | (linear & offset);
            return 0;
        }
        table = e & pg->addr_mask;
    }
    return -1;
}

int kvm_x86_walk(const kvm_vm *vm, const struct kvm_sregs *sr, uint64_t linear, uint64_t *gpa)
{
    if (!(sr->cr0 & CR0_PG)) {
        *gpa = (uint32_t)linear;
        return 0;
    }
    if (sr->efer & EFER_LMA) {
        paging pg = { sr->cr4 & CR4_LA57 ? 5 : 4, 9, 8, ADDR_MASK, 2, 3 };
        return walk(vm, &pg, sr->cr3 & ADDR_MASK, linear, gpa);
    }
    linear = (uint32_t)linear;
    if (sr->cr4 & CR4_PAE) {
        /* Four PDPT entries at CR3 pick the page directory by bits 31:30. */
        uint64_t pdpte;
        if (entry(vm, (sr->cr3 & 0xffffffe0u) + (linear >> 30) * 8, 8, &pdpte) != 0)
            return -1;
        paging pg = { 2, 9, 8, ADDR_MASK, 2, 2 };
        return walk(vm, &pg, pdpte & ADDR_MASK, linear, gpa);
    }
    paging pg = { 2, 10, 4, 0xfffff000u, 2, sr->cr4 & CR4_PSE ? 2 : 0 };
    return walk(vm, &pg, sr->cr3 & 0xfffff000u, linear, gpa);
}
