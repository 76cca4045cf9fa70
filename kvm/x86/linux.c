/*
 * A Linux guest's machine. KVM models the interrupt controllers and the PIT
 * itself, so timer interrupts and HLT never leave the kernel; the VMM adds
 * only the serial port (the shared port bus). The two addresses KVM needs
 * for its own real-mode support sit just below 4 GiB, above any RAM a Linux
 * guest may have (KVM_X86_LINUX_RAM_MAX).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "boot.h"
#include "linux.h"
#include "../../accel/fail.h"

_Static_assert(KVM_X86_BOOT_END <= KVM_X86_LINUX_BOOT_PARAMS,
               "the bare boot tables must end below the zero page");

/*
 * Where a PC's CPU starts after a reset, and where Linux's reboot=bios (and
 * its fallback after the 8042 and EFI) jumps in real mode: F000:FFF0. There
 * is no BIOS; what stands there pulls the 8042 reset line, so that reboot
 * ends the run too, instead of running zeroes forever.
 */
#define RESET_VECTOR 0xffff0ull
static const uint8_t reset_vector_code[] = {
    0xb0, 0xfe, /* mov $0xfe, %al */
    0xe6, 0x64, /* out %al, $0x64 */
    0xfa, 0xf4, /* cli; hlt */
};

#define TSS_ADDR 0xfffbd000ull          /* three pages */
#define IDENTITY_MAP_ADDR 0xfffbc000ull /* one page, right below */

static int create_devices(kvm_vm *vm, char *err, size_t errlen)
{
    uint64_t identity = IDENTITY_MAP_ADDR;
    if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) != 0)
        return PHC_FAIL("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
    if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)TSS_ADDR) != 0)
        return PHC_FAIL("KVM_SET_TSS_ADDR: %s", strerror(errno));
    if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) != 0)
        return PHC_FAIL("KVM_CREATE_IRQCHIP: %s", strerror(errno));
    /* The dummy speaker gives port 0x61 (PIT channel 2 gate), which Linux
     * reads to calibrate its clocks, to KVM too. */
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) != 0)
        return PHC_FAIL("KVM_CREATE_PIT2: %s", strerror(errno));
    return 0;
}

/* The bare boot state for the entry's mode: long mode, or flat protected mode. */
static phc_arch entry_arch(const kvm_x86_linux_entry *entry)
{
    return entry->mode == KVM_X86_LINUX_ENTRY_64 ? PHC_ARCH_X86_64 : PHC_ARCH_I386;
}

int kvm_x86_linux_prepare(kvm_vm *vm, const phc_linux_guest *guest, kvm_x86_linux_entry *entry,
                          char *err, size_t errlen)
{
    if (create_devices(vm, err, errlen) != 0 ||
        kvm_x86_linux_load(vm->ram, vm->ram_size, guest, entry, err, errlen) != 0)
        return -1;
    /* Reserved in the e820 map (BIOS ROM), below the kernel. */
    memcpy(vm->ram + RESET_VECTOR, reset_vector_code, sizeof(reset_vector_code));
    /* The bare boot tables (GDT, identity paging) live below the zero page. */
    const phc_image none = { 0 };
    return kvm_x86_boot_prepare(vm, &none, entry_arch(entry), err, errlen);
}

int kvm_x86_linux_boot_cpu(int vcpu_fd, const kvm_x86_linux_entry *entry, char *err, size_t errlen)
{
    /* the boot protocol gives no stack: the kernel sets its own */
    if (kvm_x86_boot_cpu(vcpu_fd, entry_arch(entry), entry->ip, 0, 0, err, errlen) != 0)
        return -1;
    struct kvm_regs regs;
    if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) != 0)
        return PHC_FAIL("KVM_GET_REGS: %s", strerror(errno));
    regs.rsi = entry->boot_params;
    if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) != 0)
        return PHC_FAIL("KVM_SET_REGS: %s", strerror(errno));
    return 0;
}
