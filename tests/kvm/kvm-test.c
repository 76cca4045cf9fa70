/*
 * Tests of the x86 KVM frontend through its ops table (phc_accel_kvm), with
 * handlers of the test's own. One case per run:
 *   kvm-test calls GUEST ARCH        hypercalls, near misses, port bus
 *   kvm-test pages GUEST ARCH        calls and near misses at page boundaries
 *   kvm-test mem GUEST               handler memory access by virtual address
 *   kvm-test modes GUEST             the ABI follows the code segment at each call
 *   kvm-test end GUEST END [MEM [WORDS]]   the run ends as END (halt, fault, error),
 *                                  its reason saying WORDS
 *   kvm-test cancel GUEST SMP        a cancel from another thread stops all vCPUs
 *   kvm-test insn-limit GUEST        instruction limits are refused
 *   kvm-test outside-ram GUEST       an image that does not fit is refused
 *   kvm-test no-permission GUEST     /dev/kvm closed to us: a one-line error
 *   kvm-test no-kvm GUEST            no /dev/kvm at all: a one-line error
 *   kvm-test smp GUEST N             N vCPUs' calls, counted from the trace
 *   kvm-test bench GUEST             hypercall round trip against a bare IO exit
 * Exit 0 pass, 1 fail, 77 skip (no usable /dev/kvm).
 */
#define _GNU_SOURCE /* unshare */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <phc/accel.h>
#include <phc/builtins.h>
#include <phc/trace.h>
#include "check.h"

#define MIB (UINT64_C(1) << 20)
#define NEAR_MISS_NR 0x4e454152u /* EAX at every near miss in the calls guests */
#define UNCLAIMED_NR 0x4b564d00u
#define POKE_NR 0x4b564d02u
#define COUNT_NR 0x4b564d10u
#define MARK_NR 0x4b564d20u
#define SMP_CALLS 2000 /* smp64.S */


static void skip_without_kvm(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "SKIP: cannot open /dev/kvm (%s): the KVM frontend is not tested here\n",
                strerror(errno));
        exit(77);
    }
    close(fd);
}

/* One run of a guest: the config, its console and trace in memory. */
typedef struct run {
    phc_image img;
    phc_dispatcher *d;
    phc_cancel cancel;
    phc_run_config cfg;
    phc_run_result res;
    char *console, *trace;
    size_t console_len, trace_len;
    FILE *console_f, *trace_f;
    phc_trace *tr;
} run;

static void run_init(run *r, const char *path, uint64_t mem_size, unsigned smp)
{
    char err[512];
    memset(r, 0, sizeof(*r));
    if (phc_image_load_elf(path, &r->img, err, sizeof(err)) != 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        exit(1);
    }
    r->console_f = open_memstream(&r->console, &r->console_len);
    r->trace_f = open_memstream(&r->trace, &r->trace_len);
    r->d = phc_dispatcher_new();
    phc_builtins_register(r->d, PHC_BUILTIN_ALL, r->console_f);
    r->tr = phc_trace_new(r->trace_f);
    phc_dispatcher_set_trace(r->d, r->tr);
    phc_cancel_init(&r->cancel);
    r->cfg = (phc_run_config){ .abi = r->img.abi, .image = &r->img, .mem_size = mem_size,
                               .smp = smp, .dispatcher = r->d, .cancel = &r->cancel,
                               .console = r->console_f };
}

static void run_go(run *r)
{
    r->res = (phc_run_result){ .end = PHC_END_ERROR };
    phc_accel_kvm.run(&r->cfg, &r->res);
    phc_trace_close(r->tr);
    fclose(r->trace_f);
    fclose(r->console_f);
    CHECK(!strchr(r->res.reason, '\n'), "the reason is not one line: %s", r->res.reason);
}

static void run_free(run *r)
{
    phc_dispatcher_free(r->d);
    phc_image_free(&r->img);
    free(r->console);
    free(r->trace);
}

/* A trace record's fields, by sscanf on the fixed JSON Lines layout. */
typedef struct record {
    unsigned vcpu;
    char arch[16];
    uint64_t nr, args[6], ret;
} record;

static bool parse_record(const char *line, record *rec)
{
    unsigned long long seq, nr, a[6], ret;
    int n = sscanf(line,
                   "{\"seq\":%llu,\"vcpu\":%u,\"arch\":\"%15[^\"]\",\"nr\":\"0x%llx\",\"args\":[\"0x%llx\","
                   "\"0x%llx\",\"0x%llx\",\"0x%llx\",\"0x%llx\",\"0x%llx\"],\"ret\":\"0x%llx\"",
                   &seq, &rec->vcpu, rec->arch, &nr, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &ret);
    rec->nr = nr;
    rec->ret = ret;
    for (int i = 0; i < 6; i++)
        rec->args[i] = a[i];
    return n == 11;
}

/* Calls the trace holds, in order; *n gets how many. */
static record *records(const run *r, size_t *n)
{
    size_t cap = 16;
    record *recs = malloc(cap * sizeof(*recs));
    *n = 0;
    for (const char *p = r->trace; p && *p;) {
        const char *eol = strchr(p, '\n');
        if (*n == cap)
            recs = realloc(recs, (cap *= 2) * sizeof(*recs));
        CHECK(parse_record(p, &recs[*n]), "unparsable trace line: %.80s", p);
        (*n)++;
        p = eol ? eol + 1 : p + strlen(p);
    }
    return recs;
}

static int case_calls(const char *guest, const char *arch)
{
    run r;
    run_init(&r, guest, 32 * MIB, 1);
    run_go(&r);
    CHECK(r.res.end == PHC_END_EXIT && r.res.status == 0, "ended %s status %d (the failing step): %s",
          phc_end_name(r.res.end), r.res.status, r.res.reason);
    /* calls64.S / calls32.S: exactly these calls, and no near miss among them */
    static const uint64_t expected[] = { PHC_NR_TEST, UNCLAIMED_NR, PHC_NR_TEST, PHC_NR_CONSOLE, PHC_NR_EXIT };
    size_t n;
    record *recs = records(&r, &n);
    CHECK(n == 5, "%zu calls traced, expected 5", n);
    for (size_t i = 0; i < n && i < 5; i++) {
        CHECK(recs[i].nr == expected[i], "call %zu: nr 0x%" PRIx64 ", expected 0x%" PRIx64, i,
              recs[i].nr, expected[i]);
        CHECK(!strcmp(recs[i].arch, arch), "call %zu: traced as %s, expected %s", i, recs[i].arch, arch);
    }
    for (size_t i = 0; i < n; i++)
        CHECK(recs[i].nr != NEAR_MISS_NR, "a near miss was dispatched (call %zu)", i);
    if (n >= 2) {
        CHECK(recs[0].args[0] == 0x11 && recs[0].args[3] == 0x44 && recs[0].args[5] == 0x66,
              "round-trip arguments wrong");
        CHECK(recs[0].ret == PHC_TEST_ANSWER, "round trip returned 0x%" PRIx64, recs[0].ret);
        CHECK(recs[1].ret == UNCLAIMED_NR, "an unclaimed call changed the return register");
    }
    if (n >= 2 && !strcmp(arch, "x86_64"))
        CHECK(recs[1].args[0] == UINT64_C(0x1122334455667788) && recs[1].args[3] == UINT64_C(1) << 63,
              "64-bit arguments were cut: a0 0x%" PRIx64 " a3 0x%" PRIx64, recs[1].args[0], recs[1].args[3]);
    char want[64];
    snprintf(want, sizeof(want), "serial: %s\nconsole: %s\n", arch, arch);
    CHECK(r.console && !strcmp(r.console, want), "console got \"%s\", expected \"%s\"",
          r.console ? r.console : "", want);
    free(recs);
    run_free(&r);
    return check_failures ? 1 : 0;
}

/* pages.S: the two calls across page boundaries, the exit, and no near miss. */
static int case_pages(const char *guest, const char *arch)
{
    run r;
    run_init(&r, guest, 32 * MIB, 1);
    run_go(&r);
    CHECK(r.res.end == PHC_END_EXIT && r.res.status == 0, "ended %s status %d (the failing step): %s",
          phc_end_name(r.res.end), r.res.status, r.res.reason);
    static const uint64_t expected[] = { PHC_NR_TEST, PHC_NR_TEST, PHC_NR_EXIT };
    size_t n;
    record *recs = records(&r, &n);
    CHECK(n == 3, "%zu calls traced, expected 3", n);
    for (size_t i = 0; i < n && i < 3; i++) {
        CHECK(recs[i].nr == expected[i], "call %zu: nr 0x%" PRIx64 ", expected 0x%" PRIx64, i,
              recs[i].nr, expected[i]);
        CHECK(!strcmp(recs[i].arch, arch), "call %zu: traced as %s, expected %s", i, recs[i].arch, arch);
    }
    free(recs);
    run_free(&r);
    return check_failures ? 1 : 0;
}

/* mem*.S's poke: write "KVM!" (a1 bytes of it) at a0; -14 if it does not fit. */
static phc_verdict poke(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    (void)opaque;
    size_t len = call->args[1] < 4 ? call->args[1] : 4;
    *value = phc_vcpu_write(cpu, call->args[0], "KVM!", len) == 0 ? 0 : PHC_EFAULT;
    return PHC_HANDLED;
}

static int case_mem(const char *guest)
{
    run r;
    run_init(&r, guest, 32 * MIB, 1);
    phc_dispatcher_register(r.d, POKE_NR, poke, NULL);
    run_go(&r);
    CHECK(r.res.end == PHC_END_EXIT && r.res.status == 0, "ended %s status %d (the failing step): %s",
          phc_end_name(r.res.end), r.res.status, r.res.reason);
    const char *want = r.img.abi->arch == PHC_ARCH_X86_64
                           ? "mem: x86_64\ncross-page\nremapped\n" : "mem: i386\ncross-page\n";
    CHECK(r.console && !strcmp(r.console, want), "console got \"%s\", expected \"%s\"",
          r.console ? r.console : "", want);
    run_free(&r);
    return check_failures ? 1 : 0;
}

static int case_modes(const char *guest)
{
    run r;
    run_init(&r, guest, 32 * MIB, 1);
    run_go(&r);
    CHECK(r.res.end == PHC_END_EXIT && r.res.status == 0, "ended %s status %d: %s",
          phc_end_name(r.res.end), r.res.status, r.res.reason);
    size_t n;
    record *recs = records(&r, &n);
    static const char *const arch[] = { "x86_64", "i386", "x86_64" };
    CHECK(n == 3, "%zu calls traced, expected 3", n);
    for (size_t i = 0; i < n && i < 3; i++)
        CHECK(!strcmp(recs[i].arch, arch[i]), "call %zu traced as %s, expected %s", i, recs[i].arch,
              arch[i]);
    if (n >= 2) {
        CHECK(recs[0].args[0] == 0x61, "64-bit call: a0 0x%" PRIx64 ", expected RDI 0x61", recs[0].args[0]);
        CHECK(recs[1].args[0] == 0x31 && recs[1].args[1] == 0x32,
              "compatibility-mode call: a0 0x%" PRIx64 " a1 0x%" PRIx64 ", expected EBX 0x31 ECX 0x32",
              recs[1].args[0], recs[1].args[1]);
    }
    free(recs);
    run_free(&r);
    return check_failures ? 1 : 0;
}

static phc_end end_by_name(const char *name)
{
    for (phc_end e = PHC_END_EXIT; e <= PHC_END_ERROR; e++)
        if (!strcmp(phc_end_name(e), name))
            return e;
    fprintf(stderr, "FAIL: no end called %s\n", name);
    exit(1);
}

static int case_end(const char *guest, const char *end, const char *mem_mib, const char *words)
{
    run r;
    run_init(&r, guest, (mem_mib ? strtoull(mem_mib, NULL, 0) : 32) * MIB, 1);
    run_go(&r);
    CHECK(r.res.end == end_by_name(end), "ended %s (%s), expected %s", phc_end_name(r.res.end),
          r.res.reason, end);
    CHECK(r.res.reason[0], "no reason given");
    CHECK(!words || strstr(r.res.reason, words), "the reason does not say \"%s\"", words);
    printf("%s: %s\n", phc_end_name(r.res.end), r.res.reason);
    run_free(&r);
    return check_failures ? 1 : 0;
}

typedef struct canceller {
    phc_cancel *cancel;
    unsigned ms;
} canceller;

static void *cancel_later(void *arg)
{
    canceller *c = arg;
    nanosleep(&(struct timespec){ .tv_sec = c->ms / 1000, .tv_nsec = c->ms % 1000 * 1000000L }, NULL);
    phc_cancel_request(c->cancel, PHC_END_LIMIT);
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int case_cancel(const char *guest, unsigned smp)
{
    run r;
    run_init(&r, guest, 32 * MIB, smp);
    canceller c = { &r.cancel, 300 };
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, &c);
    double start = now();
    run_go(&r);
    double took = now() - start;
    pthread_join(t, NULL);
    CHECK(r.res.end == PHC_END_LIMIT, "ended %s (%s), expected limit", phc_end_name(r.res.end),
          r.res.reason);
    CHECK(took >= 0.29 && took < 5, "stopped after %.3f s; the cancel came at 0.3 s", took);
    printf("%u vCPUs stopped %.1f ms after the cancel\n", smp, (took - 0.3) * 1000);
    run_free(&r);

    /* A cancel before the run starts: it must not run at all. */
    run_init(&r, guest, 32 * MIB, smp);
    phc_cancel_request(&r.cancel, PHC_END_SIGNAL);
    start = now();
    run_go(&r);
    CHECK(r.res.end == PHC_END_SIGNAL, "a run cancelled up front ended %s", phc_end_name(r.res.end));
    CHECK(now() - start < 5, "a run cancelled up front took %.3f s", now() - start);
    run_free(&r);
    return check_failures ? 1 : 0;
}

static int case_refused(const char *guest, const char *what)
{
    run r;
    run_init(&r, guest, 32 * MIB, 1);
    const char *expect;
    if (!strcmp(what, "insn-limit")) {
        r.cfg.insn_limit = 1000;
        expect = "instruction limits need -accel tcg";
    } else {
        r.cfg.mem_size = 0x10000; /* the guest's text starts at the end of this */
        expect = "outside guest RAM";
    }
    run_go(&r);
    CHECK(r.res.end == PHC_END_ERROR, "ended %s, expected error", phc_end_name(r.res.end));
    CHECK(strstr(r.res.reason, expect), "reason \"%s\" does not say \"%s\"", r.res.reason, expect);
    CHECK(r.trace_len == 0, "the refused guest made calls");
    printf("%s\n", r.res.reason);
    run_free(&r);
    return check_failures ? 1 : 0;
}

/* Run @guest in a child after @prepare; expect an error naming @says. */
static int refused_in_child(const char *guest, int (*prepare)(void), const char *says)
{
    pid_t pid = fork();
    if (pid == 0) {
        int rc = prepare();
        if (rc != 0)
            _exit(rc);
        run r;
        run_init(&r, guest, 32 * MIB, 1);
        run_go(&r);
        printf("%s\n", r.res.reason);
        CHECK(r.res.end == PHC_END_ERROR, "ended %s, expected error", phc_end_name(r.res.end));
        CHECK(strstr(r.res.reason, "/dev/kvm") && strstr(r.res.reason, says),
              "reason \"%s\" does not name /dev/kvm and \"%s\"", r.res.reason, says);
        fflush(stdout);
        _exit(check_failures ? 1 : 0);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Give up root: /dev/kvm (0600 root here) cannot be opened. */
static int drop_root(void)
{
    if (setgid(65534) != 0 || setuid(65534) != 0) {
        fprintf(stderr, "SKIP: cannot drop root: %s\n", strerror(errno));
        return 77;
    }
    if (access("/dev/kvm", R_OK | W_OK) == 0) {
        fprintf(stderr, "SKIP: /dev/kvm is open to every user here\n");
        return 77;
    }
    return 0;
}

/* A private mount namespace with an empty /dev: no /dev/kvm at all. */
static int hide_dev(void)
{
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("none", "/dev", "tmpfs", 0, NULL) != 0) {
        fprintf(stderr, "SKIP: cannot hide /dev in a mount namespace: %s\n", strerror(errno));
        return 77;
    }
    return 0;
}

static int case_smp(const char *guest, unsigned ncpus)
{
    run r;
    run_init(&r, guest, 32 * MIB, ncpus);
    run_go(&r);
    CHECK(r.res.end == PHC_END_EXIT && r.res.status == 0, "ended %s status %d: %s",
          phc_end_name(r.res.end), r.res.status, r.res.reason);
    size_t n;
    record *recs = records(&r, &n);
    uint64_t *count = calloc(ncpus, sizeof(*count));
    size_t exits = 0;
    for (size_t i = 0; i < n; i++) {
        const record *c = &recs[i];
        CHECK(c->vcpu < ncpus, "record %zu names vCPU %u of %u", i, c->vcpu, ncpus);
        if (c->vcpu >= ncpus)
            continue;
        if (c->nr == PHC_NR_EXIT) {
            exits++;
            continue;
        }
        CHECK(c->nr == COUNT_NR, "record %zu: nr 0x%" PRIx64, i, c->nr);
        uint64_t k = count[c->vcpu]++;
        CHECK(c->args[0] == c->vcpu && c->args[1] == k && c->args[2] == ((uint64_t)c->vcpu << 32 | k) &&
                  c->args[3] == (0x5a5au ^ c->vcpu),
              "record %zu (vCPU %u, its call %" PRIu64 "): args 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64
              " 0x%" PRIx64, i, c->vcpu, k, c->args[0], c->args[1], c->args[2], c->args[3]);
    }
    uint64_t total = 0;
    for (unsigned v = 0; v < ncpus; v++) {
        CHECK(count[v] == SMP_CALLS, "vCPU %u made %" PRIu64 " calls, expected %d", v, count[v], SMP_CALLS);
        total += count[v];
    }
    CHECK(exits == 1 && n == total + 1, "%zu records, %zu exits; expected %u x %d + 1", n, exits,
          ncpus, SMP_CALLS);
    CHECK(phc_dispatcher_total(r.d) == n, "the dispatcher counted %" PRIu64 " calls, the trace %zu",
          phc_dispatcher_total(r.d), n);
    printf("%u vCPUs, %zu calls traced, %d each\n", ncpus, n, SMP_CALLS);
    free(count);
    free(recs);
    run_free(&r);
    return check_failures ? 1 : 0;
}

/* bench64.S: three marks around N handled calls and N bare port writes. */
typedef struct marks {
    double t[3];
    unsigned n;
} marks;

static phc_verdict mark(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    (void)cpu, (void)call, (void)value;
    marks *m = opaque;
    if (m->n < 3)
        m->t[m->n++] = now();
    return PHC_UNHANDLED;
}

static int case_bench(const char *guest)
{
    const double n = 100000; /* bench64.S */
    run r;
    run_init(&r, guest, 32 * MIB, 1);
    phc_dispatcher_set_trace(r.d, NULL);
    marks m = { .n = 0 };
    phc_dispatcher_register(r.d, MARK_NR, mark, &m);
    run_go(&r);
    CHECK(r.res.end == PHC_END_EXIT && m.n == 3, "ended %s with %u marks", phc_end_name(r.res.end), m.n);
    if (m.n == 3) {
        double call = (m.t[1] - m.t[0]) / n * 1e6, io = (m.t[2] - m.t[1]) / n * 1e6;
        printf("hypercall round trip %.2f us, bare port IO exit %.2f us, ratio %.2f\n", call, io,
               call / io);
    }
    run_free(&r);
    return check_failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: kvm-test CASE GUEST [ARGS]\n");
        return 2;
    }
    const char *c = argv[1], *guest = argv[2], *arg = argc > 3 ? argv[3] : NULL;
    skip_without_kvm();
    if (!strcmp(c, "calls") && arg)
        return case_calls(guest, arg);
    if (!strcmp(c, "pages") && arg)
        return case_pages(guest, arg);
    if (!strcmp(c, "mem"))
        return case_mem(guest);
    if (!strcmp(c, "modes"))
        return case_modes(guest);
    if (!strcmp(c, "end") && arg)
        return case_end(guest, arg, argc > 4 ? argv[4] : NULL, argc > 5 ? argv[5] : NULL);
    if (!strcmp(c, "cancel") && arg)
        return case_cancel(guest, (unsigned)atoi(arg));
    if (!strcmp(c, "insn-limit") || !strcmp(c, "outside-ram"))
        return case_refused(guest, c);
    if (!strcmp(c, "no-permission"))
        return refused_in_child(guest, drop_root, "ermission");
    if (!strcmp(c, "no-kvm"))
        return refused_in_child(guest, hide_dev, "No such file");
    if (!strcmp(c, "smp") && arg)
        return case_smp(guest, (unsigned)atoi(arg));
    if (!strcmp(c, "bench"))
        return case_bench(guest);
    fprintf(stderr, "kvm-test: unknown case or missing argument: %s\n", c);
    return 2;
}
