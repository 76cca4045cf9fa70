/* Port IO exits: the Penguin hypercall, or the shared x86 port bus. */
#ifndef PHC_KVM_X86_IO_H
#define PHC_KVM_X86_IO_H

#include "cpu.h"

/* Handle the KVM_EXIT_IO in cpu->run; a PHC_STOP ends the machine. */
void kvm_x86_io_exit(kvm_x86_cpu *cpu);

#endif
