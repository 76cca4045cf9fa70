/*
 * INT3 is the one such instruction so far: Linux executes one on purpose
 * while booting (int3_selftest(), before it patches its own code) and the
 * page-table based KVM on this project's machines cannot emulate it. Its
 * whole effect is a #BP trap whose return address is the next instruction,
 * so the VMM moves RIP past it and injects the exception; the guest's own
 * handler does the rest. Any other refused instruction still ends the run.
 */
#include <sys/ioctl.h>
#include "x86_unemulated.h"
#include "x86_walk.h"

#define INT3_OPCODE 0xcc
#define BP_VECTOR 3

static bool at_int3(const kvm_cpu *cpu)
{
    const struct kvm_sregs *sr = &cpu->run->s.regs.sregs;
    uint64_t linear = sr->cs.base + cpu->run->s.regs.regs.rip, gpa;
    if (kvm_x86_walk(&cpu->machine->vm, sr, linear, &gpa) != 0)
        return false;
    const uint8_t *byte = kvm_vm_ram(&cpu->machine->vm, gpa, 1);
    return byte && *byte == INT3_OPCODE;
}

bool kvm_x86_finish_unemulated(kvm_cpu *cpu)
{
    if (cpu->run->internal.suberror != KVM_INTERNAL_ERROR_EMULATION || !at_int3(cpu))
        return false;
    struct kvm_regs regs;
    struct kvm_vcpu_events events;
    if (ioctl(cpu->fd, KVM_GET_REGS, &regs) != 0 || ioctl(cpu->fd, KVM_GET_VCPU_EVENTS, &events))
        return false;
    regs.rip += 1; /* a trap: the handler returns after the INT3 */
    events.exception.injected = 1;
    events.exception.pending = 0;
    events.exception.nr = BP_VECTOR;
    events.exception.has_error_code = 0;
    events.flags = 0;
    return ioctl(cpu->fd, KVM_SET_REGS, &regs) == 0 &&
           ioctl(cpu->fd, KVM_SET_VCPU_EVENTS, &events) == 0;
}
