/* Side-by-side timing, the JSON-lines report, and the benchmark guests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <phc/builtins.h>
#include "bench.h"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double bench_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int marginal(bench_variant *v, unsigned round, char *err, size_t errlen)
{
    double lo = v->run(v->ctx, v->n_lo, err, errlen);
    double hi = lo < 0 ? lo : v->run(v->ctx, v->n_hi, err, errlen);
    if (hi < 0)
        return -1;
    v->per_iter[round] = (hi - lo) / (double)(v->n_hi - v->n_lo);
    return 0;
}

int bench_interleave(bench_variant *v, size_t nv, unsigned rounds, char *err, size_t errlen)
{
    if (rounds > BENCH_MAX_ROUNDS)
        rounds = BENCH_MAX_ROUNDS;
    for (unsigned r = 0; r < rounds; r++) {
        /* each round starts with the next variant, so none always runs first */
        for (size_t k = 0; k < nv; k++) {
            size_t i = (r + k) % nv;
            char why[256] = "";
            if (marginal(&v[i], r, why, sizeof(why)) != 0) {
                snprintf(err, errlen, "%s: %s", v[i].name, why);
                return -1;
            }
        }
    }
    return 0;
}

double bench_ratio(const bench_variant *a, const bench_variant *b, unsigned rounds)
{
    double r[BENCH_MAX_ROUNDS];
    for (unsigned i = 0; i < rounds; i++)
        r[i] = a->per_iter[i] / b->per_iter[i];
    return bench_median(r, rounds);
}

double bench_ns(const bench_variant *v, unsigned rounds)
{
    double t[BENCH_MAX_ROUNDS];
    memcpy(t, v->per_iter, rounds * sizeof(*t));
    return bench_median(t, rounds) * 1e9;
}

static bool goal_met(const char *goal, double value)
{
    double bound = atof(goal + 2);
    return !strncmp(goal, ">=", 2) ? value >= bound : value <= bound;
}

void bench_report(const char *row, const char *name, double value, const char *unit,
                  const char *goal, const char *detail)
{
    printf("{\"row\": \"%s\", \"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"", row, name,
           isfinite(value) ? value : -1.0, unit);
    if (goal)
        printf(", \"goal\": \"%s\", \"met\": %s", goal,
               isfinite(value) && goal_met(goal, value) ? "true" : "false");
    if (detail)
        printf(", \"detail\": {%s}", detail);
    printf("}\n");
    fflush(stdout);
}

void bench_skip(const char *row, const char *name, const char *why)
{
    fprintf(stderr, "bench: SKIPPED row %s, %s: %s\n", row, name, why);
    printf("{\"row\": \"%s\", \"name\": \"%s\", \"skipped\": \"", row, name);
    for (const char *c = why; *c; c++)
        printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
    printf("\"}\n");
    fflush(stdout);
}

int bench_guest_load(bench_guest *g, const char *name, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.elf", BENCH_GUEST_DIR, name);
    if (phc_image_load_elf(path, &g->image, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < g->image.nsegs; i++) {
        const phc_segment *s = &g->image.segs[i];
        if (s->addr <= BENCH_COUNT_ADDR && BENCH_COUNT_ADDR + 8 <= s->addr + s->filesz) {
            /* The loader keeps the file in its own heap copy: ours to patch. */
            g->count = (uint8_t *)s->data + (BENCH_COUNT_ADDR - s->addr);
            return 0;
        }
    }
    snprintf(err, errlen, "%s has no count word at 0x%x", path, BENCH_COUNT_ADDR);
    phc_image_free(&g->image);
    return -1;
}

void bench_guest_set_count(bench_guest *g, uint64_t n)
{
    const phc_abi *abi = g->image.abi;
    unsigned bytes = abi->reg_bits / 8;
    for (unsigned i = 0; i < bytes; i++) {
        unsigned shift = abi->endian == PHC_BIG_ENDIAN ? 8 * (bytes - 1 - i) : 8 * i;
        g->count[i] = (uint8_t)(n >> shift);
    }
}

void bench_guest_free(bench_guest *g)
{
    phc_image_free(&g->image);
}

double bench_run_accel(void *ctx, uint64_t n, char *err, size_t errlen)
{
    static FILE *devnull;
    bench_accel_run *a = ctx;
    if (!devnull && !(devnull = fopen("/dev/null", "w"))) {
        snprintf(err, errlen, "cannot open /dev/null");
        return -1;
    }
    bench_guest_set_count(a->guest, n);
    phc_dispatcher *d = phc_dispatcher_new();
    phc_builtins_register(d, PHC_BUILTIN_ALL, devnull);
    if (a->prepare && a->prepare(d, err, errlen) != 0) {
        phc_dispatcher_free(d);
        return -1;
    }
    phc_cancel cancel;
    phc_cancel_init(&cancel);
    phc_run_config cfg = { .abi = a->guest->image.abi, .image = &a->guest->image,
                           .mem_size = BENCH_MEM_SIZE, .smp = 1, .dispatcher = d,
                           .cancel = &cancel, .console = devnull };
    phc_run_result res = { .end = PHC_END_ERROR };

    double t0 = bench_cpu_now();
    a->accel->run(&cfg, &res);
    double t = bench_cpu_now() - t0;

    uint64_t calls = phc_dispatcher_total(d);
    phc_dispatcher_free(d);
    if (res.end != PHC_END_EXIT || res.status != 0) {
        snprintf(err, errlen, "%s run ended %s: %s", a->accel->name, phc_end_name(res.end),
                 res.reason);
        return -1;
    }
    uint64_t expected = n * a->calls_per_iter + 1; /* the loop's, then the exit */
    if (calls != expected) {
        snprintf(err, errlen, "%s saw %llu hypercalls, the guest made %llu", a->accel->name,
                 (unsigned long long)calls, (unsigned long long)expected);
        return -1;
    }
    return t;
}
