/*
 * Python handlers called from several threads at once, twice over with
 * fresh threads and a fresh dispatcher each time, as the KVM frontend does
 * (a thread per vCPU per run; bench-python loads into a new dispatcher per
 * run). Fake vCPUs (tests/unit/fake-vcpu.h): no accelerator needed, so it
 * runs everywhere. handlers/threads.py answers a0 << 32 | a1 << 8 | the
 * byte at a2, which it increments in the caller's memory.
 */
#include <pthread.h>
#include <check.h>
#include <phc/dispatcher.h>
#include "fake-vcpu.h"
#include "phc-python.h"

#define THREADS 4
#define CALLS 3000
#define NR 0x4b564d10u

typedef struct worker {
    pthread_t thread;
    phc_dispatcher *d;
    fake_vcpu cpu;
    unsigned wrong;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (unsigned i = 0; i < CALLS; i++) {
        *fake_slot(&w->cpu, PHC_SLOT_NR) = NR;
        *fake_slot(&w->cpu, PHC_SLOT_ARG0) = w->cpu.base.index;
        *fake_slot(&w->cpu, PHC_SLOT_ARG1) = i;
        *fake_slot(&w->cpu, PHC_SLOT_ARG2) = w->cpu.mem_base;
        phc_dispatch_result r = phc_dispatch(w->d, &w->cpu.base);
        uint64_t want = (uint64_t)w->cpu.base.index << 32 | (uint64_t)i << 8 | (i & 0xff);
        if (r.verdict != PHC_HANDLED || *fake_slot(&w->cpu, PHC_SLOT_RET) != want)
            w->wrong++;
    }
    return NULL;
}

static void one_run(const char *handlers, unsigned run)
{
    char err[512];
    phc_dispatcher *d = phc_dispatcher_new();
    int rc = phc_python_load(d, &handlers, 1, err, sizeof(err));
    CHECK(rc == 0, "run %u: %s", run, err);
    if (rc != 0)
        return;
    static worker w[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        w[i] = (worker){ .d = d };
        fake_vcpu_init(&w[i].cpu, phc_abi_get(PHC_ARCH_X86_64), i, 0x10000);
        CHECK(pthread_create(&w[i].thread, NULL, work, &w[i]) == 0, "thread %u", i);
    }
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(w[i].thread, NULL);
        CHECK(w[i].wrong == 0, "run %u, vCPU %u: %u wrong answers", run, i, w[i].wrong);
        CHECK_EQ(w[i].cpu.mem[0], CALLS & 0xff, "the byte the handler incremented");
    }
    CHECK_EQ(phc_dispatcher_count(d, NR), THREADS * CALLS, "calls dispatched");
    phc_dispatcher_free(d);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2, "usage: python-threads handlers/threads.py");
    for (unsigned run = 0; argc == 2 && run < 2; run++)
        one_run(argv[1], run);
    return check_report("python threads");
}
