/*
 * Writes traces for trace_check.py, which parses them with Python's json
 * module and checks them against what it asked for.
 *
 *   trace-writer dispatch FILE   stdin: one call a line, "ARCH VCPU R0 .. R31"
 *                                (register values in hex by ISA number);
 *                                each is dispatched with the built-in
 *                                round trip (0xcafebabe) and exit registered
 *   trace-writer threads FILE T N   T threads each write N records at once
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <phc/builtins.h>
#include <phc/trace.h>
#include "fake-vcpu.h"
#include "probe-args.h"

static int dispatch_stdin(phc_trace *trace)
{
    phc_dispatcher *d = phc_dispatcher_new();
    phc_builtins_register(d, PHC_BUILTIN_TEST | PHC_BUILTIN_EXIT, NULL);
    phc_dispatcher_set_trace(d, trace);
    char arch[32];
    unsigned vcpu;
    int rc = 0;
    while (scanf("%31s %u", arch, &vcpu) == 2) {
        const phc_abi *abi = phc_abi_by_name(arch);
        if (!abi) {
            fprintf(stderr, "unknown arch '%s'\n", arch);
            rc = 2;
            break;
        }
        fake_vcpu f;
        fake_vcpu_init(&f, abi, vcpu, 0);
        for (unsigned i = 0; i < FAKE_GPRS; i++)
            if (scanf("%" SCNx64, &f.gpr[i]) != 1) {
                fputs("short register list\n", stderr);
                rc = 2;
                break;
            }
        if (rc)
            break;
        phc_dispatch(d, &f.base);
    }
    phc_dispatcher_free(d);
    return rc;
}

typedef struct writer {
    phc_trace *trace;
    unsigned id, n;
    int failed;
} writer;

/* Record k of writer t; trace_check.py computes the same values. */
static void *write_records(void *arg)
{
    writer *w = arg;
    for (unsigned k = 0; k < w->n; k++) {
        phc_call c = {
            .vcpu = w->id,
            .abi = phc_abi_get((phc_arch)(k % PHC_ARCH_COUNT)),
            .nr = (uint64_t)w->id << 40 | k,
            .args = { k, w->id, UINT64_MAX, 0, UINT64_C(0x8000000000000000), 1 },
            .ret = ~(uint64_t)k,
            .handled = k & 1,
        };
        w->failed |= phc_trace_write(w->trace, &c) != 0;
    }
    return NULL;
}

static int write_threads(phc_trace *trace, unsigned threads, unsigned n)
{
    pthread_t tid[64];
    writer w[64];
    for (unsigned t = 0; t < threads; t++) {
        w[t] = (writer){ .trace = trace, .id = t, .n = n };
        pthread_create(&tid[t], NULL, write_records, &w[t]);
    }
    int failed = 0;
    for (unsigned t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        failed |= w[t].failed;
    }
    return failed;
}

int main(int argc, char **argv)
{
    unsigned long threads = 0, n = 0;
    bool dispatch = argc == 3 && strcmp(argv[1], "dispatch") == 0;
    bool many = argc == 5 && strcmp(argv[1], "threads") == 0 && probe_parse_ulong(argv[3], 64, &threads) &&
                threads > 0 && probe_parse_ulong(argv[4], 10000000, &n);
    if (!dispatch && !many) {
        fputs("usage: trace-writer dispatch FILE < calls | threads FILE T N\n", stderr);
        return 2;
    }
    phc_trace *trace = phc_trace_open(argv[2]);
    if (!trace) {
        perror(argv[2]);
        return 2;
    }
    int rc = dispatch ? dispatch_stdin(trace) : write_threads(trace, (unsigned)threads, (unsigned)n);
    if (phc_trace_close(trace) != 0) {
        fputs("trace: write error\n", stderr);
        rc = rc ? rc : 1;
    }
    return rc;
}
