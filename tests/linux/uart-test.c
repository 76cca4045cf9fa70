/*
 * The UART at 0x3f8 through the port bus, driven the way Linux's 8250 driver
 * probes and uses it (drivers/tty/serial/8250/8250_port.c: autoconfig(),
 * autoconfig_8250(), serial8250_do_startup(), the console's polled write),
 * so the kernel console finds a 16450 and never waits. The expected values
 * are the driver's conditions, not read from the device under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "portbus.h"

#define COM1 0x3f8
enum { THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6,
       SCR = 7 };

static unsigned failures;
static phc_portbus *bus;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static uint8_t in(unsigned reg)
{
    return (uint8_t)phc_portbus_in(bus, COM1 + reg, 1);
}

static void out(unsigned reg, uint8_t v)
{
    phc_portbus_out(bus, COM1 + reg, 1, v);
}

/* autoconfig(): the IER read-back test that decides whether a UART is there. */
static void probe_ier(void)
{
    uint8_t saved = in(IER);
    out(IER, 0);
    uint8_t zero = in(IER) & 0x0f;
    out(IER, 0x0f);
    uint8_t all = in(IER) & 0x0f;
    out(IER, saved);
    CHECK(zero == 0 && all == 0x0f, "IER test: read back 0x%x and 0x%x, want 0 and 0xf", zero, all);
}

/* autoconfig(): loopback with RTS and OUT2 must show CTS and DCD (0x90). */
static void probe_loopback(void)
{
    uint8_t saved = in(MCR);
    out(MCR, 0x10 | 0x0a);
    uint8_t status = in(MSR) & 0xf0;
    out(THR, 'L'); /* looped back, never on the line */
    out(MCR, saved);
    CHECK(status == 0x90, "loopback MSR 0x%x, want 0x90", status);
}

/* autoconfig(): IIR bits 7:6 after enabling the FIFO pick the family; 0
 * leads to autoconfig_8250(), whose scratch test then says 16450. */
static void probe_type(void)
{
    out(LCR, 0);
    out(FCR, 0x01);
    uint8_t family = in(IIR) >> 6;
    out(FCR, 0);
    CHECK(family == 0, "IIR family %u, want 0 (no FIFO)", family);
    out(SCR, 0xa5);
    uint8_t a = in(SCR);
    out(SCR, 0x5a);
    uint8_t b = in(SCR);
    CHECK(a == 0xa5 && b == 0x5a, "scratch read 0x%x 0x%x, want 0xa5 0x5a", a, b);
    CHECK((in(IIR) & 0x01) == 0x01, "IIR claims a pending interrupt");
}

/* serial8250_do_set_termios(): the divisor goes through DLAB and prints nothing. */
static void set_baud(void)
{
    out(LCR, 0x80 | 0x03);
    out(DLL, 0x01);
    out(DLM, 0x00);
    uint8_t dll = in(DLL), dlm = in(DLM);
    out(LCR, 0x03);
    CHECK(dll == 0x01 && dlm == 0x00, "divisor read back 0x%x 0x%x", dll, dlm);
    CHECK(in(LCR) == 0x03, "LCR read back 0x%x", in(LCR));
    CHECK(in(IER) == 0x00, "the divisor write leaked into IER (0x%x)", in(IER));
}

/* serial8250_console_write(): wait for THRE, send, wait for TEMT. */
static void console_write(const char *text)
{
    for (const char *p = text; *p; p++) {
        int spins = 0;
        while (!(in(LSR) & 0x20) && ++spins < 1000)
            ;
        CHECK(spins == 0, "THRE not set: the console would stall");
        out(THR, (uint8_t)*p);
    }
    CHECK((in(LSR) & 0x60) == 0x60, "transmitter not empty after the write");
    CHECK((in(LSR) & 0x01) == 0, "data ready, yet nothing was sent to us");
}

int main(void)
{
    char *console_text = NULL;
    size_t console_len = 0;
    FILE *console = open_memstream(&console_text, &console_len);
    bus = phc_portbus_new(console);

    probe_ier();
    probe_loopback();
    probe_type();
    set_baud();
    out(MCR, 0x0b); /* DTR, RTS, OUT2: serial8250_set_mctrl() */
    CHECK((in(MSR) & 0xb0) == 0xb0, "modem status 0x%x: no carrier, DSR or CTS", in(MSR));
    console_write("Linux version 6.1\n");

    phc_portbus_free(bus);
    fclose(console);
    CHECK(strcmp(console_text, "Linux version 6.1\n") == 0,
          "the console got \"%s\": only the console write belongs there", console_text);
    free(console_text);
    if (failures) {
        fprintf(stderr, "%u check(s) failed\n", failures);
        return 1;
    }
    puts("uart: the 8250 driver's probe and polled console write pass");
    return 0;
}
