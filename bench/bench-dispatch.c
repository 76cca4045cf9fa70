/*
 * Row 4: the dispatcher alone, through phc_dispatch with a fake vCPU whose
 * registers are an array (x86-64 ABI row; no guest memory).
 *
 * Lookup: ns per call with 10, 1,000 and 100,000 registered numbers (goal:
 * flat), calling a hot set of 16 of them (what a guest does: a few numbers,
 * often), and for context calling all of them at random (every call a cache
 * miss once the tables outgrow the caches).
 *
 * Scaling: calls per second with 1 and 2 threads, each thread its own vCPU
 * index (goal: >= 1.8x on 2 cores). A shared machine may not give us two
 * free cores, so the same rounds also time a shared-nothing control loop
 * (what 2 threads can get here at best) and each thread's CPU time (what
 * the dispatcher would do with the cores to itself).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "bench.h"

#define ROUNDS 5
#define CALLS_LO 100000u
#define CALLS_HI 500000u
#define SEQ_LEN 65536u /* called numbers, cycled */
#define HOT_NUMBERS 16u
#define THREAD_NUMBERS 1000u
#define SPIN_LO 10000000u
#define SPIN_HI 50000000u

static const unsigned lookup_sizes[] = { 10, 1000, 100000 };
#define NSIZES (sizeof(lookup_sizes) / sizeof(lookup_sizes[0]))

typedef struct fake_cpu {
    phc_vcpu vcpu; /* first: the dispatcher hands this back to the ops */
    uint64_t regs[16];
} fake_cpu;

static uint64_t fake_get_gpr(phc_vcpu *cpu, unsigned gpr)
{
    return gpr < 16 ? ((fake_cpu *)cpu)->regs[gpr] : 0;
}

static void fake_set_gpr(phc_vcpu *cpu, unsigned gpr, uint64_t value)
{
    if (gpr < 16)
        ((fake_cpu *)cpu)->regs[gpr] = value;
}

static int fake_no_mem(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len)
{
    (void)cpu, (void)gva, (void)buf, (void)len;
    return -1;
}

static int fake_no_mem_write(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len)
{
    (void)cpu, (void)gva, (void)buf, (void)len;
    return -1;
}

static const phc_vcpu_ops fake_ops = { fake_get_gpr, fake_set_gpr, fake_no_mem, fake_no_mem_write };

static phc_verdict answer(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    (void)cpu, (void)call, (void)opaque;
    *value = 13;
    return PHC_HANDLED;
}

/* The i-th registered number: distinct for every i (odd multiplier mod 2^32). */
static uint32_t number(unsigned i)
{
    return (i + 1) * 2654435761u;
}

typedef struct table {
    phc_dispatcher *d;
    uint32_t seq[SEQ_LEN]; /* numbers to call, at random among the registered */
} table;

static uint64_t xorshift(uint64_t x)
{
    x ^= x << 13;
    x ^= x >> 7;
    return x ^ (x << 17);
}

/* Register @registered numbers; the calls draw from the first @called of them. */
static void table_init(table *t, unsigned registered, unsigned called)
{
    t->d = phc_dispatcher_new();
    for (unsigned i = 0; i < registered; i++)
        phc_dispatcher_register(t->d, number(i), answer, NULL);
    uint64_t x = 0x9e3779b97f4a7c15u; /* the same draw every run */
    for (unsigned i = 0; i < SEQ_LEN; i++) {
        x = xorshift(x);
        t->seq[i] = number((unsigned)(x % called));
    }
}

/* @n calls on vCPU @index; false if any call was not handled. */
static bool call_many(table *t, unsigned index, uint64_t n)
{
    fake_cpu cpu = { .vcpu = { &fake_ops, index, phc_abi_get(PHC_ARCH_X86_64) } };
    unsigned nr_gpr = cpu.vcpu.abi->gpr[PHC_SLOT_NR];
    bool ok = true;
    for (uint64_t i = 0; i < n; i++) {
        cpu.regs[nr_gpr] = t->seq[i % SEQ_LEN];
        ok &= phc_dispatch(t->d, &cpu.vcpu).verdict == PHC_HANDLED;
    }
    return ok;
}

static double run_lookup(void *ctx, uint64_t n, char *err, size_t errlen)
{
    double t0 = bench_cpu_now();
    bool ok = call_many(ctx, 0, n);
    double t = bench_cpu_now() - t0;
    if (!ok) {
        snprintf(err, errlen, "a registered number was not handled");
        return -1;
    }
    return t;
}

typedef struct threads_run {
    table *t;        /* NULL: the shared-nothing control loop */
    unsigned nthreads;
    bool cpu_time;   /* measure the threads' mean CPU time, not wall time */
} threads_run;

typedef struct worker {
    table *t;
    unsigned index;
    uint64_t n;
    pthread_barrier_t *start;
    bool ok;
    double cpu; /* seconds of this thread's CPU time for its work */
} worker;

static double thread_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Arithmetic on a thread's own registers: scales with the cores we get. */
static bool spin(uint64_t n)
{
    uint64_t x = 1;
    for (uint64_t i = 0; i < n; i++)
        x = xorshift(x);
    return x != 0; /* xorshift never reaches 0: keeps the loop */
}

static void *work(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start);
    double c0 = thread_cpu_now();
    w->ok = w->t ? call_many(w->t, w->index, w->n) : spin(w->n);
    w->cpu = thread_cpu_now() - c0;
    return NULL;
}

/*
 * @nthreads threads sharing @n iterations; the time from the common start to
 * the last end, or the threads' mean CPU time.
 */
static double run_threads(void *ctx, uint64_t n, char *err, size_t errlen)
{
    threads_run *r = ctx;
    pthread_t tid[2];
    worker w[2];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, r->nthreads + 1);
    for (unsigned i = 0; i < r->nthreads; i++) {
        w[i] = (worker){ r->t, i, n / r->nthreads, &start, false, 0 };
        if (pthread_create(&tid[i], NULL, work, &w[i]) != 0) {
            /* the barrier would wait for it forever */
            fprintf(stderr, "bench-dispatch: cannot start a thread\n");
            exit(1);
        }
    }
    pthread_barrier_wait(&start);
    double t0 = bench_now();
    bool ok = true;
    double cpu = 0;
    for (unsigned i = 0; i < r->nthreads; i++) {
        pthread_join(tid[i], NULL);
        ok &= w[i].ok;
        cpu += w[i].cpu / r->nthreads;
    }
    double t = r->cpu_time ? cpu : bench_now() - t0;
    pthread_barrier_destroy(&start);
    if (!ok) {
        snprintf(err, errlen, "a registered number was not handled");
        return -1;
    }
    return t;
}

/* One row: the same lookup over every table size, max/min of ns per call. */
static void lookup_row(const char *name, const char *goal, unsigned called_cap)
{
    static table tables[NSIZES];
    bench_variant v[NSIZES];
    char names[NSIZES][32], err[512], detail[256];
    for (unsigned i = 0; i < NSIZES; i++) {
        unsigned n = lookup_sizes[i];
        table_init(&tables[i], n, called_cap && called_cap < n ? called_cap : n);
        snprintf(names[i], sizeof(names[i]), "%u numbers", n);
        v[i] = (bench_variant){ names[i], run_lookup, &tables[i], CALLS_LO, CALLS_HI, { 0 } };
    }
    if (bench_interleave(v, NSIZES, ROUNDS, err, sizeof(err)) != 0) {
        bench_skip("4", name, err);
    } else {
        double ns[NSIZES], lo = 0, hi = 0;
        for (unsigned i = 0; i < NSIZES; i++) {
            ns[i] = bench_ns(&v[i], ROUNDS);
            lo = i == 0 || ns[i] < lo ? ns[i] : lo;
            hi = i == 0 || ns[i] > hi ? ns[i] : hi;
        }
        snprintf(detail, sizeof(detail),
                 "\"ns_per_call_10\": %.1f, \"ns_per_call_1000\": %.1f, \"ns_per_call_100000\": %.1f",
                 ns[0], ns[1], ns[2]);
        bench_report("4", name, hi / lo, "x", goal, detail);
    }
    for (unsigned i = 0; i < NSIZES; i++)
        phc_dispatcher_free(tables[i].d);
}

static void thread_rows(void)
{
    static table t;
    char err[512], detail[512];
    table_init(&t, THREAD_NUMBERS, THREAD_NUMBERS);
    threads_run d1 = { &t, 1, false }, d2 = { &t, 2, false };
    threads_run c1 = { &t, 1, true }, c2 = { &t, 2, true };
    threads_run s1 = { NULL, 1, false }, s2 = { NULL, 2, false };
    /* per_iter is time per call over all threads: the ratio 1/2 is throughput */
    bench_variant v[] = {
        { "dispatch, 1 thread", run_threads, &d1, CALLS_LO, CALLS_HI, { 0 } },
        { "dispatch, 2 threads", run_threads, &d2, 2 * CALLS_LO, 2 * CALLS_HI, { 0 } },
        { "control, 1 thread", run_threads, &s1, SPIN_LO, SPIN_HI, { 0 } },
        { "control, 2 threads", run_threads, &s2, 2 * SPIN_LO, 2 * SPIN_HI, { 0 } },
        { "dispatch CPU time, 1 thread", run_threads, &c1, CALLS_LO, CALLS_HI, { 0 } },
        { "dispatch CPU time, 2 threads", run_threads, &c2, 2 * CALLS_LO, 2 * CALLS_HI, { 0 } },
    };
    const char *name = "dispatcher: calls/s with 2 threads / 1 thread";
    const char *name_cpu = "dispatcher: 2 threads / 1, from per-thread CPU time";
    if (bench_interleave(v, 6, ROUNDS, err, sizeof(err)) != 0) {
        bench_skip("4", name, err);
        bench_skip("4", name_cpu, err);
    } else {
        double control = bench_ratio(&v[2], &v[3], ROUNDS);
        snprintf(detail, sizeof(detail),
                 "\"ns_per_call_1_thread\": %.1f, \"ns_per_call_2_threads\": %.1f, "
                 "\"control_loop_2_over_1\": %.3f",
                 bench_ns(&v[0], ROUNDS), bench_ns(&v[1], ROUNDS), control);
        bench_report("4", name, bench_ratio(&v[0], &v[1], ROUNDS), "x", ">= 1.8", detail);
        /* CPU time per call that stays the same with 2 threads means 2x with 2 free cores;
         * v[5] divides each thread's CPU time by both threads' calls, hence 2x */
        snprintf(detail, sizeof(detail),
                 "\"cpu_ns_per_call_1_thread\": %.1f, \"cpu_ns_per_call_2_threads\": %.1f",
                 bench_ns(&v[4], ROUNDS), 2 * bench_ns(&v[5], ROUNDS));
        bench_report("4", name_cpu, bench_ratio(&v[4], &v[5], ROUNDS), "x", ">= 1.8", detail);
    }
    phc_dispatcher_free(t.d);
}

int main(void)
{
    lookup_row("dispatcher: ns per call, 16 hot numbers, max/min over 10, 1k, 100k registered",
               "<= 1.5", HOT_NUMBERS);
    lookup_row("dispatcher: ns per call, all numbers at random, max/min over 10, 1k, 100k",
               NULL, 0);
    thread_rows();
    return 0;
}
