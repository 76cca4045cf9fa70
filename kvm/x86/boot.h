/*
 * How a bare x86 guest starts: the tables the VMM writes into guest RAM and
 * the register state each vCPU gets. Separate from the VM and from the run
 * loop, so another boot path (a Linux boot protocol) can replace it whole.
 */
#ifndef PHC_KVM_X86_BOOT_H
#define PHC_KVM_X86_BOOT_H

#include <phc/abi.h>
#include "../vm.h"

/* Guest physical [BASE, END) holds the GDT and page tables: images stay out.
 * It ends below 0xf000, where ld puts the ELF headers of a guest linked at 0x10000. */
#define KVM_X86_BOOT_BASE 0x1000u
#define KVM_X86_BOOT_END 0xc000u

/* Write the GDT (and, for x86_64, page tables identity-mapping all RAM). */
int kvm_x86_boot_prepare(kvm_vm *vm, const phc_image *img, phc_arch arch, char *err, size_t errlen);

/* Put one vCPU at @entry in the mode of @arch, its stack pointer at @sp,
 * its index in EDI/RDI. */
int kvm_x86_boot_cpu(int vcpu_fd, phc_arch arch, uint64_t entry, uint64_t sp, unsigned index, char *err,
                     size_t errlen);

#endif
