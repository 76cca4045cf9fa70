/*
 * A vCPU made of an array: 32 general registers by ISA number and a small
 * window of guest memory. It records how it was used so tests can prove
 * what the dispatcher touched and what it left alone.
 */
#ifndef PHC_TEST_FAKE_VCPU_H
#define PHC_TEST_FAKE_VCPU_H

#include <phc/vcpu.h>

#define FAKE_GPRS 32
#define FAKE_MEM 8192

typedef struct fake_vcpu {
    phc_vcpu base; /* first: the ops get this pointer back */
    uint64_t gpr[FAKE_GPRS];
    uint64_t mem_base; /* guest address of mem[0] */
    uint8_t mem[FAKE_MEM];
    unsigned sets;     /* set_gpr calls */
    unsigned bad_gpr;  /* accesses to a register number the ISA lacks */
} fake_vcpu;

/* The distinct 64-bit value fake_vcpu_init puts in register @gpr. */
uint64_t fake_vcpu_pattern(unsigned gpr);
/* Every register gets its pattern; zeroed memory at @mem_base. */
void fake_vcpu_init(fake_vcpu *f, const phc_abi *abi, unsigned index, uint64_t mem_base);
/* The register a slot maps to (the test must know it is mapped). */
uint64_t *fake_slot(fake_vcpu *f, phc_slot slot);

#endif
