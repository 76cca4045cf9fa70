/*
 * A PL011 UART as far as a console needs: bytes written to the data
 * register go out, the flag register always says "transmit empty, nothing
 * received", and the ID registers let an AMBA bus probe it.
 */
#ifndef PHC_KVM_ARM64_PL011_H
#define PHC_KVM_ARM64_PL011_H

#include <stdint.h>
#include <stdio.h>

typedef struct kvm_arm64_pl011 {
    FILE *out;
    uint32_t ctrl[6]; /* IBRD..IMSC: what a driver writes and reads back */
} kvm_arm64_pl011;

void kvm_arm64_pl011_init(kvm_arm64_pl011 *u, FILE *out);
/* A 32-bit register access at byte offset @off in the 4 KiB frame. */
uint32_t kvm_arm64_pl011_read(kvm_arm64_pl011 *u, uint64_t off);
void kvm_arm64_pl011_write(kvm_arm64_pl011 *u, uint64_t off, uint32_t value);

#endif
