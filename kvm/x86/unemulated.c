/*
 * One-byte instructions the page-table based KVM on this project's machines
 * refuses to emulate although their whole effect is simple, each finished
 * here as the CPU would:
 *  - INT3: a #BP trap returning after the instruction. Linux executes one on
 *    purpose at boot (int3_selftest()) and uses it to patch live code.
 *  - FWAIT: #NM if CR0.TS and CR0.MP are set, #MF if the x87 status word has
 *    an unmasked exception pending, else nothing. Linux's FPU code has it.
 * The VMM moves RIP past the instruction and injects the exception, if any,
 * which the guest's own handler then takes. Any other refused instruction
 * still ends the run.
 */
#include <string.h>
#include <sys/ioctl.h>
#include "unemulated.h"
#include "walk.h"

#define OPCODE_INT3 0xcc
#define OPCODE_FWAIT 0x9b
#define NO_EXCEPTION (-1)
#define VECTOR_BP 3
#define VECTOR_NM 7
#define VECTOR_MF 16
#define CR0_MP (1u << 1)
#define CR0_TS (1u << 3)
#define FPU_EXCEPTIONS 0x3f /* IE DE ZE OE UE PE, in the status and control words */

static int opcode_at_rip(const kvm_x86_cpu *cpu)
{
    const struct kvm_sregs *sr = &cpu->run->s.regs.sregs;
    uint64_t linear = sr->cs.base + cpu->run->s.regs.regs.rip, gpa;
    if (kvm_x86_walk(&cpu->machine->vm, sr, linear, 0, &gpa) != 0)
        return -1;
    const uint8_t *byte = kvm_vm_ram(&cpu->machine->vm, gpa, 1);
    return byte ? *byte : -1;
}

static int fwait_exception(const kvm_x86_cpu *cpu)
{
    uint64_t cr0 = cpu->run->s.regs.sregs.cr0;
    if ((cr0 & CR0_TS) && (cr0 & CR0_MP))
        return VECTOR_NM;
    struct kvm_fpu fpu;
    memset(&fpu, 0, sizeof(fpu));
    if (ioctl(cpu->fd, KVM_GET_FPU, &fpu) != 0)
        return -2;
    return fpu.fsw & ~fpu.fcw & FPU_EXCEPTIONS ? VECTOR_MF : NO_EXCEPTION;
}

bool kvm_x86_finish_unemulated(kvm_x86_cpu *cpu)
{
    if (cpu->run->internal.suberror != KVM_INTERNAL_ERROR_EMULATION)
        return false;
    int vector, opcode = opcode_at_rip(cpu);
    if (opcode == OPCODE_INT3)
        vector = VECTOR_BP;
    else if (opcode == OPCODE_FWAIT)
        vector = fwait_exception(cpu);
    else
        return false;
    if (vector < NO_EXCEPTION)
        return false;
    struct kvm_regs regs;
    if (ioctl(cpu->fd, KVM_GET_REGS, &regs) != 0)
        return false;
    /* INT3 traps after itself; #NM and #MF fault at the FWAIT. */
    if (vector == VECTOR_BP || vector == NO_EXCEPTION)
        regs.rip += 1;
    if (ioctl(cpu->fd, KVM_SET_REGS, &regs) != 0)
        return false;
    if (vector == NO_EXCEPTION)
        return true;
    struct kvm_vcpu_events events;
    if (ioctl(cpu->fd, KVM_GET_VCPU_EVENTS, &events) != 0)
        return false;
    events.exception.injected = 1;
    events.exception.pending = 0;
    events.exception.nr = (uint8_t)vector;
    events.exception.has_error_code = 0;
    events.flags = 0;
    return ioctl(cpu->fd, KVM_SET_VCPU_EVENTS, &events) == 0;
}
