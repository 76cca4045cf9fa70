/*
 * The guest's own page tables walked in userspace, from the control
 * registers KVM synced at the exit: no ioctl. The exit path peeks at guest
 * code through it, and handler memory is read and written through it with
 * the rights of the caller (KVM_TRANSLATE cannot do that: it walks as the
 * guest kernel, so SMAP refuses it every user page).
 */
#ifndef PHC_KVM_X86_WALK_H
#define PHC_KVM_X86_WALK_H

#include <linux/kvm.h>
#include <stdbool.h>
#include "../vm.h"

/* What an access must be allowed besides presence; 0 = a supervisor read. */
#define KVM_X86_ACCESS_USER 1u  /* made at CPL 3: U/S set at every level */
#define KVM_X86_ACCESS_WRITE 2u /* a write: R/W set at every level (CR0.WP for supervisor) */

/* Guest physical address of @linear, or -1 if it is not canonical, not
 * mapped, or the mapping does not allow @access. */
int kvm_x86_walk(const kvm_vm *vm, const struct kvm_sregs *sr, uint64_t linear, unsigned access,
                 uint64_t *gpa);

/* The access a caller at the CPL in @sr makes: a user one at CPL 3. */
unsigned kvm_x86_access(const struct kvm_sregs *sr, bool write);

#endif
