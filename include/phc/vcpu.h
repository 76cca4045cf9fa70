/*
 * The vCPU interface every accelerator implements. The dispatcher and the
 * handlers see a guest only through this.
 */
#ifndef PHC_VCPU_H
#define PHC_VCPU_H

#include <phc/abi.h>

typedef struct phc_vcpu phc_vcpu;

typedef struct phc_vcpu_ops {
    /* General register by ISA number (see phc_abi). */
    uint64_t (*get_gpr)(phc_vcpu *cpu, unsigned gpr);
    void (*set_gpr)(phc_vcpu *cpu, unsigned gpr, uint64_t value);
    /* Guest virtual memory; 0 on success, -1 if any byte is not mapped. */
    int (*read_mem)(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len);
    int (*write_mem)(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len);
} phc_vcpu_ops;

struct phc_vcpu {
    const phc_vcpu_ops *ops;
    unsigned index;     /* vCPU number, 0-based */
    const phc_abi *abi; /* the row in force at this call (x86: from CPU mode) */
};

/* Read a slot through the ABI row, masked to the row's register width. */
uint64_t phc_vcpu_get_slot(phc_vcpu *cpu, phc_slot slot);
void phc_vcpu_set_slot(phc_vcpu *cpu, phc_slot slot, uint64_t value);
int phc_vcpu_read(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len);
int phc_vcpu_write(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len);

#endif
