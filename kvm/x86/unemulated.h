/*
 * Instructions that a KVM emulating the guest's kernel mode refuses
 * (KVM_INTERNAL_ERROR_EMULATION) although their effect is simple enough for
 * the VMM to produce: finishing them lets a guest kernel go on.
 */
#ifndef PHC_KVM_X86_UNEMULATED_H
#define PHC_KVM_X86_UNEMULATED_H

#include <stdbool.h>
#include "cpu.h"

/* After a KVM_EXIT_INTERNAL_ERROR: true if the instruction was finished and
 * the vCPU may run on; false if the exit stands (the run ends as before). */
bool kvm_x86_finish_unemulated(kvm_x86_cpu *cpu);

#endif
