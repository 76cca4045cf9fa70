/*
 * The reset sources on the port bus, driven as Linux's reboot code drives
 * them (arch/x86/kernel/reboot.c: kb_wait() then 0xFE to port 0x64 for
 * reboot=k; for reboot=p, 0xCF9 read, then written with SYS_RST, then with
 * SYS_RST | RST_CPU), against the 8042's and Intel's RST_CNT descriptions.
 */
#include <string.h>
#include "check.h"
#include "portbus.h"
#include "reset.h"

static unsigned resets;
static char last_how[128];

static void fire(void *opaque, const char *how)
{
    (void)opaque;
    resets++;
    strncpy(last_how, how, sizeof(last_how) - 1);
}

int main(void)
{
    FILE *console = fopen("/dev/null", "w");
    phc_portbus *bus = phc_portbus_new(console);
    phc_reset reset = { .fire = fire };
    CHECK(phc_reset_attach(&reset, bus), "the reset ports are free on a new bus");

    /* kb_wait() polls the status until "input buffer empty" (bit 1 clear),
     * up to 65536 times; i8042_flush() reads the data port while "output
     * buffer full" (bit 0) and gives up after 16 (no controller). */
    uint32_t status = phc_portbus_in(bus, 0x64, 1);
    CHECK((status & 0x02) == 0, "8042 status 0x%x: input buffer full", status);
    CHECK((status & 0x01) != 0, "8042 status 0x%x: output buffer empty", status);
    CHECK_EQ(phc_portbus_in(bus, 0x60, 1), 0xff, "8042 data");
    /* Commands that are not an output-port pulse of the reset line. */
    const uint8_t harmless[] = { 0x20, 0x60, 0xa7, 0xad, 0xd1, 0xf1, 0xff };
    for (size_t i = 0; i < sizeof(harmless); i++)
        phc_portbus_out(bus, 0x64, 1, harmless[i]);
    CHECK_EQ(resets, 0, "resets after commands that do not pulse the reset line");
    phc_portbus_out(bus, 0x64, 1, 0xfe);
    CHECK_EQ(resets, 1, "resets after command 0xfe");
    CHECK(strstr(last_how, "0x64") != NULL, "the reset says %s", last_how);
    phc_portbus_out(bus, 0x64, 1, 0xf0); /* pulses all four, the reset line among them */
    CHECK_EQ(resets, 2, "resets after command 0xf0");
    /* Port 0x60 (the 8042's data port) is not claimed. */
    uint64_t dropped = phc_portbus_dropped(bus);
    phc_portbus_out(bus, 0x60, 1, 0xfe);
    CHECK_EQ(phc_portbus_dropped(bus), dropped + 1, "writes to 0x60 dropped");

    /* reboot=p: read, choose a hard reset (bit 1), then pull RST_CPU (bit 2). */
    resets = 0;
    CHECK_EQ(phc_portbus_in(bus, 0xcf9, 1), 0, "0xcf9 after power-on");
    phc_portbus_out(bus, 0xcf9, 1, 0x02);
    CHECK_EQ(resets, 0, "resets after SYS_RST alone");
    CHECK_EQ(phc_portbus_in(bus, 0xcf9, 1), 0x02, "0xcf9 reads back SYS_RST");
    phc_portbus_out(bus, 0xcf9, 1, 0x08 | 0x02);
    CHECK_EQ(phc_portbus_in(bus, 0xcf9, 1), 0x0a, "0xcf9 reads back FULL_RST and SYS_RST");
    phc_portbus_out(bus, 0xcf9, 1, 0x06);
    CHECK_EQ(resets, 1, "resets after RST_CPU");
    CHECK(strstr(last_how, "0xcf9") != NULL, "the reset says %s", last_how);
    CHECK_EQ(phc_portbus_in(bus, 0xcf9, 1) & 0x04, 0, "RST_CPU reading back");
    /* PCI configuration's dword at 0xCF8 is not the reset register. */
    phc_portbus_out(bus, 0xcf8, 4, 0x80000000u | 0x04);
    CHECK_EQ(resets, 1, "resets after a PCI configuration address write");

    phc_reset again = { .fire = fire };
    CHECK(!phc_reset_attach(&again, bus), "a second set of reset ports on one bus");
    phc_portbus_free(bus);
    fclose(console);
    return check_report("reset ports");
}
