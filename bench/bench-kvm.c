/*
 * Row 3: the x86 hypercall round trip under KVM. Our frontend (sync
 * registers, port bus, dispatcher, handled call) against a raw KVM_EXIT_IO
 * round trip with an empty handler, and against the QEMU fork's full state
 * synchronisation per call, all on the same guest in one process.
 */
#include <stdio.h>
#include "bench.h"
#include "raw-kvm.h"

#define ROUNDS 9
#define CALLS_LO 2000u
#define CALLS_HI 10000u
/* Exits cost tens of microseconds on this nested host: short runs, more rounds.
 * The full sync is several times slower still: fewer calls. */
#define FULL_LO 500u
#define FULL_HI 2500u

static const char *const name_ours = "kvm x86_64: hypercall round trip, ours / raw KVM_EXIT_IO";
static const char *const name_full =
    "kvm x86_64: QEMU-style full state sync per call / ours";

int main(void)
{
    char err[512], detail[256];
    const char *missing = raw_kvm_unavailable();
    if (!missing && !&phc_accel_kvm)
        missing = "this build has no KVM frontend (phc_accel_kvm)";
    if (!missing)
        missing = phc_accel_kvm.unsupported(PHC_ARCH_X86_64);
    if (missing) {
        bench_skip("3", name_ours, missing);
        bench_skip("3", name_full, missing);
        return 0;
    }
    bench_guest g;
    if (bench_guest_load(&g, "calls-x86_64", err, sizeof(err)) != 0) {
        bench_skip("3", name_ours, err);
        bench_skip("3", name_full, err);
        return 0;
    }
    raw_kvm raw = { &g, RAW_KVM_NO_SYNC, 0 }, full = { &g, RAW_KVM_FULL_STATE, 0 };
    bench_accel_run ours = { &phc_accel_kvm, &g, 1, NULL };
    bench_variant v[] = {
        { "raw KVM_EXIT_IO", raw_kvm_run, &raw, CALLS_LO, CALLS_HI, { 0 } },
        { "our KVM frontend", bench_run_accel, &ours, CALLS_LO, CALLS_HI, { 0 } },
        { "full state sync", raw_kvm_run, &full, FULL_LO, FULL_HI, { 0 } },
    };
    if (bench_interleave(v, 3, ROUNDS, err, sizeof(err)) != 0) {
        bench_skip("3", name_ours, err);
        bench_skip("3", name_full, err);
        bench_guest_free(&g);
        return 0;
    }
    snprintf(detail, sizeof(detail), "\"ours_ns_per_call\": %.0f, \"raw_ns_per_call\": %.0f",
             bench_ns(&v[1], ROUNDS), bench_ns(&v[0], ROUNDS));
    bench_report("3", name_ours, bench_ratio(&v[1], &v[0], ROUNDS), "x", "<= 1.05", detail);
    snprintf(detail, sizeof(detail),
             "\"full_sync_ns_per_call\": %.0f, \"ours_ns_per_call\": %.0f, \"msrs_synced\": %u",
             bench_ns(&v[2], ROUNDS), bench_ns(&v[1], ROUNDS), full.nmsrs);
    bench_report("3", name_full, bench_ratio(&v[2], &v[1], ROUNDS), "x", NULL, detail);
    bench_guest_free(&g);
    return 0;
}
