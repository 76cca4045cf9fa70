/*
 * The Linux x86 boot protocol as a boot loader speaks it: everything read
 * from the bzImage is checked against the file's size and the RAM's size
 * first, so a corrupt or hostile image is a one-line error, never a write
 * outside guest RAM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/bootparam.h>
#include "linux-boot.h"
#include "linux-unpack.h"
#include "../../accel/fail.h"

#define SECTOR 512u
#define BOOT_FLAG 0xaa55
#define HDRS_MAGIC 0x53726448u     /* "HdrS" */
#define HDR_OFFSET 0x1f1u          /* struct setup_header in the file and the zero page */
#define JUMP_END 0x202u            /* the header runs to here + the byte at 0x201 */
#define ENTRY_64_OFFSET 0x200u     /* startup_64 from the protected-mode kernel's start */
#define LOADER_UNKNOWN 0xff        /* type_of_loader: "no assigned id" */
#define PAGE 4096ull
#define E820_RAM 1
#define E820_RESERVED 2
#define BIOS_ROM 0xf0000ull
#define UNPACKED_MAX (512ull << 20) /* a bigger vmlinux is not a kernel we boot */

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

bool kvm_x86_linux_is_bzimage(const uint8_t *data, size_t size)
{
    struct setup_header hdr;
    if (size < HDR_OFFSET + sizeof(hdr))
        return false;
    memcpy(&hdr, data + HDR_OFFSET, sizeof(hdr));
    return hdr.boot_flag == BOOT_FLAG && hdr.header == HDRS_MAGIC;
}

/* The protected-mode kernel follows the real-mode set-up sectors. */
static uint64_t setup_bytes(const struct setup_header *hdr)
{
    return ((uint64_t)(hdr->setup_sects ? hdr->setup_sects : 4) + 1) * SECTOR;
}

static bool has_64bit_entry(const struct setup_header *hdr)
{
    return hdr->version >= 0x020c && (hdr->xloadflags & XLF_KERNEL_64);
}

int kvm_x86_linux_check(const uint8_t *kernel, size_t size, char *err, size_t errlen)
{
    struct setup_header hdr;
    if (!kvm_x86_linux_is_bzimage(kernel, size))
        return PHC_FAIL("not a bzImage: no boot signature 0xaa55 and \"HdrS\" set-up header");
    memcpy(&hdr, kernel + HDR_OFFSET, sizeof(hdr));
    if (hdr.version < KVM_X86_LINUX_MIN_PROTOCOL)
        return PHC_FAIL("bzImage: boot protocol %u.%02u is too old (%u.%02u or later needed)",
                        hdr.version >> 8, hdr.version & 0xff, KVM_X86_LINUX_MIN_PROTOCOL >> 8,
                        KVM_X86_LINUX_MIN_PROTOCOL & 0xff);
    if (!(hdr.loadflags & LOADED_HIGH))
        return PHC_FAIL("bzImage: a zImage loaded low is not supported (LOADED_HIGH clear)");
    uint64_t setup = setup_bytes(&hdr);
    if (setup >= size)
        return PHC_FAIL("bzImage: %llu set-up bytes but the file has only %zu",
                        (unsigned long long)setup, size);
    uint64_t payload = size - setup, declared = (uint64_t)hdr.syssize * 16;
    if (declared == 0 || declared > payload)
        return PHC_FAIL("bzImage: header says %llu kernel bytes, the file holds %llu after set-up",
                        (unsigned long long)declared, (unsigned long long)payload);
    if (hdr.init_size < declared)
        return PHC_FAIL("bzImage: init_size 0x%x is smaller than the kernel itself", hdr.init_size);
    if (hdr.relocatable_kernel &&
        (hdr.kernel_alignment == 0 || (hdr.kernel_alignment & (hdr.kernel_alignment - 1))))
        return PHC_FAIL("bzImage: kernel_alignment 0x%x is not a power of two", hdr.kernel_alignment);
    /* Also keeps decompress_end() from overflowing. */
    if (hdr.pref_address > KVM_X86_LINUX_RAM_MAX)
        return PHC_FAIL("bzImage: pref_address 0x%llx lies beyond any guest RAM (0x%llx)",
                        (unsigned long long)hdr.pref_address, KVM_X86_LINUX_RAM_MAX);
    if (hdr.cmdline_size == 0)
        return PHC_FAIL("bzImage: cmdline_size is 0");
    if (!has_64bit_entry(&hdr) && hdr.code32_start != KVM_X86_LINUX_KERNEL)
        return PHC_FAIL("bzImage: 32-bit entry at 0x%x, only 0x%llx is supported", hdr.code32_start,
                        KVM_X86_LINUX_KERNEL);
    return 0;
}

/* Where the decompressor will run: from the load address rounded up to the
 * kernel's alignment, but never below its link address (pref_address). */
static uint64_t decompress_end(const struct setup_header *hdr)
{
    uint64_t run = KVM_X86_LINUX_KERNEL;
    if (hdr->relocatable_kernel)
        run = align_up(run, hdr->kernel_alignment);
    if (run < hdr->pref_address)
        run = hdr->pref_address;
    return run + hdr->init_size;
}

static void add_e820(struct boot_params *bp, uint64_t addr, uint64_t size, uint32_t type)
{
    bp->e820_table[bp->e820_entries++] = (struct boot_e820_entry){ addr, size, type };
}

int kvm_x86_linux_load(uint8_t *ram, uint64_t ram_size, const phc_linux_guest *guest,
                       kvm_x86_linux_entry *entry, char *err, size_t errlen)
{
    if (kvm_x86_linux_check(guest->kernel, guest->kernel_size, err, errlen) != 0)
        return -1;
    struct boot_params bp = { 0 };
    size_t hdr_len = JUMP_END + guest->kernel[JUMP_END - 1] - HDR_OFFSET;
    if (hdr_len > sizeof(bp.hdr))
        hdr_len = sizeof(bp.hdr);
    memcpy(&bp.hdr, guest->kernel + HDR_OFFSET, hdr_len);
    struct setup_header *hdr = &bp.hdr;

    /* The declared bytes only: a signed image carries its signature after them. */
    uint64_t setup = setup_bytes(hdr), kernel_size = (uint64_t)hdr->syssize * 16;
    uint64_t kernel_end = decompress_end(hdr);
    if (ram_size > KVM_X86_LINUX_RAM_MAX)
        return PHC_FAIL("Linux guest: %llu MiB of RAM; at most %llu MiB (RAM must end below the "
                        "APIC windows)", (unsigned long long)(ram_size >> 20), KVM_X86_LINUX_RAM_MAX >> 20);
    if (kernel_end > ram_size)
        return PHC_FAIL("Linux guest: the kernel needs RAM up to 0x%llx to decompress, -m gives 0x%llx",
                        (unsigned long long)kernel_end, (unsigned long long)ram_size);

    size_t cmdline_len = guest->cmdline ? strlen(guest->cmdline) : 0;
    uint64_t cmdline_room = KVM_X86_LINUX_LOW_END - KVM_X86_LINUX_CMDLINE - 1;
    if (cmdline_len > hdr->cmdline_size || cmdline_len > cmdline_room)
        return PHC_FAIL("Linux guest: command line of %zu bytes, this kernel takes at most %llu",
                        cmdline_len, (unsigned long long)(hdr->cmdline_size < cmdline_room
                                                          ? hdr->cmdline_size : cmdline_room));

    uint64_t initrd_addr = 0;
    if (guest->initrd_size) {
        uint64_t limit = (uint64_t)hdr->initrd_addr_max + 1;
        if (limit > ram_size)
            limit = ram_size;
        if (guest->initrd_size > limit ||
            (initrd_addr = (limit - guest->initrd_size) & ~(PAGE - 1)) < kernel_end)
            return PHC_FAIL("Linux guest: an initramfs of %zu bytes does not fit between the kernel's "
                            "end 0x%llx and 0x%llx; give more RAM (-m)", guest->initrd_size,
                            (unsigned long long)kernel_end, (unsigned long long)limit);
        memcpy(ram + initrd_addr, guest->initrd, guest->initrd_size);
        hdr->ramdisk_image = (uint32_t)initrd_addr;
        hdr->ramdisk_size = (uint32_t)guest->initrd_size;
    }

    /* The kernel itself if the host can unpack it; else the bzImage's
     * protected-mode part, whose decompressor unpacks it in the guest. */
    uint8_t *vmlinux = NULL;
    size_t vmlinux_size = 0;
    uint64_t vmlinux_entry = 0;
    int unpacked = kvm_x86_linux_unpack(guest->kernel, guest->kernel_size, UNPACKED_MAX, &vmlinux,
                                        &vmlinux_size, err, errlen);
    if (unpacked < 0)
        return -1;
    if (unpacked) {
        int rc = kvm_x86_vmlinux_place(ram, KVM_X86_LINUX_KERNEL, kernel_end, vmlinux, vmlinux_size,
                                       &vmlinux_entry, err, errlen);
        free(vmlinux);
        if (rc != 0)
            return -1;
    } else {
        memcpy(ram + KVM_X86_LINUX_KERNEL, guest->kernel + setup, kernel_size);
    }
    memset(ram + KVM_X86_LINUX_CMDLINE, 0, cmdline_len + 1);
    if (cmdline_len)
        memcpy(ram + KVM_X86_LINUX_CMDLINE, guest->cmdline, cmdline_len);

    hdr->type_of_loader = LOADER_UNKNOWN;
    hdr->loadflags &= ~QUIET_FLAG;
    hdr->code32_start = KVM_X86_LINUX_KERNEL;
    hdr->cmd_line_ptr = KVM_X86_LINUX_CMDLINE;
    hdr->setup_data = 0;
    add_e820(&bp, 0, KVM_X86_LINUX_LOW_END, E820_RAM);
    add_e820(&bp, KVM_X86_LINUX_LOW_END, 0xa0000 - KVM_X86_LINUX_LOW_END, E820_RESERVED);
    add_e820(&bp, BIOS_ROM, KVM_X86_LINUX_KERNEL - BIOS_ROM, E820_RESERVED);
    add_e820(&bp, KVM_X86_LINUX_KERNEL, ram_size - KVM_X86_LINUX_KERNEL, E820_RAM);
    memcpy(ram + KVM_X86_LINUX_BOOT_PARAMS, &bp, sizeof(bp));

    bool long_mode = unpacked || has_64bit_entry(hdr);
    *entry = (kvm_x86_linux_entry){
        .mode = long_mode ? KVM_X86_LINUX_ENTRY_64 : KVM_X86_LINUX_ENTRY_32,
        .ip = unpacked ? vmlinux_entry : KVM_X86_LINUX_KERNEL + (long_mode ? ENTRY_64_OFFSET : 0),
        .unpacked = unpacked,
        .boot_params = KVM_X86_LINUX_BOOT_PARAMS,
        .protocol = hdr->version,
        .kernel_end = kernel_end,
        .initrd_addr = initrd_addr,
        .initrd_size = guest->initrd_size,
    };
    return 0;
}
