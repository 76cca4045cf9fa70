/*
 * Row 6: a Python handler's hypercall round trip against a C handler's.
 * The same guest loop (calls-x86_64: the test call, answered 13) runs with
 * the built-in C handler and with bench/python/answer.py registered over it
 * through phc-run's embedding (python/phc-python.c), under TCG and KVM.
 * The ratio is whole round trips (guest exit, decode, dispatch, answer),
 * so it says what a user sees, not the Python call alone; the detail gives
 * both per-call times and their difference, the Python part.
 */
#include <stdio.h>
#include <string.h>
#include "bench.h"
#include "phc-python.h"

#define ROUNDS 5

static int register_python(phc_dispatcher *d, char *err, size_t errlen)
{
    const char *files[] = { BENCH_PYTHON_DIR "/answer.py" };
    return phc_python_load(d, files, 1, err, errlen);
}

/* Calls per run: the C rows are cheap, Python's a few microseconds a call. */
typedef struct sizes {
    uint64_t c_lo, c_hi, py_lo, py_hi;
} sizes;

static void python_row(const phc_accel *accel, const sizes *n)
{
    char name[128], err[512], detail[256];
    snprintf(name, sizeof(name), "%s x86_64: hypercall round trip, Python handler / C handler",
             accel ? accel->name : "?");
    const char *missing = accel ? accel->unsupported(PHC_ARCH_X86_64)
                                : "this build has no such frontend";
    if (missing) {
        bench_skip("6", name, missing);
        return;
    }
    bench_guest g;
    if (bench_guest_load(&g, "calls-x86_64", err, sizeof(err)) != 0) {
        bench_skip("6", name, err);
        return;
    }
    bench_accel_run c = { accel, &g, 1, NULL }, py = { accel, &g, 1, register_python };
    bench_variant v[] = {
        { "C handler", bench_run_accel, &c, n->c_lo, n->c_hi, { 0 } },
        { "Python handler", bench_run_accel, &py, n->py_lo, n->py_hi, { 0 } },
    };
    if (bench_interleave(v, 2, ROUNDS, err, sizeof(err)) != 0) {
        bench_skip("6", name, err);
    } else {
        double c_ns = bench_ns(&v[0], ROUNDS), py_ns = bench_ns(&v[1], ROUNDS);
        snprintf(detail, sizeof(detail),
                 "\"python_ns_per_call\": %.0f, \"c_ns_per_call\": %.0f, \"python_part_ns\": %.0f",
                 py_ns, c_ns, py_ns - c_ns);
        bench_report("6", name, bench_ratio(&v[1], &v[0], ROUNDS), "x", NULL, detail);
    }
    bench_guest_free(&g);
}

/* usage: bench-python [tcg|kvm] (default both; scripts/bench.sh runs the
 * KVM row through scripts/kvm-host when this machine has no real KVM). */
int main(int argc, char **argv)
{
    static const sizes tcg = { 100000, 500000, 20000, 100000 };
    static const sizes kvm = { 2000, 10000, 2000, 10000 };
    const char *only = argc > 1 ? argv[1] : "";
    if (argc > 2 || (*only && strcmp(only, "tcg") && strcmp(only, "kvm"))) {
        fprintf(stderr, "usage: bench-python [tcg|kvm]\n");
        return 2;
    }
    if (strcmp(only, "kvm"))
        python_row(&phc_accel_tcg ? &phc_accel_tcg : NULL, &tcg);
    if (strcmp(only, "tcg"))
        python_row(&phc_accel_kvm ? &phc_accel_kvm : NULL, &kvm);
    return 0;
}
