/*
 * x86 paging as the CPU does it: off, 32-bit (4 KiB and, with CR4.PSE,
 * 4 MiB pages), PAE (4 KiB, 2 MiB), and long mode with 4 or 5 levels (4 KiB,
 * 2 MiB, 1 GiB). Besides presence, the walk checks what the access asks:
 * U/S at every level for a CPL 3 caller, R/W for a write. It neither sets
 * accessed or dirty bits nor applies SMAP or protection keys: those are the
 * guest kernel's rules for its own code, not for the VMM acting for a caller.
 */
#include <string.h>
#include "walk.h"
#include "../../target-hooks/x86.h"

#define CR0_WP (1u << 16)
#define CR4_PSE (1u << 4)
#define CR4_LA57 (1u << 12)
#define PTE_PRESENT 1u
#define PTE_WRITABLE 2u
#define PTE_USER 4u
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

/* Do the rights every level granted (@granted: PTE_USER, PTE_WRITABLE
 * ANDed over the levels) allow @access? */
static bool allowed(const struct kvm_sregs *sr, uint64_t granted, unsigned access)
{
    bool user = access & KVM_X86_ACCESS_USER;
    if (user && !(granted & PTE_USER))
        return false;
    /* Supervisor writes ignore R/W unless CR0.WP. */
    if ((access & KVM_X86_ACCESS_WRITE) && !(granted & PTE_WRITABLE) && (user || (sr->cr0 & CR0_WP)))
        return false;
    return true;
}

static int walk(const kvm_vm *vm, const paging *pg, uint64_t table, uint64_t granted,
                uint64_t linear, uint64_t *gpa)
{
    for (unsigned level = pg->levels; level >= 1; level--) {
        unsigned shift = 12 + pg->bits * (level - 1);
        uint64_t index = (linear >> shift) & ((UINT64_C(1) << pg->bits) - 1), e;
        if (entry(vm, table + index * pg->entry_bytes, pg->entry_bytes, &e) != 0)
            return -1;
        granted &= e;
        if (level == 1 || (level >= pg->large_from && level <= pg->large_to && (e & PTE_LARGE))) {
            uint64_t offset = (UINT64_C(1) << shift) - 1;
            *gpa = (e & pg->addr_mask & ~offset) | (linear & offset);
            return (int)granted;
        }
        table = e & pg->addr_mask;
    }
    return -1;
}

/* The rights granted, or -1 if @linear is not mapped (or not canonical). */
static int translate(const kvm_vm *vm, const struct kvm_sregs *sr, uint64_t linear, uint64_t *gpa)
{
    const uint64_t rights = PTE_USER | PTE_WRITABLE;
    if (!(sr->cr0 & CR0_PG)) {
        *gpa = (uint32_t)linear;
        return (int)rights;
    }
    if (phc_target_x86_long_mode(sr->efer)) {
        unsigned levels = sr->cr4 & CR4_LA57 ? 5 : 4, top = 12 + 9 * levels - 1;
        /* Bits above the top one must copy it: the CPU faults otherwise. */
        if ((uint64_t)((int64_t)(linear << (63 - top)) >> (63 - top)) != linear)
            return -1;
        paging pg = { levels, 9, 8, ADDR_MASK, 2, 3 };
        return walk(vm, &pg, sr->cr3 & ADDR_MASK, rights, linear, gpa);
    }
    linear = (uint32_t)linear;
    if (sr->cr4 & CR4_PAE) {
        /* Four PDPT entries at CR3 pick the page directory by bits 31:30;
         * they carry no U/S or R/W. */
        uint64_t pdpte;
        if (entry(vm, (sr->cr3 & 0xffffffe0u) + (linear >> 30) * 8, 8, &pdpte) != 0)
            return -1;
        paging pg = { 2, 9, 8, ADDR_MASK, 2, 2 };
        return walk(vm, &pg, pdpte & ADDR_MASK, rights, linear, gpa);
    }
    paging pg = { 2, 10, 4, 0xfffff000u, 2, sr->cr4 & CR4_PSE ? 2 : 0 };
    return walk(vm, &pg, sr->cr3 & 0xfffff000u, rights, linear, gpa);
}

int kvm_x86_walk(const kvm_vm *vm, const struct kvm_sregs *sr, uint64_t linear, unsigned access,
                 uint64_t *gpa)
{
    int granted = translate(vm, sr, linear, gpa);
    return granted >= 0 && allowed(sr, (uint64_t)granted, access) ? 0 : -1;
}

unsigned kvm_x86_access(const struct kvm_sregs *sr, bool write)
{
    /* SS.DPL is the CPL (KVM reports it so under VMX and SVM alike). */
    return (sr->ss.dpl == 3 ? KVM_X86_ACCESS_USER : 0) | (write ? KVM_X86_ACCESS_WRITE : 0);
}
