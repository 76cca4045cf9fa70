/*
 * Rows 1 and 2: our TCG frontend against bare Unicorn, in one process.
 *
 * Row 1, code without hypercalls: our frontend vs no hooks at all (goal: as
 * fast) vs a catch-all per-instruction hook (the naive way, for scale).
 * Row 2, hypercall round trip: our frontend's full dispatch (handled call,
 * trivial handler) vs an empty callback on the same instruction (the goal's
 * baseline), and vs the least a useful callback does (context: what the
 * layer adds over reading the registers and answering).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "plain-unicorn.h"

/* The no-hypercall goal is within 2%: many short rounds beat a few long ones
 * for a median on a noisy machine. */
#define ALU_ROUNDS 15
#define CALL_ROUNDS 7

/* Iterations per run, lo and hi: sized so one hi run takes ~0.05-0.4 s. */
#define ALU_LO 5000000u
#define ALU_HI 30000000u
#define NAIVE_LO 50000u
#define NAIVE_HI 300000u
#define CALLS_LO 300000u
#define CALLS_HI 1500000u

static const phc_arch alu_arches[] = { PHC_ARCH_X86_64, PHC_ARCH_MIPS, PHC_ARCH_AARCH64,
                                       PHC_ARCH_RISCV64 };
static const phc_arch call_arches[] = { PHC_ARCH_X86_64, PHC_ARCH_MIPS, PHC_ARCH_RISCV64 };

/* NULL if our frontend can run @arch, else why not. */
static const char *frontend_missing(phc_arch arch)
{
    if (!&phc_accel_tcg)
        return "this build has no TCG frontend (phc_accel_tcg)";
    return phc_accel_tcg.unsupported(arch);
}

static void row_name(char *buf, size_t len, const char *arch, const char *what)
{
    snprintf(buf, len, "tcg %s: %s", arch, what);
}

static void alu_row(phc_arch arch)
{
    const char *arch_name = phc_abi_get(arch)->name;
    char name[128], guest_name[64], err[512], detail[256];
    row_name(name, sizeof(name), arch_name, "no-hypercall loop, our speed / plain Unicorn");
    snprintf(guest_name, sizeof(guest_name), "alu-%s", arch_name);

    bench_guest g;
    if (bench_guest_load(&g, guest_name, err, sizeof(err)) != 0) {
        bench_skip("1", name, err);
        return;
    }
    plain_unicorn plain = { &g, PLAIN_NO_HOOKS }, naive = { &g, PLAIN_CATCH_ALL };
    bench_accel_run ours = { &phc_accel_tcg, &g, 0, NULL };
    bench_variant v[] = {
        { "plain Unicorn", plain_unicorn_run, &plain, ALU_LO, ALU_HI, { 0 } },
        { "catch-all hook", plain_unicorn_run, &naive, NAIVE_LO, NAIVE_HI, { 0 } },
        { "our TCG frontend", bench_run_accel, &ours, ALU_LO, ALU_HI, { 0 } },
    };
    const char *missing = frontend_missing(arch);
    size_t nv = missing ? 2 : 3;
    if (bench_interleave(v, nv, ALU_ROUNDS, err, sizeof(err)) != 0) {
        bench_skip("1", name, err);
        bench_guest_free(&g);
        return;
    }

    if (missing) {
        bench_skip("1", name, missing);
    } else {
        snprintf(detail, sizeof(detail), "\"ours_ns_per_iter\": %.3f, \"plain_ns_per_iter\": %.3f",
                 bench_ns(&v[2], ALU_ROUNDS), bench_ns(&v[0], ALU_ROUNDS));
        /* speed ratio = plain time / our time, paired by round */
        bench_report("1", name, bench_ratio(&v[0], &v[2], ALU_ROUNDS), "x", ">= 0.98", detail);
    }
    row_name(name, sizeof(name), arch_name, "catch-all code hook, slowdown vs plain Unicorn");
    snprintf(detail, sizeof(detail),
             "\"naive_ns_per_iter\": %.3f, \"plain_ns_per_iter\": %.3f, \"expected\": \"~100x\"",
             bench_ns(&v[1], ALU_ROUNDS), bench_ns(&v[0], ALU_ROUNDS));
    bench_report("1", name, bench_ratio(&v[1], &v[0], ALU_ROUNDS), "x", NULL, detail);
    bench_guest_free(&g);
}

static void call_row(phc_arch arch)
{
    const char *arch_name = phc_abi_get(arch)->name;
    char name[128], guest_name[64], err[512], detail[256];
    row_name(name, sizeof(name), arch_name, "hypercall round trip, ours / empty Unicorn callback");
    snprintf(guest_name, sizeof(guest_name), "calls-%s", arch_name);

    const char *missing = frontend_missing(arch);
    if (missing) {
        bench_skip("2", name, missing);
        return;
    }
    bench_guest g;
    if (bench_guest_load(&g, guest_name, err, sizeof(err)) != 0) {
        bench_skip("2", name, err);
        return;
    }
    plain_unicorn empty = { &g, PLAIN_EMPTY_HOOK }, minimal = { &g, PLAIN_MINIMAL_HOOK };
    bench_accel_run ours = { &phc_accel_tcg, &g, 1, NULL };
    bench_variant v[] = {
        { "empty callback", plain_unicorn_run, &empty, CALLS_LO, CALLS_HI, { 0 } },
        { "our TCG frontend", bench_run_accel, &ours, CALLS_LO, CALLS_HI, { 0 } },
        { "minimal callback", plain_unicorn_run, &minimal, CALLS_LO, CALLS_HI, { 0 } },
    };
    if (bench_interleave(v, 3, CALL_ROUNDS, err, sizeof(err)) != 0) {
        bench_skip("2", name, err);
    } else {
        snprintf(detail, sizeof(detail),
                 "\"ours_ns_per_call\": %.1f, \"empty_ns_per_call\": %.1f, \"minimal_ns_per_call\": %.1f",
                 bench_ns(&v[1], CALL_ROUNDS), bench_ns(&v[0], CALL_ROUNDS), bench_ns(&v[2], CALL_ROUNDS));
        bench_report("2", name, bench_ratio(&v[1], &v[0], CALL_ROUNDS), "x", "<= 1.2", detail);
        row_name(name, sizeof(name), arch_name,
                 "hypercall round trip, ours / minimal Unicorn callback (reads args, answers)");
        bench_report("2", name, bench_ratio(&v[1], &v[2], CALL_ROUNDS), "x", NULL, NULL);
    }
    bench_guest_free(&g);
}

/*
 * --once VARIANT GUEST N: one run and nothing else, for valgrind's
 * instruction counts (bench/callgrind.py). VARIANT: ours, plain (no hooks),
 * empty or minimal (callback on the sentinel).
 */
static int run_once(const char *variant, const char *guest_name, uint64_t n)
{
    static const struct {
        const char *name;
        plain_hooks hooks;
    } plain[] = { { "plain", PLAIN_NO_HOOKS }, { "empty", PLAIN_EMPTY_HOOK }, { "minimal", PLAIN_MINIMAL_HOOK } };
    char err[512];
    bench_guest g;
    if (bench_guest_load(&g, guest_name, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench-tcg: %s\n", err);
        return 1;
    }
    double t = -1;
    if (!strcmp(variant, "ours")) {
        const char *missing = frontend_missing(g.image.abi->arch);
        bench_accel_run ours = { &phc_accel_tcg, &g, !strncmp(guest_name, "calls-", 6), NULL };
        if (missing)
            snprintf(err, sizeof(err), "%s", missing);
        else
            t = bench_run_accel(&ours, n, err, sizeof(err));
    } else {
        snprintf(err, sizeof(err), "unknown variant %s", variant);
        for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
            if (!strcmp(variant, plain[i].name)) {
                plain_unicorn p = { &g, plain[i].hooks };
                t = plain_unicorn_run(&p, n, err, sizeof(err));
            }
        }
    }
    bench_guest_free(&g);
    if (t < 0) {
        fprintf(stderr, "bench-tcg: %s\n", err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "--once"))
        return run_once(argv[2], argv[3], strtoull(argv[4], NULL, 0));
    if (argc != 1) {
        fprintf(stderr, "usage: bench-tcg [--once ours|plain|empty|minimal GUEST N]\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof(alu_arches) / sizeof(alu_arches[0]); i++)
        alu_row(alu_arches[i]);
    for (size_t i = 0; i < sizeof(call_arches) / sizeof(call_arches[0]); i++)
        call_row(call_arches[i]);
    return 0;
}
