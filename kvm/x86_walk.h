/*
 * The guest's own page tables walked in userspace, from the control
 * registers KVM synced at the exit: no ioctl, so the hypercall exit path can
 * look at guest code for free. KVM_TRANSLATE stays the authority for handler
 * memory (vcpu_ops.c); this is for the hot path only.
 */
#ifndef PHC_KVM_X86_WALK_H
#define PHC_KVM_X86_WALK_H

#include <linux/kvm.h>
#include "vm.h"

/* Guest physical address of @linear, or -1 if no present mapping in RAM. */
int kvm_x86_walk(const kvm_vm *vm, const struct kvm_sregs *sr, uint64_t linear, uint64_t *gpa);

#endif
