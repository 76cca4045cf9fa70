/*
 * The Penguin dispatcher against an array-backed vCPU: width-aware number
 * matching, registration, fallback, the three verdicts and what each does
 * to the guest's registers, the counters, and many vCPU threads at once
 * while numbers come and go.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <phc/dispatcher.h>
#include "check.h"
#include "fake-vcpu.h"

#define NR_TEST UINT64_C(0xcafebabe)

/* A handler that answers a fixed verdict and value, and remembers the call. */
typedef struct reply {
    phc_verdict verdict;
    uint64_t value;
    atomic_ulong calls;
    phc_call last;
} reply;

static phc_verdict reply_fn(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    (void)cpu;
    reply *r = opaque;
    atomic_fetch_add(&r->calls, 1);
    r->last = *call;
    *value = r->value;
    return r->verdict;
}

static const phc_arch arch32[] = { PHC_ARCH_I386, PHC_ARCH_ARM, PHC_ARCH_MIPS, PHC_ARCH_MIPSEL,
                                   PHC_ARCH_PPC, PHC_ARCH_RISCV32 };
static const phc_arch arch64[] = { PHC_ARCH_AARCH64, PHC_ARCH_MIPS64, PHC_ARCH_MIPS64EL, PHC_ARCH_PPC64,
                                   PHC_ARCH_RISCV64, PHC_ARCH_LOONGARCH64 };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A fresh vCPU of @arch whose number register holds @nr; dispatch once. */
static phc_dispatch_result call_with(phc_dispatcher *d, fake_vcpu *f, phc_arch arch, uint64_t nr)
{
    fake_vcpu_init(f, phc_abi_get(arch), 3, 0);
    *fake_slot(f, PHC_SLOT_NR) = nr;
    return phc_dispatch(d, &f->base);
}

/* Only the return register may differ from a freshly initialised vCPU. */
static void check_only_ret_changed(fake_vcpu *f, const char *what)
{
    fake_vcpu fresh;
    fake_vcpu_init(&fresh, f->base.abi, f->base.index, 0);
    unsigned ret = f->base.abi->gpr[PHC_SLOT_RET], nr = f->base.abi->gpr[PHC_SLOT_NR];
    for (unsigned i = 0; i < FAKE_GPRS; i++)
        if (i != ret && i != nr)
            CHECK_EQ(f->gpr[i], fresh.gpr[i], what);
    CHECK(f->bad_gpr == 0, "%s: %u accesses to registers the ISA lacks", what, f->bad_gpr);
}

static void test_width(void)
{
    phc_dispatcher *d = phc_dispatcher_new();
    reply r = { .verdict = PHC_HANDLED, .value = 13 };
    CHECK(phc_dispatcher_register(d, NR_TEST, reply_fn, &r), "register 0xcafebabe");
    /* its sign extension is the same key, not a second number */
    CHECK(!phc_dispatcher_register(d, UINT64_C(0xffffffffcafebabe), reply_fn, &r),
          "sign-extended 0xcafebabe registered as a second number");

    fake_vcpu f;
    for (unsigned i = 0; i < COUNT(arch32); i++) {
        const char *name = phc_abi_get(arch32[i])->name;
        /* a 32-bit guest matches on the low word; the host register's upper
         * half is not the guest's */
        phc_dispatch_result res = call_with(d, &f, arch32[i], UINT64_C(0x5555aaaacafebabe));
        CHECK(res.verdict == PHC_HANDLED, "%s: low word 0xcafebabe not handled", name);
        CHECK_EQ(*fake_slot(&f, PHC_SLOT_RET), 13, name);
        CHECK_EQ(r.last.nr, NR_TEST, name);
        check_only_ret_changed(&f, name);
        res = call_with(d, &f, arch32[i], UINT64_C(0xcafebabf));
        CHECK(res.verdict == PHC_UNHANDLED, "%s: 0xcafebabf handled", name);
    }
    for (unsigned i = 0; i < COUNT(arch64); i++) {
        const char *name = phc_abi_get(arch64[i])->name;
        CHECK(call_with(d, &f, arch64[i], UINT64_C(0xffffffffcafebabe)).verdict == PHC_HANDLED,
              "%s: sign-extended 0xcafebabe not handled", name);
        CHECK_EQ(*fake_slot(&f, PHC_SLOT_RET), 13, name);
        CHECK(call_with(d, &f, arch64[i], UINT64_C(0x00000000cafebabe)).verdict == PHC_HANDLED,
              "%s: zero-extended 0xcafebabe not handled", name);
        CHECK(call_with(d, &f, arch64[i], UINT64_C(0x1cafebabe)).verdict == PHC_UNHANDLED,
              "%s: 0x1cafebabe handled as 0xcafebabe", name);
        CHECK(call_with(d, &f, arch64[i], UINT64_C(0x7fffffffcafebabe)).verdict == PHC_UNHANDLED,
              "%s: 0x7fffffffcafebabe handled as 0xcafebabe", name);
    }
    /* x86-64 takes the number from EAX, whatever the top of RAX holds */
    CHECK(call_with(d, &f, PHC_ARCH_X86_64, UINT64_C(0x12345678cafebabe)).verdict == PHC_HANDLED,
          "x86_64: EAX 0xcafebabe not handled");
    CHECK_EQ(f.gpr[0], 13, "x86_64 rax");
    CHECK_EQ(r.last.nr, NR_TEST, "x86_64 call nr");

    /* a positive 32-bit number has no negative twin */
    reply pos = { .verdict = PHC_HANDLED, .value = 1 };
    CHECK(phc_dispatcher_register(d, 0x7fffffff, reply_fn, &pos), "register 0x7fffffff");
    CHECK(call_with(d, &f, PHC_ARCH_AARCH64, UINT64_C(0xffffffff7fffffff)).verdict == PHC_UNHANDLED,
          "0xffffffff7fffffff handled as 0x7fffffff");
    CHECK(call_with(d, &f, PHC_ARCH_AARCH64, 0x7fffffff).verdict == PHC_HANDLED, "0x7fffffff");
    /* registering the sign-extended spelling is the same as the 32-bit one */
    reply neg = { .verdict = PHC_HANDLED, .value = 2 };
    CHECK(phc_dispatcher_register(d, UINT64_C(0xffffffff80000000), reply_fn, &neg), "register 0x...80000000");
    CHECK(call_with(d, &f, PHC_ARCH_RISCV32, 0x80000000).verdict == PHC_HANDLED, "riscv32 0x80000000");
    CHECK(call_with(d, &f, PHC_ARCH_RISCV64, 0x80000000).verdict == PHC_HANDLED, "riscv64 0x80000000");
    CHECK(call_with(d, &f, PHC_ARCH_RISCV64, UINT64_C(0xffffffff80000000)).verdict == PHC_HANDLED,
          "riscv64 0xffffffff80000000");
    phc_dispatcher_free(d);
}

static void test_64bit_only(void)
{
    phc_dispatcher *d = phc_dispatcher_new();
    reply low = { .verdict = PHC_HANDLED, .value = 32 }, wide = { .verdict = PHC_HANDLED, .value = 64 };
    CHECK(phc_dispatcher_register(d, UINT64_C(0x1cafebabe), reply_fn, &wide), "register 0x1cafebabe");
    CHECK(phc_dispatcher_register(d, NR_TEST, reply_fn, &low), "0xcafebabe beside 0x1cafebabe");
    fake_vcpu f;
    for (unsigned i = 0; i < COUNT(arch64); i++) {
        call_with(d, &f, arch64[i], UINT64_C(0x1cafebabe));
        CHECK_EQ(*fake_slot(&f, PHC_SLOT_RET), 64, phc_abi_get(arch64[i])->name);
        CHECK_EQ(wide.last.nr, UINT64_C(0x1cafebabe), "call record nr");
    }
    /* a 32-bit guest cannot say 0x1cafebabe: its low word is 0xcafebabe */
    for (unsigned i = 0; i < COUNT(arch32); i++) {
        call_with(d, &f, arch32[i], UINT64_C(0x1cafebabe));
        CHECK_EQ(*fake_slot(&f, PHC_SLOT_RET), 32, phc_abi_get(arch32[i])->name);
    }
    CHECK_EQ(phc_dispatcher_count(d, UINT64_C(0x1cafebabe)), COUNT(arch64), "count 0x1cafebabe");
    CHECK_EQ(phc_dispatcher_count(d, NR_TEST), COUNT(arch32), "count 0xcafebabe");
    phc_dispatcher_free(d);
}

static void test_register_unregister_fallback(void)
{
    phc_dispatcher *d = phc_dispatcher_new();
    reply a = { .verdict = PHC_HANDLED, .value = 1 }, b = { .verdict = PHC_HANDLED, .value = 2 };
    reply fb = { .verdict = PHC_HANDLED, .value = 99 };
    fake_vcpu f;

    CHECK(phc_dispatcher_register(d, 100, reply_fn, &a), "register 100");
    CHECK(!phc_dispatcher_register(d, 100, reply_fn, &b), "register 100 twice");
    call_with(d, &f, PHC_ARCH_ARM, 100);
    CHECK_EQ(*fake_slot(&f, PHC_SLOT_RET), 1, "first handler kept");

    CHECK(phc_dispatcher_unregister(d, 100), "unregister 100");
    CHECK(!phc_dispatcher_unregister(d, 100), "unregister 100 twice");
    CHECK(!phc_dispatcher_unregister(d, 101), "unregister a number never registered");
    CHECK(call_with(d, &f, PHC_ARCH_ARM, 100).verdict == PHC_UNHANDLED, "100 after unregister");
    CHECK(phc_dispatcher_register(d, 100, reply_fn, &b), "register 100 again");
    call_with(d, &f, PHC_ARCH_ARM, 100);
    CHECK_EQ(*fake_slot(&f, PHC_SLOT_RET), 2, "new handler after re-register");
    /* unregistering by the sign-extended spelling removes the 32-bit key */
    CHECK(phc_dispatcher_register(d, NR_TEST, reply_fn, &a), "register 0xcafebabe");
    CHECK(phc_dispatcher_unregister(d, UINT64_C(0xffffffffcafebabe)), "unregister sign-extended");
    CHECK(call_with(d, &f, PHC_ARCH_ARM, NR_TEST).verdict == PHC_UNHANDLED, "0xcafebabe gone");

    phc_dispatcher_set_fallback(d, reply_fn, &fb);
    uint64_t before = phc_dispatcher_unclaimed(d);
    phc_dispatch_result res = call_with(d, &f, PHC_ARCH_AARCH64, UINT64_C(0x123456789));
    CHECK(res.verdict == PHC_HANDLED, "fallback verdict");
    CHECK_EQ(*fake_slot(&f, PHC_SLOT_RET), 99, "fallback value");
    CHECK_EQ(fb.last.nr, UINT64_C(0x123456789), "fallback sees the number");
    CHECK_EQ(phc_dispatcher_unclaimed(d), before + 1, "a fallback call is still unclaimed");
    call_with(d, &f, PHC_ARCH_ARM, 100);
    CHECK_EQ(*fake_slot(&f, PHC_SLOT_RET), 2, "registered numbers bypass the fallback");
    CHECK_EQ(atomic_load(&fb.calls), 1, "fallback calls");

    phc_dispatcher_set_fallback(d, NULL, NULL);
    CHECK(call_with(d, &f, PHC_ARCH_AARCH64, 5).verdict == PHC_UNHANDLED, "no fallback: unhandled");
    phc_dispatcher_free(d);
}

/* Unhandled leaves every register bit for bit, including a 32-bit guest's
 * host-register upper half, and MIPS's v0 that held the number. */
static void test_passthrough(void)
{
    phc_dispatcher *d = phc_dispatcher_new();
    reply no = { .verdict = PHC_UNHANDLED, .value = 0x5151 };
    CHECK(phc_dispatcher_register(d, 7, reply_fn, &no), "register 7");
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const phc_abi *abi = phc_abi_get((phc_arch)a);
        for (unsigned registered = 0; registered < 2; registered++) {
            fake_vcpu f, fresh;
            fake_vcpu_init(&f, abi, 1, 0);
            uint64_t nr = registered ? 7 : (*fake_slot(&f, PHC_SLOT_NR) & 0xffffff00) | 0x42;
            *fake_slot(&f, PHC_SLOT_NR) = nr;
            fresh = f;
            phc_dispatch_result res = phc_dispatch(d, &f.base);
            CHECK(res.verdict == PHC_UNHANDLED, "%s: verdict %d", abi->name, res.verdict);
            CHECK(f.sets == 0, "%s: %u register writes on an unhandled call", abi->name, f.sets);
            CHECK(memcmp(f.gpr, fresh.gpr, sizeof(f.gpr)) == 0, "%s: registers changed", abi->name);
            CHECK(f.bad_gpr == 0, "%s: bad register access", abi->name);
        }
    }
    CHECK_EQ(atomic_load(&no.calls), PHC_ARCH_COUNT, "unhandling handler calls");
    fake_vcpu f;
    call_with(d, &f, PHC_ARCH_MIPSEL, 0x70480123);
    CHECK_EQ(f.gpr[2], 0x70480123, "MIPS v0 keeps the number on passthrough");
    phc_dispatcher_free(d);
}

/* Handled writes the value masked to the row's width, and only there; the
 * call record carries the arguments from the row's registers. */
static void test_handled_and_record(void)
{
    phc_dispatcher *d = phc_dispatcher_new();
    reply r = { .verdict = PHC_HANDLED, .value = UINT64_C(0xfffffffffffffff2) };
    CHECK(phc_dispatcher_register(d, 0x1338, reply_fn, &r), "register 0x1338");
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const phc_abi *abi = phc_abi_get((phc_arch)a);
        fake_vcpu f;
        fake_vcpu_init(&f, abi, 2, 0);
        fake_vcpu fresh = f;
        *fake_slot(&f, PHC_SLOT_NR) = 0x1338;
        phc_dispatch_result res = phc_dispatch(d, &f.base);
        CHECK(res.verdict == PHC_HANDLED, "%s: verdict", abi->name);
        uint64_t want = abi->reg_bits == 32 ? 0xfffffff2 : UINT64_C(0xfffffffffffffff2);
        CHECK_EQ(*fake_slot(&f, PHC_SLOT_RET), want, abi->name);
        CHECK(f.sets == 1, "%s: %u register writes", abi->name, f.sets);
        check_only_ret_changed(&f, abi->name);

        const phc_call *c = &r.last;
        CHECK(c->vcpu == 2 && c->abi == abi, "%s: record vcpu %u", abi->name, c->vcpu);
        CHECK_EQ(c->nr, 0x1338, abi->name);
        for (unsigned i = 0; i < PHC_NARGS; i++) {
            uint8_t g = abi->gpr[PHC_ARG_SLOT(i)];
            uint64_t v = g == PHC_GPR_NONE ? 0 : phc_abi_mask(abi->reg_bits, fresh.gpr[g]);
            CHECK_EQ(c->args[i], v, abi->name);
        }
    }
    /* MIPS reads a0-a3 and nothing more: slots 5 and 6 are zero */
    CHECK(phc_abi_get(PHC_ARCH_MIPS)->gpr[PHC_SLOT_ARG4] == PHC_GPR_NONE, "mips arg4 mapped");
    phc_dispatcher_free(d);
}

static void test_stop(void)
{
    phc_dispatcher *d = phc_dispatcher_new();
    reply r = { .verdict = PHC_STOP, .value = 3 };
    CHECK(phc_dispatcher_register(d, 0x70480000, reply_fn, &r), "register exit");
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const phc_abi *abi = phc_abi_get((phc_arch)a);
        fake_vcpu f, fresh;
        fake_vcpu_init(&f, abi, 0, 0);
        *fake_slot(&f, PHC_SLOT_NR) = 0x70480000;
        fresh = f;
        phc_dispatch_result res = phc_dispatch(d, &f.base);
        CHECK(res.verdict == PHC_STOP, "%s: verdict %d", abi->name, res.verdict);
        CHECK_EQ(res.status, 3, abi->name);
        CHECK(memcmp(f.gpr, fresh.gpr, sizeof(f.gpr)) == 0, "%s: stop changed registers", abi->name);
    }
    /* status is only meaningful for stop: zero otherwise */
    reply h = { .verdict = PHC_HANDLED, .value = 77 };
    CHECK(phc_dispatcher_register(d, 1, reply_fn, &h), "register 1");
    fake_vcpu f;
    CHECK_EQ(call_with(d, &f, PHC_ARCH_ARM, 1).status, 0, "status of a handled call");
    phc_dispatcher_free(d);
}

static void test_counters(void)
{
    phc_dispatcher *d = phc_dispatcher_new();
    reply r = { .verdict = PHC_HANDLED, .value = 0 };
    CHECK(phc_dispatcher_register(d, NR_TEST, reply_fn, &r), "register");
    CHECK(phc_dispatcher_register(d, 0x7901, reply_fn, &r), "register");
    fake_vcpu f;
    CHECK_EQ(phc_dispatcher_total(d), 0, "total at start");
    for (unsigned i = 0; i < 5; i++)
        call_with(d, &f, PHC_ARCH_AARCH64, UINT64_C(0xffffffffcafebabe));
    for (unsigned i = 0; i < 3; i++)
        call_with(d, &f, PHC_ARCH_MIPS, NR_TEST);
    for (unsigned i = 0; i < 2; i++)
        call_with(d, &f, PHC_ARCH_PPC, 0x7901);
    for (unsigned i = 0; i < 4; i++)
        call_with(d, &f, PHC_ARCH_PPC, 0x7902);
    CHECK_EQ(phc_dispatcher_count(d, NR_TEST), 8, "count 0xcafebabe");
    CHECK_EQ(phc_dispatcher_count(d, UINT64_C(0xffffffffcafebabe)), 8, "count by sign-extended spelling");
    CHECK_EQ(phc_dispatcher_count(d, 0x7901), 2, "count 0x7901");
    CHECK_EQ(phc_dispatcher_count(d, 0x7902), 0, "count of a number nobody registered");
    CHECK_EQ(phc_dispatcher_total(d), 14, "total");
    CHECK_EQ(phc_dispatcher_unclaimed(d), 4, "unclaimed");
    CHECK(phc_dispatcher_unregister(d, 0x7901), "unregister");
    call_with(d, &f, PHC_ARCH_PPC, 0x7901);
    CHECK_EQ(phc_dispatcher_count(d, 0x7901), 2, "count after unregister");
    CHECK_EQ(phc_dispatcher_unclaimed(d), 5, "unclaimed after unregister");
    phc_dispatcher_free(d);
}

/* ---- many vCPU threads, numbers registered and unregistered meanwhile ---- */

#define WORKERS 4
#define CALLS 100000
#define NR_STABLE 0x1338u  /* registered throughout */
#define NR_TOGGLE 0x1339u  /* registered and unregistered by another thread */
#define NR_NOBODY 0x7903u  /* never registered, no fallback */
#define NR_CHURN 0x6408400Cu

/* Echo args[0] ^ vcpu, so a worker can tell its own answer from another's. */
static phc_verdict echo_fn(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    atomic_fetch_add((atomic_ulong *)opaque, 1);
    *value = call->args[0] ^ cpu->index;
    return call->vcpu == cpu->index ? PHC_HANDLED : PHC_STOP;
}

typedef struct worker {
    phc_dispatcher *d;
    unsigned index;
    uint64_t stable, toggle_handled, toggle_unhandled, nobody, wrong;
} worker;

static atomic_bool workers_done;

static void *work(void *arg)
{
    worker *w = arg;
    fake_vcpu f;
    fake_vcpu_init(&f, phc_abi_get(PHC_ARCH_AARCH64), w->index, 0);
    static const uint32_t nrs[] = { NR_STABLE, NR_TOGGLE, NR_NOBODY };
    for (uint64_t i = 0; i < CALLS; i++) {
        uint32_t nr = nrs[i % 3];
        f.gpr[8] = nr;
        f.gpr[0] = i;
        phc_dispatch_result res = phc_dispatch(w->d, &f.base);
        bool handled = res.verdict == PHC_HANDLED && f.gpr[0] == (i ^ w->index);
        bool unhandled = res.verdict == PHC_UNHANDLED && f.gpr[0] == i;
        if (nr == NR_STABLE && handled)
            w->stable++;
        else if (nr == NR_TOGGLE && handled)
            w->toggle_handled++;
        else if (nr == NR_TOGGLE && unhandled)
            w->toggle_unhandled++;
        else if (nr == NR_NOBODY && unhandled)
            w->nobody++;
        else
            w->wrong++;
    }
    return NULL;
}

typedef struct registrar {
    phc_dispatcher *d;
    atomic_ulong *toggle_calls;
    atomic_ulong churn_calls;
    unsigned cycles, failures;
} registrar;

static void *churn(void *arg)
{
    registrar *r = arg;
    while (!atomic_load(&workers_done)) {
        r->failures += !phc_dispatcher_register(r->d, NR_TOGGLE, echo_fn, r->toggle_calls);
        r->failures += !phc_dispatcher_register(r->d, NR_CHURN, echo_fn, &r->churn_calls);
        r->failures += !phc_dispatcher_unregister(r->d, NR_TOGGLE);
        r->failures += !phc_dispatcher_unregister(r->d, NR_CHURN);
        r->cycles++;
    }
    return NULL;
}

static void test_threads(void)
{
    phc_dispatcher *d = phc_dispatcher_new();
    atomic_ulong stable_calls = 0, toggle_calls = 0;
    CHECK(phc_dispatcher_register(d, NR_STABLE, echo_fn, &stable_calls), "register stable");

    /* indices 0/16 and 5/21 share shards, so the shards see contention too */
    static const unsigned indices[WORKERS] = { 0, 16, 5, 21 };
    worker w[WORKERS];
    pthread_t tw[WORKERS], tr;
    registrar reg = { .d = d, .toggle_calls = &toggle_calls };
    atomic_store(&workers_done, false);
    pthread_create(&tr, NULL, churn, &reg);
    for (unsigned i = 0; i < WORKERS; i++) {
        w[i] = (worker){ .d = d, .index = indices[i] };
        pthread_create(&tw[i], NULL, work, &w[i]);
    }
    for (unsigned i = 0; i < WORKERS; i++)
        pthread_join(tw[i], NULL);
    atomic_store(&workers_done, true);
    pthread_join(tr, NULL);

    uint64_t stable = 0, toggled = 0, untoggled = 0, nobody = 0;
    for (unsigned i = 0; i < WORKERS; i++) {
        CHECK(w[i].wrong == 0, "vcpu %u: %" PRIu64 " calls got a wrong answer", w[i].index, w[i].wrong);
        stable += w[i].stable;
        toggled += w[i].toggle_handled;
        untoggled += w[i].toggle_unhandled;
        nobody += w[i].nobody;
    }
    const uint64_t per_nr = (uint64_t)WORKERS * ((CALLS + 2) / 3);
    CHECK(reg.failures == 0, "%u register/unregister calls failed", reg.failures);
    CHECK_EQ(phc_dispatcher_total(d), (uint64_t)WORKERS * CALLS, "total");
    CHECK_EQ(stable, per_nr, "stable calls handled");
    CHECK_EQ(phc_dispatcher_count(d, NR_STABLE), stable, "stable count");
    CHECK_EQ(atomic_load(&stable_calls), stable, "stable handler calls");
    CHECK_EQ(toggled + untoggled, (uint64_t)WORKERS * ((CALLS + 1) / 3), "toggle calls");
    CHECK_EQ(phc_dispatcher_count(d, NR_TOGGLE), toggled, "toggle count");
    CHECK_EQ(atomic_load(&toggle_calls), toggled, "toggle handler calls");
    CHECK_EQ(nobody, (uint64_t)WORKERS * (CALLS / 3), "unregistered calls left alone");
    CHECK_EQ(phc_dispatcher_unclaimed(d), untoggled + nobody, "unclaimed");
    CHECK_EQ(phc_dispatcher_count(d, NR_CHURN), 0, "churn count");
    printf("threads: %u register cycles; toggle handled %" PRIu64 ", unhandled %" PRIu64 "\n", reg.cycles,
           toggled, untoggled);
    phc_dispatcher_free(d);
}

int main(void)
{
    CHECK_EQ(phc_nr_key(UINT64_C(0xffffffffcafebabe), 64), NR_TEST, "key of sign-extended");
    CHECK_EQ(phc_nr_key(UINT64_C(0x1cafebabe), 32), NR_TEST, "key of a 32-bit guest's 0x1cafebabe");
    CHECK_EQ(phc_nr_key(UINT64_C(0x1cafebabe), 64), UINT64_C(0x1cafebabe), "key of a 64-bit number");
    test_width();
    test_64bit_only();
    test_register_unregister_fallback();
    test_passthrough();
    test_handled_and_record();
    test_stop();
    test_counters();
    test_threads();
    return check_report("test-dispatcher");
}
