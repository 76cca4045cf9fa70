/*
 * phc-run's Linux guest (internal to phc: tools/phc-run and the KVM
 * frontend): a bzImage handed to a run in phc_run_config.linux_guest.
 */
#ifndef PHC_ACCEL_LINUX_GUEST_H
#define PHC_ACCEL_LINUX_GUEST_H

#include <stddef.h>
#include <stdint.h>

/* A Linux kernel booted by the x86 boot protocol (-kernel bzImage, -initrd,
 * -append), instead of an image's segments: -accel kvm on x86 hosts only. */
typedef struct phc_linux_guest {
    const uint8_t *kernel; /* the bzImage file */
    size_t kernel_size;
    const uint8_t *initrd; /* NULL or the initramfs file */
    size_t initrd_size;
    const char *cmdline;   /* NULL: empty */
} phc_linux_guest;

#endif
