/*
 * The two ways a PC's port IO resets the machine, on the x86 port bus: the
 * 8042 keyboard controller pulsing the reset line (command 0xFE to port
 * 0x64) and the chipset's reset control register at port 0xCF9. phc never
 * reboots a guest: a reset ends the run, and the owner of the bus decides
 * how (see docs/kvm.md, "How a run ends").
 */
#ifndef PHC_ACCEL_RESET_H
#define PHC_ACCEL_RESET_H

#include "portbus.h"

#define PHC_RESET_8042_PORT 0x64
#define PHC_RESET_CONTROL_PORT 0xcf9

typedef struct phc_reset {
    /* Called with a few words saying which reset the guest asked for. */
    void (*fire)(void *opaque, const char *how);
    void *opaque;
    uint8_t control;          /* 0xCF9's bits that read back */
    phc_port_device kbd, cf9; /* what the bus holds */
} phc_reset;

/* Put both reset sources of @r on @bus; false if a port is taken. @r must
 * outlive the bus's use. */
bool phc_reset_attach(phc_reset *r, phc_portbus *bus);

#endif
