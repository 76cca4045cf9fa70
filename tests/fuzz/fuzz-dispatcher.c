/*
 * The dispatcher under random registrations, unregistrations, fallbacks and
 * calls from fake vCPUs of every ABI row, single-threaded against an exact
 * model, or with several vCPU threads dispatching while the main thread
 * changes the registry. Whatever the input:
 *  - a handler only ever sees numbers it was registered for (by the width
 *    rule of dispatcher.h, modelled here independently), and a call record
 *    that matches the vCPU's registers through its ABI row;
 *  - unhandled calls leave every register as it was, handled ones change
 *    only the return register, to what the handler answered;
 *  - the built-ins answer console calls with -14/-22/length as the guest's
 *    memory says, and never touch memory the guest does not have;
 *  - the counters and the trace account for every call, seq from 0 on.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <phc/builtins.h>
#include <phc/dispatcher.h>
#include <phc/trace.h>
#include "input.h"

#define NREGS 32
#define MEM_SIZE 64
#define POOL 8
#define MAX_OPS 256
#define MAX_WORKERS 3

typedef enum kind { ANSWER, DECLINE, STOP, KINDS } kind;

typedef struct registration {
    uint64_t nr; /* 0 for the fallback */
    kind kind;
    bool fallback;
} registration;

typedef struct fake_cpu {
    phc_vcpu cpu;
    uint64_t regs[NREGS];
    uint64_t mem_base;
    uint8_t mem[MEM_SIZE];
    uint64_t answered; /* what the last handler put in *value */
} fake_cpu;

static uint64_t get_gpr(phc_vcpu *cpu, unsigned gpr)
{
    FUZZ_CHECK(gpr < NREGS, "register %u", gpr);
    return ((fake_cpu *)cpu)->regs[gpr];
}

static void set_gpr(phc_vcpu *cpu, unsigned gpr, uint64_t value)
{
    FUZZ_CHECK(gpr < NREGS, "register %u", gpr);
    ((fake_cpu *)cpu)->regs[gpr] = value;
}

/* The guest has MEM_SIZE bytes at mem_base, nothing else. */
static bool mapped(const fake_cpu *f, uint64_t gva, uint64_t len)
{
    uint64_t off = gva - f->mem_base;
    return gva >= f->mem_base && off <= MEM_SIZE && len <= MEM_SIZE - off;
}

static int read_mem(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len)
{
    fake_cpu *f = (fake_cpu *)cpu;
    if (!mapped(f, gva, len))
        return -1;
    memcpy(buf, f->mem + (gva - f->mem_base), len);
    return 0;
}

static int write_mem(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len)
{
    fake_cpu *f = (fake_cpu *)cpu;
    if (!mapped(f, gva, len))
        return -1;
    memcpy(f->mem + (gva - f->mem_base), buf, len);
    return 0;
}

static const phc_vcpu_ops fake_ops = { get_gpr, set_gpr, read_mem, write_mem };

static uint64_t mask(unsigned bits, uint64_t v)
{
    return bits >= 64 ? v : v & ((UINT64_C(1) << bits) - 1);
}

static bool fits32(uint64_t n)
{
    return n >> 32 == 0 || n >> 31 == UINT64_C(0x1ffffffff);
}

/* dispatcher.h: a number that fits 32 bits (or sign-extends one) matches a
 * 32-bit guest's low word and a 64-bit guest's zero- or sign-extended value. */
static bool number_matches(uint64_t registered, uint64_t guest_nr, unsigned nr_bits)
{
    uint64_t n = mask(nr_bits, guest_nr);
    if (!fits32(registered))
        return n == registered;
    uint32_t low = (uint32_t)registered;
    return n == low || n == (uint64_t)(int64_t)(int32_t)low;
}

static bool same_key(uint64_t a, uint64_t b)
{
    return a == b || (fits32(a) && fits32(b) && (uint32_t)a == (uint32_t)b);
}

static uint64_t slot_value(const fake_cpu *f, phc_slot slot)
{
    const phc_abi *abi = f->cpu.abi;
    unsigned gpr = abi->gpr[slot];
    return gpr == PHC_GPR_NONE ? 0 : mask(abi->reg_bits, f->regs[gpr]);
}

static uint64_t answer_for(const phc_call *call)
{
    return call->nr * UINT64_C(0x9E3779B97F4A7C15) ^ call->args[0];
}

static phc_verdict handler(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    fake_cpu *f = (fake_cpu *)cpu;
    const registration *r = opaque;
    FUZZ_CHECK(r->fallback || number_matches(r->nr, call->nr, call->abi->nr_bits),
               "handler for 0x%llx got number 0x%llx (%u bits)", (unsigned long long)r->nr,
               (unsigned long long)call->nr, call->abi->nr_bits);
    FUZZ_CHECK(call->abi == cpu->abi && call->vcpu == cpu->index, "record of another vCPU");
    FUZZ_CHECK(call->nr == mask(call->abi->nr_bits, slot_value(f, PHC_SLOT_NR)), "number");
    for (unsigned i = 0; i < PHC_NARGS; i++)
        FUZZ_CHECK(call->args[i] == slot_value(f, PHC_ARG_SLOT(i)), "argument %u", i);
    *value = f->answered = answer_for(call);
    return r->kind == ANSWER ? PHC_HANDLED : r->kind == DECLINE ? PHC_UNHANDLED : PHC_STOP;
}

typedef enum op_code { OP_REGISTER, OP_UNREGISTER, OP_FALLBACK, OP_DISPATCH, OP_CODES } op_code;

typedef struct op {
    op_code code;
    unsigned slot;  /* pool index */
    kind kind;
    bool clear;     /* OP_FALLBACK: remove it */
    const phc_abi *abi;
    uint64_t regs[NREGS];
} op;

typedef struct world {
    phc_dispatcher *d;
    phc_trace *trace;
    uint64_t pool[POOL];
    registration regs[POOL][KINDS];
    registration fallback[KINDS];
    bool builtins;
    uint64_t mem_base;
    uint8_t mem[MEM_SIZE];
    op ops[MAX_OPS];
    size_t nops;
} world;

static const uint64_t builtin_nrs[] = { PHC_NR_TEST, PHC_NR_CONSOLE, PHC_NR_EXIT };

/* Pool numbers in shapes that collide under the width rule now and then. */
static uint64_t pool_number(fuzz_input *in)
{
    uint8_t shape = fuzz_u8(in);
    uint32_t low = (uint32_t)fuzz_take(in, 4);
    switch (shape % 5) {
    case 0: return low & 0xff;
    case 1: return low;
    case 2: return (uint64_t)(int64_t)(int32_t)(low | 0x80000000u);
    case 3: return (uint64_t)fuzz_take(in, 4) << 32 | low;
    default: return builtin_nrs[low % 3];
    }
}

/* The number a vCPU puts in its number register: a pool number as a guest of
 * some width would send it, or noise. */
static uint64_t guest_number(fuzz_input *in, const world *w)
{
    uint8_t shape = fuzz_u8(in);
    uint64_t n = w->pool[(shape >> 3) % POOL];
    switch (shape % 5) {
    case 0: return n;
    case 1: return (uint32_t)n;
    case 2: return (uint64_t)(int64_t)(int32_t)n;
    case 3: return n ^ fuzz_u64(in);
    default: return builtin_nrs[(shape >> 3) % 3];
    }
}

static void parse_ops(fuzz_input *in, world *w)
{
    while (w->nops < MAX_OPS && fuzz_left(in) > 0) {
        op *o = &w->ops[w->nops++];
        memset(o, 0, sizeof(*o));
        uint8_t b = fuzz_u8(in);
        o->code = (op_code)(b % OP_CODES);
        o->slot = (b >> 2) % POOL;
        o->kind = (kind)((b >> 5) % KINDS);
        o->clear = b & 0x80;
        if (o->code != OP_DISPATCH)
            continue;
        o->abi = phc_abi_get((phc_arch)(fuzz_u8(in) % PHC_ARCH_COUNT));
        uint8_t fill = fuzz_u8(in);
        for (unsigned r = 0; r < NREGS; r++)
            o->regs[r] = fill & 1 ? UINT64_MAX : fill & 2 ? fuzz_u64(in) : r;
        /* console calls get arguments near the guest's memory and its edges */
        uint64_t a0 = o->abi->gpr[PHC_SLOT_ARG0], a1 = o->abi->gpr[PHC_SLOT_ARG1];
        if (fill & 4)
            o->regs[a0] = w->mem_base + (int8_t)fuzz_u8(in);
        if (fill & 8)
            o->regs[a1] = fill & 16 ? fuzz_u64(in) : fuzz_u8(in);
        o->regs[o->abi->gpr[PHC_SLOT_NR]] = guest_number(in, w);
    }
}

/* What a built-in must answer, from the guest's memory and the ABI alone. */
static bool builtin_expect(const fake_cpu *f, uint64_t key_nr, phc_verdict *v, uint64_t *ret)
{
    unsigned bits = f->cpu.abi->reg_bits;
    uint64_t a0 = slot_value(f, PHC_SLOT_ARG0), a1 = slot_value(f, PHC_SLOT_ARG1);
    if (number_matches(PHC_NR_TEST, key_nr, f->cpu.abi->nr_bits)) {
        *v = PHC_HANDLED, *ret = PHC_TEST_ANSWER;
    } else if (number_matches(PHC_NR_CONSOLE, key_nr, f->cpu.abi->nr_bits)) {
        *v = PHC_HANDLED;
        *ret = mask(bits, a1 > PHC_CONSOLE_MAX ? PHC_EINVAL
                          : (a1 && a0 + a1 - 1 < a0) || !mapped(f, a0, a1) ? PHC_EFAULT : a1);
    } else if (number_matches(PHC_NR_EXIT, key_nr, f->cpu.abi->nr_bits)) {
        *v = PHC_STOP, *ret = a0 & 0xff;
    } else {
        return false;
    }
    return true;
}

/* The sequential model and the threads' checks keep the built-ins registered. */
static bool is_builtin(const world *w, uint64_t nr)
{
    bool hit = false;
    for (unsigned b = 0; b < 3; b++)
        hit |= w->builtins && same_key(builtin_nrs[b], nr);
    return hit;
}

static void check_registers(const fake_cpu *f, const uint64_t *before, phc_verdict v,
                            uint64_t expect_ret)
{
    unsigned ret = f->cpu.abi->gpr[PHC_SLOT_RET];
    for (unsigned r = 0; r < NREGS; r++) {
        if (r == ret && v == PHC_HANDLED)
            FUZZ_CHECK(f->regs[r] == mask(f->cpu.abi->reg_bits, expect_ret),
                       "%s: return register 0x%llx, want 0x%llx", f->cpu.abi->name,
                       (unsigned long long)f->regs[r], (unsigned long long)expect_ret);
        else
            FUZZ_CHECK(f->regs[r] == before[r], "%s: register %u changed (verdict %d)",
                       f->cpu.abi->name, r, v);
    }
}

/* Run one call; returns its verdict and checks what only the call decides. */
static phc_verdict dispatch_one(world *w, fake_cpu *f, const op *o)
{
    f->cpu.abi = o->abi;
    memcpy(f->regs, o->regs, sizeof(f->regs));
    f->answered = 0xdeadbeef;
    uint64_t guest_nr = slot_value(f, PHC_SLOT_NR);
    phc_verdict builtin_v;
    uint64_t builtin_ret;
    bool builtin = w->builtins && builtin_expect(f, guest_nr, &builtin_v, &builtin_ret);

    phc_dispatch_result res = phc_dispatch(w->d, &f->cpu);
    FUZZ_CHECK(res.verdict <= PHC_STOP, "verdict %d", res.verdict);
    if (builtin) {
        FUZZ_CHECK(res.verdict == builtin_v, "built-in verdict %d, want %d", res.verdict, builtin_v);
        if (res.verdict == PHC_STOP)
            FUZZ_CHECK(res.status == builtin_ret, "exit status");
        check_registers(f, o->regs, res.verdict, builtin_ret);
    } else {
        if (res.verdict == PHC_STOP)
            FUZZ_CHECK(res.status == f->answered, "stop status");
        check_registers(f, o->regs, res.verdict, f->answered);
    }
    return res.verdict;
}

/* The exact model: which registration answers a number right now. */
typedef struct model {
    bool used[POOL];
    uint64_t nr[POOL];
    kind kind[POOL];
    bool has_fallback;
    kind fallback;
    uint64_t unclaimed;
} model;

static int model_find(const model *m, uint64_t nr)
{
    for (unsigned i = 0; i < POOL; i++)
        if (m->used[i] && same_key(m->nr[i], nr))
            return (int)i;
    return -1;
}

static void run_sequential(world *w)
{
    model m = { 0 };
    fake_cpu f = { .cpu = { .ops = &fake_ops, .index = 0 }, .mem_base = w->mem_base };
    memcpy(f.mem, w->mem, MEM_SIZE);
    for (size_t i = 0; i < w->nops; i++) {
        const op *o = &w->ops[i];
        uint64_t nr = w->pool[o->slot];
        bool taken = model_find(&m, nr) >= 0;
        switch (o->code) {
        case OP_REGISTER: {
            bool ok = phc_dispatcher_register(w->d, nr, handler, &w->regs[o->slot][o->kind]);
            FUZZ_CHECK(ok == (!taken && !is_builtin(w, nr)), "register 0x%llx: %d", (unsigned long long)nr, ok);
            if (ok)
                m.used[o->slot] = true, m.nr[o->slot] = nr, m.kind[o->slot] = o->kind;
            break;
        }
        case OP_UNREGISTER:
            if (is_builtin(w, nr))
                break;
            FUZZ_CHECK(phc_dispatcher_unregister(w->d, nr) == taken, "unregister 0x%llx",
                       (unsigned long long)nr);
            if (taken)
                m.used[model_find(&m, nr)] = false;
            break;
        case OP_FALLBACK:
            phc_dispatcher_set_fallback(w->d, o->clear ? NULL : handler, &w->fallback[o->kind]);
            m.has_fallback = !o->clear, m.fallback = o->kind;
            break;
        default: {
            f.cpu.abi = o->abi;
            memcpy(f.regs, o->regs, sizeof(f.regs));
            uint64_t guest_nr = slot_value(&f, PHC_SLOT_NR);
            int hit = -1;
            for (unsigned s = 0; s < POOL; s++)
                if (m.used[s] && number_matches(m.nr[s], guest_nr, o->abi->nr_bits))
                    hit = (int)s;
            bool builtin_hit = false;
            for (unsigned b = 0; b < 3; b++)
                builtin_hit |= w->builtins && number_matches(builtin_nrs[b], guest_nr, o->abi->nr_bits);
            phc_verdict v = dispatch_one(w, &f, o);
            if (hit < 0 && !builtin_hit) {
                m.unclaimed++;
                kind k = m.fallback;
                phc_verdict want = !m.has_fallback ? PHC_UNHANDLED
                                   : k == ANSWER   ? PHC_HANDLED
                                   : k == DECLINE  ? PHC_UNHANDLED
                                                   : PHC_STOP;
                FUZZ_CHECK(v == want, "unclaimed 0x%llx: verdict %d, want %d",
                           (unsigned long long)guest_nr, v, want);
            } else if (hit >= 0) {
                kind k = m.kind[hit];
                FUZZ_CHECK(v == (k == ANSWER ? PHC_HANDLED : k == DECLINE ? PHC_UNHANDLED : PHC_STOP),
                           "0x%llx: verdict %d", (unsigned long long)guest_nr, v);
            }
        }
        }
    }
    FUZZ_CHECK(phc_dispatcher_unclaimed(w->d) == m.unclaimed, "unclaimed %llu, want %llu",
               (unsigned long long)phc_dispatcher_unclaimed(w->d), (unsigned long long)m.unclaimed);
}

typedef struct worker {
    pthread_t thread;
    world *w;
    unsigned index, nworkers;
    fake_cpu f;
} worker;

static void *work(void *arg)
{
    worker *k = arg;
    for (size_t i = k->index; i < k->w->nops; i += k->nworkers)
        if (k->w->ops[i].code == OP_DISPATCH)
            dispatch_one(k->w, &k->f, &k->w->ops[i]);
    return NULL;
}

/* vCPU threads dispatch while this thread changes the registry under them. */
static void run_threaded(world *w, unsigned nworkers)
{
    worker workers[MAX_WORKERS];
    for (unsigned t = 0; t < nworkers; t++) {
        workers[t] = (worker){ .w = w, .index = t, .nworkers = nworkers,
                               .f = { .cpu = { .ops = &fake_ops, .index = t }, .mem_base = w->mem_base } };
        memcpy(workers[t].f.mem, w->mem, MEM_SIZE);
        FUZZ_CHECK(pthread_create(&workers[t].thread, NULL, work, &workers[t]) == 0, "thread");
    }
    for (size_t i = 0; i < w->nops; i++) {
        const op *o = &w->ops[i];
        uint64_t nr = w->pool[o->slot];
        if (o->code == OP_REGISTER)
            phc_dispatcher_register(w->d, nr, handler, &w->regs[o->slot][o->kind]);
        else if (o->code == OP_UNREGISTER && !is_builtin(w, nr))
            phc_dispatcher_unregister(w->d, nr);
        else if (o->code == OP_FALLBACK)
            phc_dispatcher_set_fallback(w->d, o->clear ? NULL : handler, &w->fallback[o->kind]);
    }
    for (unsigned t = 0; t < nworkers; t++)
        pthread_join(workers[t].thread, NULL);
}

/* Every call is one line, numbered from 0 in file order. */
static void check_trace(const char *text, size_t len, uint64_t calls)
{
    uint64_t lines = 0;
    for (const char *p = text; p < text + len;) {
        const char *nl = memchr(p, '\n', (size_t)(text + len - p));
        FUZZ_CHECK(nl, "unterminated trace line");
        char *end;
        FUZZ_CHECK(strncmp(p, "{\"seq\":", 7) == 0, "trace line %llu", (unsigned long long)lines);
        FUZZ_CHECK(strtoull(p + 7, &end, 10) == lines && *end == ',', "seq out of order at %llu",
                   (unsigned long long)lines);
        lines++;
        p = nl + 1;
    }
    FUZZ_CHECK(lines == calls, "%llu trace lines for %llu calls", (unsigned long long)lines,
               (unsigned long long)calls);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static world w; /* large: keep it off the stack */
    memset(&w, 0, sizeof(w));
    fuzz_input in = { data, size, 0 };
    uint8_t mode = fuzz_u8(&in);
    w.builtins = mode & 1;
    w.mem_base = fuzz_u64(&in);
    for (unsigned i = 0; i < MEM_SIZE; i++)
        w.mem[i] = (uint8_t)i;
    for (unsigned i = 0; i < POOL; i++) {
        w.pool[i] = pool_number(&in);
        for (unsigned k = 0; k < KINDS; k++)
            w.regs[i][k] = (registration){ .nr = w.pool[i], .kind = (kind)k };
    }
    for (unsigned k = 0; k < KINDS; k++)
        w.fallback[k] = (registration){ .kind = (kind)k, .fallback = true };
    parse_ops(&in, &w);

    char *text = NULL;
    size_t text_len = 0;
    FILE *stream = open_memstream(&text, &text_len);
    FILE *console = fopen("/dev/null", "w");
    FUZZ_CHECK(stream && console, "streams");
    w.d = phc_dispatcher_new();
    w.trace = phc_trace_new(stream);
    phc_dispatcher_set_trace(w.d, w.trace);
    if (w.builtins)
        FUZZ_CHECK(phc_builtins_register(w.d, PHC_BUILTIN_ALL, console), "built-ins");

    unsigned nworkers = (mode >> 1) % (MAX_WORKERS + 1);
    if (nworkers == 0)
        run_sequential(&w);
    else
        run_threaded(&w, nworkers);

    uint64_t calls = 0;
    for (size_t i = 0; i < w.nops; i++)
        calls += w.ops[i].code == OP_DISPATCH;
    FUZZ_CHECK(phc_dispatcher_total(w.d) == calls, "total %llu, want %llu",
               (unsigned long long)phc_dispatcher_total(w.d), (unsigned long long)calls);
    FUZZ_CHECK(phc_trace_close(w.trace) == 0, "trace write failed");
    fclose(stream);
    check_trace(text, text_len, calls);
    free(text);
    fclose(console);
    phc_dispatcher_free(w.d);
    return 0;
}
