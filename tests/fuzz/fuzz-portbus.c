/*
 * The x86 port bus with its UART, driven by random port IO as a hostile
 * guest would (any port, any size, string IO repeated): ports nobody claims
 * read as all ones of the access size and count every write as dropped; the
 * UART's scratch register and line control read back what was written; the
 * transmitter is always ready. Console bytes go to /dev/null.
 */
#include "portbus.h"
#include "serial.h"
#include "input.h"

static bool serial_port(uint16_t port)
{
    return port >= PHC_SERIAL_BASE && port < PHC_SERIAL_BASE + 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *console;
    if (!console)
        console = fopen("/dev/null", "w");
    FUZZ_CHECK(console, "/dev/null");
    phc_portbus *bus = phc_portbus_new(console);
    fuzz_input in = { data, size, 0 };
    uint64_t dropped = 0;
    while (fuzz_left(&in) > 0) {
        uint8_t op = fuzz_u8(&in);
        /* mostly the UART's eight ports, sometimes anywhere */
        uint16_t port = op & 0x80 ? (uint16_t)fuzz_take(&in, 2) : PHC_SERIAL_BASE + (op & 7);
        unsigned width = op & 0x40 ? (unsigned)fuzz_u8(&in) : 1u << ((op >> 3) & 3);
        uint32_t value = (uint32_t)fuzz_take(&in, 4);
        uint32_t ones = width >= 4 ? UINT32_MAX : (UINT32_C(1) << (8 * width)) - 1;
        if (op & 0x20) {
            phc_portbus_out(bus, port, width, value);
            dropped += !serial_port(port);
            if (port == PHC_SERIAL_BASE + 7) /* the scratch register */
                FUZZ_CHECK(phc_portbus_in(bus, port, 1) == (value & 0xff), "scratch");
            if (port == PHC_SERIAL_BASE + 3)
                FUZZ_CHECK(phc_portbus_in(bus, port, 1) == (value & 0xff), "line control");
        } else {
            uint32_t got = phc_portbus_in(bus, port, width);
            FUZZ_CHECK((got & ~ones) == 0, "port 0x%x size %u: 0x%x beyond the access size", port,
                       width, got);
            if (!serial_port(port))
                FUZZ_CHECK(got == ones, "port 0x%x size %u: 0x%x, not all ones", port, width, got);
            if (port == PHC_SERIAL_BASE + 5 && width)
                FUZZ_CHECK((got & 0x60) == 0x60, "line status: transmitter not ready");
        }
    }
    FUZZ_CHECK(phc_portbus_dropped(bus) == dropped, "%llu writes dropped, want %llu",
               (unsigned long long)phc_portbus_dropped(bus), (unsigned long long)dropped);
    phc_portbus_free(bus);
    return 0;
}
