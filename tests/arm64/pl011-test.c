/* The PL011 console model: output, flags, ID registers, read-back registers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pl011.h"
#include "check.h"


int main(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    kvm_arm64_pl011 u;
    kvm_arm64_pl011_init(&u, out);

    const char *msg = "hi\n";
    for (const char *p = msg; *p; p++)
        kvm_arm64_pl011_write(&u, 0x000, 0xf00u | (uint8_t)*p); /* bits above the byte: ignored */
    kvm_arm64_pl011_write(&u, 0x004, 'X'); /* RSR/ECR: not data */
    fflush(out);
    CHECK(len == 3 && memcmp(text, "hi\n", 3) == 0, "console got %zu bytes '%.*s'", len,
          (int)len, text);

    /* Flag register: TXFE (bit 7) and RXFE (bit 4), never busy or full. */
    CHECK(kvm_arm64_pl011_read(&u, 0x018) == 0x90, "FR = 0x%x", kvm_arm64_pl011_read(&u, 0x018));
    CHECK(kvm_arm64_pl011_read(&u, 0x000) == 0, "DR reads as nothing received");

    /* PL011 TRM: UARTPeriphID0-3 = 0x11 0x10 0x?4 0x00, UARTPCellID0-3 = 0x0d 0xf0 0x05 0xb1. */
    static const uint8_t cell[4] = { 0x0d, 0xf0, 0x05, 0xb1 };
    CHECK(kvm_arm64_pl011_read(&u, 0xfe0) == 0x11 && kvm_arm64_pl011_read(&u, 0xfe4) == 0x10 &&
              (kvm_arm64_pl011_read(&u, 0xfe8) & 0xf) == 0x4 && kvm_arm64_pl011_read(&u, 0xfec) == 0,
          "peripheral ID");
    for (unsigned i = 0; i < 4; i++)
        CHECK(kvm_arm64_pl011_read(&u, 0xff0 + 4 * i) == cell[i], "PrimeCell ID %u", i);

    /* IBRD FBRD LCR_H CR IFLS IMSC read back what was written. */
    for (uint64_t off = 0x24; off <= 0x38; off += 4) {
        kvm_arm64_pl011_write(&u, off, 0x300 + (uint32_t)off);
        CHECK(kvm_arm64_pl011_read(&u, off) == 0x300 + off, "register 0x%llx reads back",
              (unsigned long long)off);
    }
    /* Read-only, unaligned and out-of-frame offsets: no effect, read 0. */
    const uint64_t odd[] = { 0x3c, 0x40, 0x26, 0xffc + 4, 0x1000, UINT64_MAX };
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        kvm_arm64_pl011_write(&u, odd[i], 0xffffffff);
        CHECK(kvm_arm64_pl011_read(&u, odd[i]) == 0, "offset 0x%llx", (unsigned long long)odd[i]);
    }
    fclose(out);
    free(text);
    if (check_failures)
        return 1;
    printf("pl011: console model ok\n");
    return 0;
}
