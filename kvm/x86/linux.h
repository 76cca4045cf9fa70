/*
 * The PC a Linux kernel expects around it under KVM: the in-kernel interrupt
 * controllers (PIC, IOAPIC, local APICs) and PIT, the kernel, initramfs and
 * zero page in RAM (linux-boot.c), and vCPU 0 at the kernel's entry.
 */
#ifndef PHC_KVM_X86_LINUX_H
#define PHC_KVM_X86_LINUX_H

#include "linux-boot.h"
#include "../vm.h"

/* Before any vCPU exists: devices, RAM contents, boot tables. */
int kvm_x86_linux_prepare(kvm_vm *vm, const phc_linux_guest *guest, kvm_x86_linux_entry *entry,
                          char *err, size_t errlen);

/* vCPU 0 at the entry, in its mode, with the zero page in RSI (ESI). */
int kvm_x86_linux_boot_cpu(int vcpu_fd, const kvm_x86_linux_entry *entry, char *err, size_t errlen);

#endif
