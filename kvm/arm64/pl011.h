/*
 * A PL011 UART as far as a console needs: bytes written to the data
 * register go out, the flag register always says "transmit empty, nothing
 * received", and the ID registers let an AMBA bus probe it.
 */
#ifndef PHC_KVM_ARM64_PL011_H
#define PHC_KVM_ARM64_PL011_H

#include <stdint.h>
#include <stdio.h>

typedef struct phc_pl011 {
    FILE *out;
    uint32_t ctrl[6]; /* IBRD..IMSC: what a driver writes and reads back */
} phc_pl011;

void phc_pl011_init(phc_pl011 *u, FILE *out);
/* A 32-bit register access at byte offset @off in the 4 KiB frame. */
uint32_t phc_pl011_read(phc_pl011 *u, uint64_t off);
void phc_pl011_write(phc_pl011 *u, uint64_t off, uint32_t value);

#endif
