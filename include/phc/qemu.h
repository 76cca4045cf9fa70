/*
 * Full-system TCG on the patched QEMU 7.2 (accel/qemu/, built by
 * scripts/build-qemu.sh): the guest runs in a qemu-system-* process whose
 * own copy of the dispatcher (accel/qemu/phc.c) catches its hypercalls;
 * this side starts it, passes the trace and built-ins, and reads its end.
 */
#ifndef PHC_QEMU_H
#define PHC_QEMU_H

#include <phc/accel.h>

typedef struct phc_qemu_guest {
    const phc_abi *abi;     /* the -arch row */
    const char *kernel;     /* a bare ELF, a raw binary, or a Linux kernel */
    bool raw;               /* a raw binary loaded and started at load_addr */
    uint64_t load_addr;
    bool linux_kernel;      /* boot it on the row's Linux machine */
    const char *initrd;     /* Linux: NULL or the initramfs */
    const char *append;     /* Linux: NULL or the command line */
    uint64_t mem_size;      /* guest RAM (bare guests: from address 0) */
    unsigned smp;
    const char *trace;      /* NULL: no trace */
    bool builtins;          /* register the built-in calls */
    phc_cancel *cancel;     /* a request stops QEMU */
} phc_qemu_guest;

/* NULL if the patched QEMU runs this kind of guest for @arch, else why not. */
const char *phc_qemu_unsupported(phc_arch arch, bool linux_kernel);

/* Run the guest to its end in QEMU; @res as from any accelerator. */
void phc_qemu_run(const phc_qemu_guest *g, phc_run_result *res);

/* Does @path start like a Linux boot image of @arch (x86 bzImage, arm64
 * Image, arm zImage)? Other architectures boot an ELF vmlinux. */
bool phc_qemu_is_kernel_image(phc_arch arch, const char *path);

/* The qemu-system-* binary for @arch: $PHC_QEMU_DIR/bin, or the cache
 * directory this build was configured with. */
const char *phc_qemu_binary(phc_arch arch, char *buf, size_t size);

#endif
