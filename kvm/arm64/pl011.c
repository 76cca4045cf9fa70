/* PL011 registers (ARM PrimeCell UART PL011 TRM, r1p5: DDI0183). */
#include <string.h>
#include "pl011.h"

enum {
    UARTDR = 0x000,
    UARTFR = 0x018,
    UARTIBRD = 0x024,
    UARTLCR_H = 0x02c,
    UARTIMSC = 0x038,
    UARTPERIPHID0 = 0xfe0,
};

#define FR_TXFE (1u << 7)
#define FR_RXFE (1u << 4)

/* Stored read/write registers: IBRD, FBRD, LCR_H, CR, IFLS, IMSC at 0x24..0x38. */
static int ctrl_index(uint64_t off)
{
    return off >= UARTIBRD && off <= UARTIMSC && off % 4 == 0 ? (int)((off - UARTIBRD) / 4) : -1;
}

/* PeriphID0..3 then PrimeCellID0..3: part 0x011, designer ARM (0x41), revision 3. */
static const uint8_t id_regs[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

void kvm_arm64_pl011_init(kvm_arm64_pl011 *u, FILE *out)
{
    memset(u, 0, sizeof(*u));
    u->out = out;
}

uint32_t kvm_arm64_pl011_read(kvm_arm64_pl011 *u, uint64_t off)
{
    int i = ctrl_index(off);
    if (i >= 0)
        return u->ctrl[i];
    if (off == UARTFR)
        return FR_TXFE | FR_RXFE;
    if (off >= UARTPERIPHID0 && off < UARTPERIPHID0 + 4 * sizeof(id_regs) && off % 4 == 0)
        return id_regs[(off - UARTPERIPHID0) / 4];
    return 0; /* DR (nothing received), status and interrupt registers: all clear */
}

void kvm_arm64_pl011_write(kvm_arm64_pl011 *u, uint64_t off, uint32_t value)
{
    int i = ctrl_index(off);
    if (off == UARTDR) {
        fputc(value & 0xff, u->out);
        if ((value & 0xff) == '\n')
            fflush(u->out);
    } else if (i >= 0) {
        u->ctrl[i] = value;
    }
}
