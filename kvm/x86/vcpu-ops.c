/*
 * The dispatcher's view of a KVM vCPU. Registers come from the sync
 * registers KVM filled in at the exit, so reading them costs nothing; a write
 * marks them dirty and KVM loads them on the next KVM_RUN, again without an
 * ioctl. Memory is by guest virtual address, page by page through the
 * guest's own page tables with the caller's rights (walk.h), then the
 * RAM slot.
 */
#include <stddef.h>
#include <string.h>
#include "cpu.h"
#include "walk.h"

#define PAGE 0x1000u

static const size_t gpr_offset[16] = {
    offsetof(struct kvm_regs, rax), offsetof(struct kvm_regs, rcx), offsetof(struct kvm_regs, rdx),
    offsetof(struct kvm_regs, rbx), offsetof(struct kvm_regs, rsp), offsetof(struct kvm_regs, rbp),
    offsetof(struct kvm_regs, rsi), offsetof(struct kvm_regs, rdi), offsetof(struct kvm_regs, r8),
    offsetof(struct kvm_regs, r9),  offsetof(struct kvm_regs, r10), offsetof(struct kvm_regs, r11),
    offsetof(struct kvm_regs, r12), offsetof(struct kvm_regs, r13), offsetof(struct kvm_regs, r14),
    offsetof(struct kvm_regs, r15),
};

static kvm_x86_cpu *kcpu(phc_vcpu *v)
{
    return (kvm_x86_cpu *)v;
}

static uint64_t get_gpr(phc_vcpu *v, unsigned gpr)
{
    if (gpr >= 16)
        return 0;
    const uint8_t *regs = (const uint8_t *)&kcpu(v)->run->s.regs.regs;
    uint64_t value;
    memcpy(&value, regs + gpr_offset[gpr], sizeof(value));
    return value;
}

static void set_gpr(phc_vcpu *v, unsigned gpr, uint64_t value)
{
    if (gpr >= 16)
        return;
    struct kvm_run *run = kcpu(v)->run;
    memcpy((uint8_t *)&run->s.regs.regs + gpr_offset[gpr], &value, sizeof(value));
    run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

/*
 * Visit [gva, gva + len) a page at a time; with @buf NULL only check that
 * every byte is mapped RAM the caller may access so. -1 at the first byte
 * that is not.
 */
static int walk(kvm_x86_cpu *cpu, uint64_t gva, uint8_t *buf, size_t len, bool to_guest)
{
    const struct kvm_sregs *sr = &cpu->run->s.regs.sregs;
    unsigned access = kvm_x86_access(sr, to_guest);
    while (len > 0) {
        size_t chunk = PAGE - (gva & (PAGE - 1));
        if (chunk > len)
            chunk = len;
        uint64_t gpa;
        if (kvm_x86_walk(&cpu->machine->vm, sr, gva, access, &gpa) != 0)
            return -1;
        uint8_t *host = kvm_vm_ram(&cpu->machine->vm, gpa, chunk);
        if (!host)
            return -1;
        if (buf && to_guest)
            memcpy(host, buf, chunk);
        else if (buf)
            memcpy(buf, host, chunk);
        if (buf)
            buf += chunk;
        gva += chunk;
        len -= chunk;
    }
    return 0;
}

static int read_mem(phc_vcpu *v, uint64_t gva, void *buf, size_t len)
{
    return walk(kcpu(v), gva, buf, len, false);
}

/* Checked first, so a write that would fault changes nothing. */
static int write_mem(phc_vcpu *v, uint64_t gva, const void *buf, size_t len)
{
    if (walk(kcpu(v), gva, NULL, len, true) != 0)
        return -1;
    return walk(kcpu(v), gva, (uint8_t *)buf, len, true);
}

const phc_vcpu_ops kvm_x86_cpu_ops = {
    .get_gpr = get_gpr,
    .set_gpr = set_gpr,
    .read_mem = read_mem,
    .write_mem = write_mem,
};
