/*
 * The x86 port bus both accelerators share, so a guest's port IO behaves the
 * same under TCG and KVM: devices claim port ranges; everything else reads
 * as all ones and drops writes (counted).
 */
#ifndef PHC_ACCEL_PORTBUS_H
#define PHC_ACCEL_PORTBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct phc_port_device {
    const char *name;
    uint16_t base;
    uint16_t len;
    uint32_t (*read)(void *opaque, uint16_t offset, unsigned size);
    void (*write)(void *opaque, uint16_t offset, unsigned size, uint32_t value);
    void *opaque;
} phc_port_device;

typedef struct phc_portbus phc_portbus;

/* A bus with the serial console at 0x3f8 writing to @console. */
phc_portbus *phc_portbus_new(FILE *console);
void phc_portbus_free(phc_portbus *bus);
/* Add a device; false if its range overlaps another one. */
bool phc_portbus_add(phc_portbus *bus, const phc_port_device *dev);
uint32_t phc_portbus_in(phc_portbus *bus, uint16_t port, unsigned size);
void phc_portbus_out(phc_portbus *bus, uint16_t port, unsigned size, uint32_t value);
/* Writes that reached no device. */
uint64_t phc_portbus_dropped(const phc_portbus *bus);

#endif
