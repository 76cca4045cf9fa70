/*
 * Guest virtual to physical for the EL1&0 regime, read from the guest's own
 * translation tables (TTBR0/TTBR1, TCR_EL1 granules and sizes, 48-bit output),
 * so hypercall handlers can take a guest kernel's pointers. Every table read
 * goes through a bounds-checked callback: a hostile table gives a fault,
 * never a read outside guest RAM.
 */
#ifndef PHC_KVM_ARM64_WALK_H
#define PHC_KVM_ARM64_WALK_H

#include <stdbool.h>
#include <stdint.h>

/* The system registers a walk depends on. */
typedef struct kvm_arm64_mmu {
    uint64_t sctlr; /* SCTLR_EL1: bit 0, M, turns stage 1 on */
    uint64_t tcr;   /* TCR_EL1 */
    uint64_t ttbr0, ttbr1;
} kvm_arm64_mmu;

/* Read the 64-bit little-endian word at guest physical @pa; false if it is not RAM. */
typedef bool (*kvm_arm64_read_phys)(void *opaque, uint64_t pa, uint64_t *value);

/*
 * Translate @va. On success *pa is the physical address and *span the bytes
 * from it to the end of its page or block (MMU off: to the end of the
 * address space). False for a translation fault.
 */
bool kvm_arm64_translate(const kvm_arm64_mmu *mmu, uint64_t va, kvm_arm64_read_phys read,
                         void *opaque, uint64_t *pa, uint64_t *span);

#endif
