/* The array-backed vCPU of fake-vcpu.h. */
#include <stdlib.h>
#include <string.h>
#include "fake-vcpu.h"

static fake_vcpu *fake(phc_vcpu *cpu)
{
    return (fake_vcpu *)cpu;
}

static uint64_t get_gpr(phc_vcpu *cpu, unsigned gpr)
{
    if (gpr >= FAKE_GPRS) {
        fake(cpu)->bad_gpr++;
        return 0;
    }
    return fake(cpu)->gpr[gpr];
}

static void set_gpr(phc_vcpu *cpu, unsigned gpr, uint64_t value)
{
    fake(cpu)->sets++;
    if (gpr >= FAKE_GPRS)
        fake(cpu)->bad_gpr++;
    else
        fake(cpu)->gpr[gpr] = value;
}

/* The offset of [gva, gva + len) inside mem, or -1 if any byte is outside. */
static long window(fake_vcpu *f, uint64_t gva, size_t len)
{
    if (gva < f->mem_base || gva - f->mem_base > FAKE_MEM || len > FAKE_MEM - (gva - f->mem_base))
        return -1;
    return (long)(gva - f->mem_base);
}

static int read_mem(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len)
{
    long off = window(fake(cpu), gva, len);
    if (off < 0)
        return -1;
    memcpy(buf, fake(cpu)->mem + off, len);
    return 0;
}

static int write_mem(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len)
{
    long off = window(fake(cpu), gva, len);
    if (off < 0)
        return -1;
    memcpy(fake(cpu)->mem + off, buf, len);
    return 0;
}

static const phc_vcpu_ops fake_ops = {
    .get_gpr = get_gpr, .set_gpr = set_gpr, .read_mem = read_mem, .write_mem = write_mem,
};

uint64_t fake_vcpu_pattern(unsigned gpr)
{
    return UINT64_C(0xa5a5000000000000) | (uint64_t)(gpr + 1) << 32 | (gpr + 1) * 0x01010101u;
}

void fake_vcpu_init(fake_vcpu *f, const phc_abi *abi, unsigned index, uint64_t mem_base)
{
    memset(f, 0, sizeof(*f));
    f->base = (phc_vcpu){ .ops = &fake_ops, .index = index, .abi = abi };
    f->mem_base = mem_base;
    for (unsigned i = 0; i < FAKE_GPRS; i++)
        f->gpr[i] = fake_vcpu_pattern(i);
}

uint64_t *fake_slot(fake_vcpu *f, phc_slot slot)
{
    unsigned gpr = f->base.abi->gpr[slot];
    if (gpr >= FAKE_GPRS)
        abort(); /* a test asked for a slot its row leaves unmapped */
    return &f->gpr[gpr];
}
