/* An 8250-style UART at 0x3f8: the guest's console on the x86 port bus. */
#ifndef PHC_ACCEL_SERIAL_H
#define PHC_ACCEL_SERIAL_H

#include "portbus.h"

#define PHC_SERIAL_BASE 0x3f8

typedef struct phc_serial phc_serial;

phc_serial *phc_serial_new(FILE *out);
void phc_serial_free(phc_serial *s);
const phc_port_device *phc_serial_device(phc_serial *s);

#endif
