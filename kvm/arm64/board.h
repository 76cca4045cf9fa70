/*
 * The ARM64 KVM board: RAM at guest physical 0 (the guest convention), the
 * devices in a window above it below 4 GiB, and the device tree that
 * describes it to the guest.
 */
#ifndef PHC_KVM_ARM64_BOARD_H
#define PHC_KVM_ARM64_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* RAM is [0, ram_size): guest physical 0, the guest convention. */
#define KVM_ARM64_MMIO_BASE 0xf0000000ull /* RAM must end at or below this */

#define KVM_ARM64_GIC_DIST 0xf0000000ull
#define KVM_ARM64_GIC_DIST_SIZE 0x10000ull
#define KVM_ARM64_GIC_REDIST 0xf0010000ull
#define KVM_ARM64_GIC_REDIST_SIZE 0x20000ull /* per vCPU (GICv3: RD + SGI frames) */
#define KVM_ARM64_MAX_CPUS 127u              /* redistributors fit below the UART */

#define KVM_ARM64_UART 0xf1000000ull
#define KVM_ARM64_UART_SIZE 0x1000ull
#define KVM_ARM64_UART_SPI 1u /* GIC SPI number (INTID 33) */
#define KVM_ARM64_UART_CLOCK_HZ 24000000u

/* Generic timer PPIs as GIC PPI numbers: secure, non-secure, virtual, hyp. */
#define KVM_ARM64_TIMER_PPI_SEC 13u
#define KVM_ARM64_TIMER_PPI_NS 14u
#define KVM_ARM64_TIMER_PPI_VIRT 11u
#define KVM_ARM64_TIMER_PPI_HYP 10u

/* Room reserved for the blob at the top of RAM. */
#define KVM_ARM64_FDT_MAX 0x10000u

typedef struct kvm_arm64_board {
    uint64_t ram_size;    /* RAM is [0, ram_size) */
    unsigned ncpus;       /* 1..KVM_ARM64_MAX_CPUS */
    const char *bootargs; /* /chosen/bootargs; NULL for "" */
} kvm_arm64_board;

/* The MPIDR affinity KVM gives vCPU @index (what a cpu node's reg must say). */
uint64_t kvm_arm64_mpidr(unsigned index);

/*
 * Build the device tree blob into @buf (@size bytes, at most
 * KVM_ARM64_FDT_MAX useful). 0 on success; -1 with a one-line reason.
 */
int kvm_arm64_fdt_build(const kvm_arm64_board *b, void *buf, size_t size, char *err,
                        size_t errlen);

#endif
