/*
 * Exhaustive sentinel sweep: every one of the 2^32 four-byte patterns goes
 * through phc_sentinel_match, and exactly one may be accepted, with length
 * 4: the bytes the cross assembler produced for the sentinel (FILE, written
 * by asm_oracle.py). Walking raw byte patterns rather than words covers
 * every word in every byte order, so the sweep takes no layout on trust:
 * the one accepted pattern is compared byte for byte with the assembler's.
 *
 *   sweep ARCH ISA FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "probe-args.h"

/* volatile: the compiler must call the matcher for every pattern */
static size_t (*volatile matcher)(phc_arch, phc_isa, const uint8_t *, size_t) = phc_sentinel_match;

int main(int argc, char **argv)
{
    phc_arch arch;
    phc_isa isa;
    size_t len;
    if (argc != 4 || !probe_parse_target(argv[1], argv[2], &arch, &isa)) {
        fputs("usage: sweep ARCH ISA FILE\n", stderr);
        return 2;
    }
    uint8_t *want = probe_read_file(argv[3], &len);
    if (!want)
        return 2;
    if (len != 4) {
        fprintf(stderr, "%s: %zu bytes, want the 4 of one sentinel\n", argv[3], len);
        return 2;
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t accepted = 0, bad_length = 0;
    uint8_t hit[4] = { 0 };
    for (uint64_t i = 0; i <= UINT32_MAX; i++) {
        uint32_t pattern = (uint32_t)i;
        uint8_t b[4];
        memcpy(b, &pattern, 4);
        size_t n = matcher(arch, isa, b, sizeof(b));
        if (n == 0)
            continue;
        accepted++;
        bad_length += n != 4;
        memcpy(hit, b, 4);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    printf("%s/%s: %llu of 2^32 patterns accepted in %.2f s", argv[1], argv[2],
           (unsigned long long)accepted, secs);
    if (accepted)
        printf(" (last %02x %02x %02x %02x)", hit[0], hit[1], hit[2], hit[3]);
    printf("; assembler: %02x %02x %02x %02x\n", want[0], want[1], want[2], want[3]);

    int ok = accepted == 1 && bad_length == 0 && memcmp(hit, want, 4) == 0;
    if (!ok)
        fprintf(stderr, "FAIL: want exactly the assembler's pattern accepted, with length 4\n");
    free(want);
    return ok ? 0 : 1;
}
