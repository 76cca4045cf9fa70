/*
 * What the TCG frontend refuses, each with a one-line reason and no run:
 * architectures no engine here runs, -smp above 1, an image outside RAM,
 * RAM that is not whole pages. And what it accepts.
 */
#include <string.h>
#include "../../accel/tcg/tcg.h"
#include "check.h"

static const uint8_t code[4]; /* never runs: every case is refused first */

static void expect_error(const char *what, phc_arch arch, unsigned smp, uint64_t addr, uint64_t mem,
                         const char *needle)
{
    phc_segment seg = { .addr = addr, .data = code, .filesz = sizeof(code), .memsz = sizeof(code) };
    phc_image img = { .abi = phc_abi_get(arch), .entry = addr, .segs = &seg, .nsegs = 1 };
    phc_dispatcher *d = phc_dispatcher_new();
    phc_run_config cfg = { .abi = img.abi, .image = &img, .mem_size = mem, .smp = smp, .dispatcher = d };
    phc_run_result res;
    tcg_stats stats;
    tcg_accel_run(&cfg, &res, &stats);
    CHECK(res.end == PHC_END_ERROR, "%s: ended as %s", what, phc_end_name(res.end));
    CHECK(strstr(res.reason, needle) && !strchr(res.reason, '\n'), "%s: reason \"%s\" lacks \"%s\"", what,
          res.reason, needle);
    CHECK(stats.starts == 0, "%s: the engine started %llu times", what, (unsigned long long)stats.starts);
    phc_dispatcher_free(d);
}

int main(void)
{
    for (phc_arch a = 0; a < PHC_ARCH_COUNT; a++) {
        const char *why = phc_accel_tcg.unsupported(a);
        bool refused = a == PHC_ARCH_LOONGARCH64 || a == PHC_ARCH_MIPS64 || a == PHC_ARCH_MIPS64EL;
        CHECK(!why == !refused, "%s: unsupported() says \"%s\"", phc_abi_get(a)->name, why ? why : "(runs)");
    }
    expect_error("loongarch64", PHC_ARCH_LOONGARCH64, 1, 0x10000, 1 << 20, "LoongArch");
    expect_error("mips64el", PHC_ARCH_MIPS64EL, 1, 0x10000, 1 << 20, "MIPS64");
    expect_error("-smp 2", PHC_ARCH_RISCV64, 2, 0x10000, 1 << 20, "-smp 2");
    expect_error("outside RAM", PHC_ARCH_AARCH64, 1, (1 << 20) - 2, 1 << 20, "outside guest RAM");
    expect_error("RAM not pages", PHC_ARCH_X86_64, 1, 0x10000, (1 << 20) + 1, "4 KiB pages");
    expect_error("RAM over 4 GiB for a 32-bit guest", PHC_ARCH_ARM, 1, 0x10000, UINT64_C(8) << 30, "32-bit");
    return check_report("tcg-refuse");
}
