/*
 * The kernel inside a bzImage, unpacked on the host. A bzImage carries the
 * real kernel (an ELF, "vmlinux") compressed, with a small decompressor the
 * guest runs first. Under a KVM that emulates the guest's kernel mode (this
 * project's machines: a nested, page-table based KVM) that decompressor alone
 * runs for the best part of an hour; unpacked here, it takes a second, and the
 * kernel starts at its own 64-bit entry as Firecracker and QEMU's PVH boot
 * start a vmlinux.
 */
#ifndef PHC_KVM_X86_LINUX_UNPACK_H
#define PHC_KVM_X86_LINUX_UNPACK_H

#include <stddef.h>
#include <stdint.h>

/*
 * The vmlinux inside @kernel (a checked bzImage): 1 with a malloc'd copy in
 * *@out, 0 if its payload is in a format this build cannot unpack (the
 * guest's decompressor then runs), -1 with a one-line reason if it is
 * corrupt. The result is at most @max_size bytes.
 */
int kvm_x86_linux_unpack(const uint8_t *kernel, size_t size, size_t max_size, uint8_t **out,
                         size_t *out_size, char *err, size_t errlen);

/*
 * Copy a 64-bit x86 vmlinux's PT_LOAD segments to their physical addresses,
 * which must lie in [lo, hi) and in RAM, and zero their tails (bss). 0 with
 * the physical entry in *@entry, or -1 with a one-line reason.
 */
int kvm_x86_vmlinux_place(uint8_t *ram, uint64_t lo, uint64_t hi, const uint8_t *elf, size_t size,
                          uint64_t *entry, char *err, size_t errlen);

#endif
