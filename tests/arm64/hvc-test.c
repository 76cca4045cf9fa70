/*
 * The two ways a Penguin call reaches the ARM64 VMM, end to end on a fake
 * vCPU: the call a guest makes with `hvc #0` (w0 = function ID, x6 = a0),
 * and a forwarded trap of the sentinel itself, give the same call record,
 * the same trace line and the same x0 as the sentinel call TCG sees
 * (x0 = a0), through the unchanged aarch64 ABI row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <phc/trace.h>
#include "esr.h"
#include "smccc.h"
#include "check.h"


typedef struct fake_cpu {
    phc_vcpu base;
    uint64_t x[32];
} fake_cpu;

static uint64_t fake_get(phc_vcpu *cpu, unsigned gpr)
{
    return gpr < 31 ? ((fake_cpu *)cpu)->x[gpr] : 0;
}

static void fake_set(phc_vcpu *cpu, unsigned gpr, uint64_t v)
{
    if (gpr < 31)
        ((fake_cpu *)cpu)->x[gpr] = v;
}

static int fake_mem(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len)
{
    (void)cpu, (void)gva, (void)buf, (void)len;
    return -1;
}

static int fake_wmem(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len)
{
    (void)cpu, (void)gva, (void)buf, (void)len;
    return -1;
}

static const phc_vcpu_ops fake_ops = { fake_get, fake_set, fake_mem, fake_wmem };

#define NR_ANSWER 0x1234u
#define NR_STOP 0x70480000u
#define NR_NOBODY 0x5555u

static phc_call last;
static unsigned calls;

static phc_verdict handler(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    (void)cpu;
    last = *call;
    calls++;
    *value = call->args[0] + call->args[5];
    return opaque ? PHC_STOP : PHC_HANDLED;
}

typedef struct world {
    phc_dispatcher *d;
    char *text;
    size_t len;
    FILE *f;
    phc_trace *t;
} world;

static void world_open(world *w)
{
    w->d = phc_dispatcher_new();
    phc_dispatcher_register(w->d, NR_ANSWER, handler, NULL);
    phc_dispatcher_register(w->d, NR_STOP, handler, (void *)1);
    w->f = open_memstream(&w->text, &w->len);
    w->t = phc_trace_new(w->f);
    phc_dispatcher_set_trace(w->d, w->t);
}

static void world_close(world *w)
{
    phc_trace_close(w->t);
    fclose(w->f);
    phc_dispatcher_free(w->d);
    free(w->text);
}

static const uint64_t args[6] = { 0xfffffffffffffff0u, 0x1111, 0x2222, 0x3333, 0x4444, 0x20 };

static void guest_state(fake_cpu *c, uint64_t nr, bool hvc)
{
    memset(c, 0, sizeof(*c));
    c->base = (phc_vcpu){ .ops = &fake_ops, .index = 3, .abi = phc_abi_get(PHC_ARCH_AARCH64) };
    for (unsigned i = 0; i < 6; i++)
        c->x[i] = args[i];
    c->x[7] = 0x7777; /* not an argument: must not show up anywhere */
    c->x[8] = nr;
    if (hvc) {
        c->x[KVM_ARM64_HVC_ARG0_GPR] = args[0];
        c->x[0] = KVM_ARM64_FID_BASE;
    } else {
        c->x[6] = 0x6666;
    }
}

/* One call both ways; the records, trace lines and x0 must be identical. */
static void same_as_sentinel(uint64_t nr, phc_verdict want)
{
    world tcg, kvm;
    fake_cpu a, b;
    world_open(&tcg);
    world_open(&kvm);

    guest_state(&a, nr, false);
    calls = 0;
    phc_dispatch_result ra = phc_dispatch(tcg.d, &a.base);
    phc_call call_a = last;
    unsigned calls_a = calls;

    guest_state(&b, nr, true);
    calls = 0;
    phc_dispatch_result rb;
    CHECK(kvm_arm64_hvc_dispatch(kvm.d, &b.base, KVM_ARM64_FID_BASE, &rb) == KVM_ARM64_HVC_DISPATCHED,
          "nr 0x%llx: the Penguin function ID was not dispatched", (unsigned long long)nr);

    CHECK(ra.verdict == want && rb.verdict == want, "nr 0x%llx: verdicts %d/%d, want %d",
          (unsigned long long)nr, ra.verdict, rb.verdict, want);
    CHECK(ra.status == rb.status, "exit status differs");
    CHECK(calls == calls_a, "handler calls differ");
    if (calls && calls_a)
        CHECK(memcmp(&call_a, &last, sizeof(last)) == 0, "nr 0x%llx: call records differ",
              (unsigned long long)nr);
    CHECK(a.x[0] == b.x[0], "nr 0x%llx: x0 after the call 0x%llx (sentinel) vs 0x%llx (hvc)",
          (unsigned long long)nr, (unsigned long long)a.x[0], (unsigned long long)b.x[0]);
    uint64_t x0 = want == PHC_HANDLED ? args[0] + args[5] : args[0];
    CHECK(b.x[0] == x0, "nr 0x%llx: x0 = 0x%llx, want 0x%llx", (unsigned long long)nr,
          (unsigned long long)b.x[0], (unsigned long long)x0);
    for (unsigned r = 1; r < 31; r++) {
        uint64_t before = r == KVM_ARM64_HVC_ARG0_GPR ? args[0] : a.x[r];
        CHECK(b.x[r] == before, "x%u changed by the call", r);
    }

    fflush(tcg.f);
    fflush(kvm.f);
    CHECK(tcg.len > 0 && tcg.len == kvm.len && memcmp(tcg.text, kvm.text, tcg.len) == 0,
          "trace lines differ:\n  tcg: %.*s  kvm: %.*s", (int)tcg.len, tcg.text, (int)kvm.len,
          kvm.text);
    CHECK(strstr(kvm.text, "\"args\":[\"0xfffffffffffffff0\",\"0x1111\",\"0x2222\",\"0x3333\","
                           "\"0x4444\",\"0x20\"]") != NULL,
          "the trace does not carry a0..a5: %s", kvm.text);
    world_close(&tcg);
    world_close(&kvm);
}

/* The sentinel's syndrome (EC 0x18, IL, Op0 0 Op1 0 CRn 5 CRm 0 Op2 0, Rt 31, write). */
#define SENTINEL_ESR (UINT64_C(0x18) << 26 | UINT64_C(1) << 25 | 5u << 10 | 31u << 5)

static void forwarded_trap(void)
{
    world tcg, kvm;
    fake_cpu a, b;
    world_open(&tcg);
    world_open(&kvm);
    guest_state(&a, NR_ANSWER, false);
    phc_dispatch(tcg.d, &a.base);
    guest_state(&b, NR_ANSWER, false);
    phc_dispatch_result r;
    CHECK(kvm_arm64_trap_dispatch(kvm.d, &b.base, SENTINEL_ESR, &r) && r.verdict == PHC_HANDLED,
          "the sentinel's trap was not dispatched");
    CHECK(memcmp(a.x, b.x, sizeof(a.x)) == 0, "registers after the trapped call differ");
    fflush(tcg.f);
    fflush(kvm.f);
    CHECK(tcg.len == kvm.len && memcmp(tcg.text, kvm.text, tcg.len) == 0,
          "trace lines differ:\n  tcg: %.*s  kvm: %.*s", (int)tcg.len, tcg.text, (int)kvm.len,
          kvm.text);

    /* Near misses: another Rt, a read, another CRm, the HVC class. */
    const uint64_t near[] = { SENTINEL_ESR & ~(31u << 5), SENTINEL_ESR | 1, SENTINEL_ESR | 1u << 1,
                              UINT64_C(0x16) << 26 | UINT64_C(1) << 25 };
    for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
        fake_cpu c;
        guest_state(&c, NR_ANSWER, false);
        uint64_t before = phc_dispatcher_total(kvm.d);
        CHECK(!kvm_arm64_trap_dispatch(kvm.d, &c.base, near[i], &r), "ESR 0x%llx dispatched",
              (unsigned long long)near[i]);
        CHECK(phc_dispatcher_total(kvm.d) == before && c.x[0] == args[0],
              "ESR 0x%llx reached the dispatcher or changed x0", (unsigned long long)near[i]);
    }
    world_close(&tcg);
    world_close(&kvm);
}

static void other_function_ids(void)
{
    const uint32_t others[] = {
        KVM_ARM64_FID_BASE - 1, KVM_ARM64_FID_BASE + KVM_ARM64_FID_COUNT,
        KVM_ARM64_FID_BASE & ~KVM_ARM64_SMCCC_64,       /* the SMC32 twin */
        KVM_ARM64_FID_BASE & ~KVM_ARM64_SMCCC_FAST_CALL, /* a yielding call */
        0x84000000u,                               /* PSCI_VERSION */
        0x8600ff01u,                               /* KVM's vendor hypervisor UID */
        0xc6000000u,
    };
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        world w;
        fake_cpu c;
        world_open(&w);
        guest_state(&c, NR_ANSWER, true);
        c.x[0] = others[i];
        calls = 0;
        phc_dispatch_result r = { 0 };
        CHECK(!kvm_arm64_fid_is_penguin(others[i]), "0x%08x taken as Penguin", others[i]);
        CHECK(kvm_arm64_hvc_dispatch(w.d, &c.base, others[i], &r) == KVM_ARM64_HVC_NOT_PENGUIN,
              "0x%08x dispatched", others[i]);
        CHECK(calls == 0 && phc_dispatcher_total(w.d) == 0, "0x%08x reached the dispatcher",
              others[i]);
        CHECK(c.x[0] == UINT64_MAX, "0x%08x: x0 = 0x%llx, want SMCCC NOT_SUPPORTED (-1)",
              others[i], (unsigned long long)c.x[0]);
        world_close(&w);
    }
}

/* The range is where SMCCC (Arm DEN0028) puts vendor hypervisor fast calls. */
static void function_id_range(void)
{
    for (uint32_t i = 0; i < KVM_ARM64_FID_COUNT; i++) {
        uint32_t fid = KVM_ARM64_FID_BASE + i;
        CHECK(kvm_arm64_fid_is_penguin(fid), "0x%08x not Penguin", fid);
        CHECK(fid >> 31 == 1, "0x%08x: not a fast call", fid);
        CHECK((fid >> 30 & 1) == 1, "0x%08x: not SMC64", fid);
        CHECK((fid >> 24 & 0x3f) == 6, "0x%08x: owner is not the vendor hypervisor (6)", fid);
        CHECK((fid >> 16 & 0xff) == 0, "0x%08x: bits 23:16 must be zero in a fast call", fid);
        uint32_t func = fid & 0xffff;
        CHECK(func > 0x3f && func != 0xff01, "0x%08x: function number KVM uses itself", fid);
    }
    CHECK(KVM_ARM64_FID_BASE == 0xc6005048u, "the documented base is 0xc6005048");
    /* Every fast/yielding, SMC32/64 call of every owner and function number. */
    unsigned n = 0;
    for (uint32_t top = 0; top < 256; top++)
        for (uint32_t func = 0; func <= 0xffff; func++)
            n += kvm_arm64_fid_is_penguin(top << 24 | func);
    CHECK(n == KVM_ARM64_FID_COUNT, "%u function IDs are Penguin, want %u", n, KVM_ARM64_FID_COUNT);
}

int main(void)
{
    same_as_sentinel(NR_ANSWER, PHC_HANDLED);
    same_as_sentinel(NR_STOP, PHC_STOP);
    same_as_sentinel(NR_NOBODY, PHC_UNHANDLED);
    same_as_sentinel(0xffffffffcafebabeu, PHC_UNHANDLED);
    forwarded_trap();
    other_function_ids();
    function_id_range();
    if (check_failures)
        return 1;
    printf("hvc: Penguin HVC calls and forwarded traps give the sentinel's record\n");
    return 0;
}
