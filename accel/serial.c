/*
 * The UART: enough of a 16450 for a polling guest and for Linux's 8250
 * driver. Transmit goes to the console; the line status always says the
 * transmitter is empty, so nobody waits; nothing is ever received. The
 * registers a driver probes read back what it wrote: IER (low four bits),
 * LCR, MCR, the scratch register and the divisor latch (behind LCR.DLAB, so
 * setting the baud rate prints nothing). IIR always reads "no interrupt
 * pending, no FIFO": Linux then takes the port for a 16450 whose transmit
 * interrupt does not work and drives it from a timer, so no interrupt line
 * is needed. In loopback mode (MCR.LOOP) output is not sent and the modem
 * status reflects MCR, as the driver's loopback test expects.
 */
#include <glib.h>
#include "serial.h"

enum { RBR_THR_DLL = 0, IER_DLM = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7,
       NREGS = 8 };

#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f
#define IER_MASK 0x0f
#define IIR_NO_INTERRUPT 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
/* Modem status: carrier, data set ready and clear to send, as a cable would. */
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

struct phc_serial {
    FILE *out;
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    phc_port_device dev;
};

/* In loopback the modem inputs are wired to the modem outputs. */
static uint8_t modem_status(const phc_serial *s)
{
    if (!(s->mcr & MCR_LOOP))
        return MSR_DCD | MSR_DSR | MSR_CTS;
    return (s->mcr & 0x01 ? MSR_DSR : 0) | (s->mcr & 0x02 ? MSR_CTS : 0) |
           (s->mcr & 0x04 ? MSR_RI : 0) | (s->mcr & 0x08 ? MSR_DCD : 0);
}

static uint32_t serial_read(void *opaque, uint16_t offset, unsigned size)
{
    phc_serial *s = opaque;
    bool dlab = s->lcr & LCR_DLAB;
    (void)size;
    switch (offset) {
    case RBR_THR_DLL: return dlab ? s->dll : 0; /* nothing is ever received */
    case IER_DLM: return dlab ? s->dlm : s->ier;
    case IIR_FCR: return IIR_NO_INTERRUPT;
    case LCR: return s->lcr;
    case MCR: return s->mcr;
    case LSR: return LSR_THRE | LSR_TEMT;
    case MSR: return modem_status(s);
    default: return s->scr;
    }
}

static void transmit(phc_serial *s, uint8_t c)
{
    if (s->mcr & MCR_LOOP)
        return;
    fputc(c, s->out);
    if (c == '\n')
        fflush(s->out);
}

static void serial_write(void *opaque, uint16_t offset, unsigned size, uint32_t value)
{
    phc_serial *s = opaque;
    bool dlab = s->lcr & LCR_DLAB;
    uint8_t v = value & 0xff;
    (void)size;
    switch (offset) {
    case RBR_THR_DLL:
        if (dlab)
            s->dll = v;
        else
            transmit(s, v);
        break;
    case IER_DLM:
        if (dlab)
            s->dlm = v;
        else
            s->ier = v & IER_MASK;
        break;
    case LCR: s->lcr = v; break;
    case MCR: s->mcr = v & MCR_MASK; break;
    case SCR: s->scr = v; break;
    default: break; /* FCR (no FIFO), LSR and MSR are not writable */
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
