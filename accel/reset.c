/*
 * Reset sources on the port bus. The 8042 runs commands written to 0x64;
 * 0xF0-0xFF pulse the output port's low four bits low for each bit clear in
 * the command, and output bit 0 is the CPU's reset line, so any even
 * command in that range resets (Linux writes 0xFE). Nothing else of the
 * controller exists. Its status reads 0xFD: the input buffer empty (bit 1
 * clear), so Linux's reboot code writes the command at once instead of
 * polling 65536 times (each poll a port exit); every other bit as with no
 * controller at all, the output buffer "full" of the all-ones the unclaimed
 * data port 0x60 reads, which never drains, so Linux's i8042 driver still
 * finds no controller. At 0xCF9 (Intel's RST_CNT)
 * writing bit 2 (RST_CPU) resets; bits 1 (SYS_RST) and 3 (FULL_RST) only
 * choose the kind and read back.
 */
#include "reset.h"

#define KBD_STATUS 0xfdu /* all ones but IBF (bit 1) */
#define KBD_PULSE_MASK 0xf0u
#define KBD_RESET_LINE 0x01u
#define RST_CPU 0x04u
#define RST_KIND_BITS 0x0au

static void kbd_write(void *opaque, uint16_t offset, unsigned size, uint32_t value)
{
    phc_reset *r = opaque;
    (void)offset;
    (void)size;
    uint8_t cmd = (uint8_t)value;
    if ((cmd & KBD_PULSE_MASK) == KBD_PULSE_MASK && !(cmd & KBD_RESET_LINE))
        r->fire(r->opaque, "the 8042 reset line (command 0xfe to port 0x64)");
}

static uint32_t kbd_status(void *opaque, uint16_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return KBD_STATUS;
}

static uint32_t control_read(void *opaque, uint16_t offset, unsigned size)
{
    const phc_reset *r = opaque;
    (void)offset;
    (void)size;
    return r->control;
}

static void control_write(void *opaque, uint16_t offset, unsigned size, uint32_t value)
{
    phc_reset *r = opaque;
    (void)offset;
    (void)size;
    r->control = (uint8_t)(value & RST_KIND_BITS);
    if (value & RST_CPU)
        r->fire(r->opaque, "the reset control register (port 0xcf9)");
}

bool phc_reset_attach(phc_reset *r, phc_portbus *bus)
{
    r->control = 0;
    r->kbd = (phc_port_device){ .name = "8042 reset", .base = PHC_RESET_8042_PORT, .len = 1,
                                .read = kbd_status, .write = kbd_write, .opaque = r };
    r->cf9 = (phc_port_device){ .name = "reset control", .base = PHC_RESET_CONTROL_PORT, .len = 1,
                                .read = control_read, .write = control_write, .opaque = r };
    return phc_portbus_add(bus, &r->kbd) && phc_portbus_add(bus, &r->cf9);
}
