/*
 * What every benchmark program shares: side-by-side timing, the report
 * format, and the benchmark guests.
 *
 * The machines are shared and noisy, so no figure is an absolute time on its
 * own: variants run interleaved (A B C, B C A, ...), each sample is a marginal cost
 * per iteration (two runs of different length, so set-up and tear-down
 * cancel out), and the reported figure is a median, usually of per-round
 * ratios between variants measured back to back.
 */
#ifndef PHC_BENCH_H
#define PHC_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <phc/accel.h>

#define BENCH_MAX_ROUNDS 15

/* Monotonic wall-clock seconds. */
double bench_now(void);
/*
 * This process's CPU seconds, all threads, dead ones included; KVM guest time
 * counts as the vCPU thread's. What a run costs, without the time other
 * programs on a loaded machine take from it: the clock runs take.
 */
double bench_cpu_now(void);
/* Median of @n values (reorders @v). */
double bench_median(double *v, size_t n);

/* One run of a variant with @n iterations: seconds (CPU, unless the variant
 * measures parallelism), or < 0 (reason in @err). */
typedef double (*bench_run_fn)(void *ctx, uint64_t n, char *err, size_t errlen);

typedef struct bench_variant {
    const char *name;
    bench_run_fn run;
    void *ctx;
    uint64_t n_lo, n_hi;              /* the two run lengths */
    double per_iter[BENCH_MAX_ROUNDS]; /* marginal seconds per iteration, by round */
} bench_variant;

/*
 * Run every variant @rounds times, interleaved, filling per_iter. Returns 0,
 * or -1 with the failing variant's reason in @err.
 */
int bench_interleave(bench_variant *v, size_t nv, unsigned rounds, char *err, size_t errlen);
/* Median over rounds of a's per_iter / b's per_iter (paired by round). */
double bench_ratio(const bench_variant *a, const bench_variant *b, unsigned rounds);
/* Median per-iteration time of one variant, in nanoseconds. */
double bench_ns(const bench_variant *v, unsigned rounds);

/*
 * The report: one JSON object per line on stdout, read by bench/report.py.
 * @goal is NULL (a figure shown for context) or ">= X" / "<= X", checked here.
 * @detail is a JSON object's members ("\"a\": 1, ...") or NULL.
 */
void bench_report(const char *row, const char *name, double value, const char *unit,
                  const char *goal, const char *detail);
/* A row that could not be measured here: also said loudly on stderr. */
void bench_skip(const char *row, const char *name, const char *why);

/*
 * A benchmark guest (bench/guests/README.md): a static ELF whose loop count
 * is a word at BENCH_COUNT_ADDR, patched in memory before every run.
 */
#define BENCH_TEXT_ADDR  0x10000
#define BENCH_DONE_ADDR  0x10100
#define BENCH_COUNT_ADDR 0x10200
#define BENCH_MEM_SIZE   (32u << 20)

typedef struct bench_guest {
    phc_image image;
    uint8_t *count; /* the count word inside the image's own copy */
} bench_guest;

/* Load bench/guests' @name ("alu-mips"); -1 with a reason if it is not built. */
int bench_guest_load(bench_guest *g, const char *name, char *err, size_t errlen);
void bench_guest_set_count(bench_guest *g, uint64_t n);
void bench_guest_free(bench_guest *g);

/* The accelerators, if this build has them (weak: either may be missing). */
extern const phc_accel phc_accel_tcg __attribute__((weak));
extern const phc_accel phc_accel_kvm __attribute__((weak));

/*
 * Run @g to its exit through @accel with the built-in hypercalls, and check
 * that the accelerator saw every hypercall the guest made (a frontend that
 * misses calls must not look fast).
 */
typedef struct bench_accel_run {
    const phc_accel *accel;
    bench_guest *guest;
    unsigned calls_per_iter; /* hypercalls in one loop iteration */
    /* NULL, or more set-up of each run's dispatcher after the built-ins
     * (bench-python registers Python handlers); 0 or -1 with @err. */
    int (*prepare)(phc_dispatcher *d, char *err, size_t errlen);
} bench_accel_run;
double bench_run_accel(void *ctx, uint64_t n, char *err, size_t errlen);

#endif
