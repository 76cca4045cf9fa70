/*
 * The UART: transmit goes to the console, the line status always says the
 * transmitter is empty so a polling driver never waits, and the other
 * registers hold what was written so a driver's probe reads back sanely.
 */
#include <glib.h>
#include "serial.h"

enum { THR = 0, LSR = 5, NREGS = 8 };
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

struct phc_serial {
    FILE *out;
    uint8_t regs[NREGS];
    phc_port_device dev;
};

static uint32_t serial_read(void *opaque, uint16_t offset, unsigned size)
{
    phc_serial *s = opaque;
    (void)size;
    if (offset == LSR)
        return LSR_THRE | LSR_TEMT;
    if (offset == THR)
        return 0; /* nothing is ever received */
    return s->regs[offset];
}

static void serial_write(void *opaque, uint16_t offset, unsigned size, uint32_t value)
{
    phc_serial *s = opaque;
    (void)size;
    if (offset == THR) {
        fputc(value & 0xff, s->out);
        if ((value & 0xff) == '\n')
            fflush(s->out);
    } else if (offset != LSR) {
        s->regs[offset] = value & 0xff;
    }
}

phc_serial *phc_serial_new(FILE *out)
{
    phc_serial *s = g_new0(phc_serial, 1);
    s->out = out;
    s->dev = (phc_port_device){ .name = "serial", .base = PHC_SERIAL_BASE, .len = NREGS,
                                .read = serial_read, .write = serial_write, .opaque = s };
    return s;
}

void phc_serial_free(phc_serial *s)
{
    if (s)
        fflush(s->out);
    g_free(s);
}

const phc_port_device *phc_serial_device(phc_serial *s)
{
    return &s->dev;
}
