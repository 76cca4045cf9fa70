/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst): put a
 * bzImage, its initramfs and command line into guest RAM, fill the zero page
 * (struct boot_params) and say where and how the vCPU starts. Pure functions
 * over a RAM buffer: no KVM here, so they are unit tested without /dev/kvm.
 */
#ifndef PHC_KVM_X86_LINUX_BOOT_H
#define PHC_KVM_X86_LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <phc/accel.h>
#include "../../accel/linux-guest.h"

/* Guest-physical layout: all below the 640 KiB hole but the
 * kernel (at 1 MiB, as every PC loader puts it) and the initramfs (at the top
 * of RAM, out of the way of the decompressor). */
#define KVM_X86_LINUX_BOOT_PARAMS 0x10000ull /* the zero page, above the VMM's tables */
#define KVM_X86_LINUX_CMDLINE     0x20000ull
#define KVM_X86_LINUX_KERNEL      0x100000ull
#define KVM_X86_LINUX_LOW_END     0x9fc00ull /* RAM below this is usable */
/* Above this the PC has its APIC/IOAPIC windows: RAM must end below it. */
#define KVM_X86_LINUX_RAM_MAX     0xc0000000ull

/* The oldest protocol accepted: 2.10 brought init_size and pref_address,
 * which say how much RAM the decompressor needs. */
#define KVM_X86_LINUX_MIN_PROTOCOL 0x020a

typedef enum kvm_x86_linux_mode {
    KVM_X86_LINUX_ENTRY_64, /* long mode, paging identity-maps RAM; RSI = zero page */
    KVM_X86_LINUX_ENTRY_32, /* flat protected mode, paging off; ESI = zero page */
} kvm_x86_linux_mode;

typedef struct kvm_x86_linux_entry {
    kvm_x86_linux_mode mode;
    uint64_t ip;          /* where the vCPU starts */
    bool unpacked;        /* the host unpacked the kernel: ip is vmlinux's entry */
    uint64_t boot_params; /* goes in RSI (ESI) */
    uint16_t protocol;    /* the kernel's boot protocol version, e.g. 0x020f */
    uint64_t kernel_end;  /* end of what the decompressor may use */
    uint64_t initrd_addr, initrd_size;
} kvm_x86_linux_entry;

/* Validate a bzImage's set-up header: 0, or -1 with a one-line reason. */
int kvm_x86_linux_check(const uint8_t *kernel, size_t size, char *err, size_t errlen);

/* True if @data looks like a bzImage (boot sector signature and "HdrS"):
 * the first thing kvm_x86_linux_check asks. */
bool kvm_x86_linux_is_bzimage(const uint8_t *data, size_t size);

/*
 * Load @guest into @ram (guest-physical [0, ram_size)) and fill the zero
 * page. 0 with @entry filled, or -1 with a one-line reason (bad header, RAM
 * too small or too large, command line too long, initramfs does not fit);
 * @ram may be partly written on failure.
 */
int kvm_x86_linux_load(uint8_t *ram, uint64_t ram_size, const phc_linux_guest *guest,
                       kvm_x86_linux_entry *entry, char *err, size_t errlen);

#endif
