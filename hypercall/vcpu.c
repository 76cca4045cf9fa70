/* Slot access through the ABI row: the one place slots become registers. */
#include <phc/vcpu.h>

uint64_t phc_vcpu_get_slot(phc_vcpu *cpu, phc_slot slot)
{
    unsigned gpr = cpu->abi->gpr[slot];
    if (gpr == PHC_GPR_NONE)
        return 0;
    return phc_abi_mask(cpu->abi->reg_bits, cpu->ops->get_gpr(cpu, gpr));
}

void phc_vcpu_set_slot(phc_vcpu *cpu, phc_slot slot, uint64_t value)
{
    unsigned gpr = cpu->abi->gpr[slot];
    if (gpr != PHC_GPR_NONE)
        cpu->ops->set_gpr(cpu, gpr, phc_abi_mask(cpu->abi->reg_bits, value));
}

int phc_vcpu_read(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len)
{
    if (len && gva + len - 1 < gva)
        return -1; /* wraps around the address space */
    return cpu->ops->read_mem(cpu, gva, buf, len);
}

int phc_vcpu_write(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len)
{
    if (len && gva + len - 1 < gva)
        return -1;
    return cpu->ops->write_mem(cpu, gva, buf, len);
}
