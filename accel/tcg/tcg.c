/*
 * One Unicorn engine as one vCPU. This file owns guest RAM, the vCPU view
 * the dispatcher sees, and the run loop; the engine entry it is handed
 * (tcg_arch) says how the architecture's sentinel is caught.
 *
 * The run loop restarts the engine whenever a hook changed something the
 * engine cannot pick up mid-flight (a new sentinel hook, an ARM32 call
 * stepped over), and turns every other stop into a phc_run_result.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include "tcg.h"
#include "../entry.h"
#include "../portbus.h"

/* Never reached: every architecture faults on leaving RAM long before. */
#define END_ADDRESS UINT64_MAX
#define PAGE_SIZE 4096u
#define REKICK_NS 10000000L

uc_err tcg_open_engine(const tcg_arch *a, uc_engine **uc)
{
    uc_err err = uc_open(a->uc_arch, a->uc_mode, uc);
    if (err == UC_ERR_OK && a->pick_cpu && (err = uc_ctl_set_cpu_model(*uc, a->cpu_model)) != UC_ERR_OK)
        uc_close(*uc);
    return err;
}

/* ---- the vCPU the dispatcher and handlers see ---- */

static int reg_id(const tcg_machine *m, unsigned gpr)
{
    return gpr < m->arch->ngpr ? m->arch->gpr[gpr] : 0;
}

static uint64_t read_reg(tcg_machine *m, int id)
{
    if (m->arch->reg_bytes == 4) {
        uint32_t v = 0;
        uc_reg_read(m->uc, id, &v);
        return v;
    }
    uint64_t v = 0;
    uc_reg_read(m->uc, id, &v);
    return v;
}

static void write_reg(tcg_machine *m, int id, uint64_t value)
{
    if (m->arch->reg_bytes == 4) {
        uint32_t v = (uint32_t)value;
        uc_reg_write(m->uc, id, &v);
    } else {
        uc_reg_write(m->uc, id, &value);
    }
}

/* Where @gpr sits in the call's registers, or -1 (also outside a call). */
static int cached(const tcg_machine *m, unsigned gpr)
{
    return m->regs.valid && gpr < TCG_CACHED_GPRS ? m->regs.pos[gpr] : -1;
}

/* Lay out the batch for the row in force; x86 switches between two rows. */
static void plan_batch(tcg_machine *m)
{
    tcg_call_regs *c = &m->regs;
    c->row = m->vcpu.abi;
    c->n = 0;
    memset(c->pos, -1, sizeof(c->pos));
    for (unsigned s = 0; s < PHC_SLOT_COUNT; s++) {
        unsigned gpr = c->row->gpr[s];
        int id = reg_id(m, gpr);
        if (!id || gpr >= TCG_CACHED_GPRS || c->pos[gpr] >= 0)
            continue;
        c->pos[gpr] = (int8_t)c->n;
        c->ids[c->n++] = id;
    }
}

void tcg_call_begin(tcg_machine *m)
{
    tcg_call_regs *c = &m->regs;
    void *vals[PHC_SLOT_COUNT];
    uint32_t narrow[PHC_SLOT_COUNT];
    bool wide = m->arch->reg_bytes == 8;

    c->valid = false;
    if (c->row != m->vcpu.abi)
        plan_batch(m);
    for (unsigned i = 0; i < c->n; i++)
        vals[i] = wide ? (void *)&c->value[i] : (void *)&narrow[i];
    if (uc_reg_read_batch(m->uc, c->ids, vals, (int)c->n) != UC_ERR_OK)
        return; /* not valid: every access goes to the engine */
    for (unsigned i = 0; !wide && i < c->n; i++)
        c->value[i] = narrow[i];
    c->valid = true;
}

void tcg_call_end(tcg_machine *m)
{
    m->regs.valid = false;
}

static uint64_t vcpu_get_gpr(phc_vcpu *cpu, unsigned gpr)
{
    tcg_machine *m = (tcg_machine *)cpu;
    int i = cached(m, gpr);
    if (i >= 0)
        return m->regs.value[i];
    int id = reg_id(m, gpr);
    return id ? read_reg(m, id) : 0;
}

/* Written through, so the engine always holds the truth; the copy keeps
 * what the engine now reads back (no ABI row names a hardwired zero). */
static void vcpu_set_gpr(phc_vcpu *cpu, unsigned gpr, uint64_t value)
{
    tcg_machine *m = (tcg_machine *)cpu;
    int id = reg_id(m, gpr);
    if (!id)
        return;
    write_reg(m, id, value);
    int i = cached(m, gpr);
    if (i >= 0)
        m->regs.value[i] = m->arch->reg_bytes == 4 ? (uint32_t)value : value;
}

bool tcg_ram_read(const tcg_machine *m, uint64_t addr, void *buf, size_t len)
{
    uint64_t size = m->cfg->mem_size;
    if (addr > size || len > size - addr)
        return false;
    memcpy(buf, m->ram + addr, len);
    return true;
}

/* Virtual == physical in these guests: the address is an offset into RAM. */
static int vcpu_read_mem(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len)
{
    return tcg_ram_read((tcg_machine *)cpu, gva, buf, len) ? 0 : -1;
}

/* Through the engine, which drops translations of code written over. */
static int vcpu_write_mem(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len)
{
    tcg_machine *m = (tcg_machine *)cpu;
    return len == 0 || uc_mem_write(m->uc, gva, buf, len) == UC_ERR_OK ? 0 : -1;
}

static const phc_vcpu_ops tcg_vcpu_ops = {
    .get_gpr = vcpu_get_gpr,
    .set_gpr = vcpu_set_gpr,
    .read_mem = vcpu_read_mem,
    .write_mem = vcpu_write_mem,
};

uint64_t tcg_read_pc(tcg_machine *m)
{
    return read_reg(m, m->arch->pc_reg);
}

void tcg_write_pc(tcg_machine *m, uint64_t pc)
{
    write_reg(m, m->arch->pc_reg, pc);
}

/* ---- stopping ---- */

void tcg_stop_engine(tcg_machine *m, tcg_stop why)
{
    if (why > m->stop)
        m->stop = why;
    uc_emu_stop(m->uc);
}

void tcg_fault(tcg_machine *m, const char *fmt, ...)
{
    if (m->stop >= TCG_STOP_FAULT)
        return; /* keep the first reason */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
    va_end(ap);
    tcg_stop_engine(m, TCG_STOP_FAULT);
}

void tcg_dispatch(tcg_machine *m)
{
    if (tcg_ended(m))
        return;
    if (!m->regs.valid)
        tcg_call_begin(m);
    phc_dispatch_result r = phc_dispatch(m->cfg->dispatcher, &m->vcpu);
    tcg_call_end(m);
    if (r.verdict == PHC_STOP) {
        m->exit_status = r.status;
        tcg_stop_engine(m, TCG_STOP_EXIT);
    }
}

static void count_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    (void)uc, (void)size;
    tcg_machine *m = opaque;
    if (++m->insns > m->cfg->insn_limit) {
        snprintf(m->reason, sizeof(m->reason), "instruction limit %" PRIu64 " reached at pc %#" PRIx64,
                 m->cfg->insn_limit, addr);
        tcg_stop_engine(m, TCG_STOP_LIMIT);
    }
}

/*
 * The cancel kick. uc_emu_stop is ignored while the engine is between two
 * starts, and uc_emu_start clears a stop that came just before it, so one
 * kick can be lost in that gap. A cancel is final: keep stopping the
 * engine every few milliseconds until the run loop has seen it.
 */
static void *rekick(void *arg)
{
    tcg_machine *m = arg;
    const struct timespec pause = { .tv_nsec = REKICK_NS };
    while (!atomic_load(&m->run_over)) {
        uc_emu_stop(m->uc);
        nanosleep(&pause, NULL);
    }
    return NULL;
}

typedef struct kicker {
    tcg_machine *m;
    pthread_t thread;
    bool started; /* touched only under the cancel's lock or after the kick is removed */
} kicker;

static void kick(void *arg)
{
    kicker *k = arg;
    if (!k->started)
        k->started = pthread_create(&k->thread, NULL, rekick, k->m) == 0;
    uc_emu_stop(k->m->uc);
}

/* ---- set-up ---- */

static bool open_engine(tcg_machine *m, phc_run_result *res)
{
    const phc_run_config *cfg = m->cfg;
    uc_err err = tcg_open_engine(m->arch, &m->uc);
    if (err != UC_ERR_OK) {
        m->uc = NULL;
        phc_run_result_set(res, PHC_END_ERROR, "unicorn: cannot open the %s engine: %s", cfg->abi->name,
                           uc_strerror(err));
        return false;
    }
    if (cfg->mem_size == 0 || cfg->mem_size % PAGE_SIZE) {
        phc_run_result_set(res, PHC_END_ERROR, "guest RAM of %" PRIu64 " bytes is not a whole number of 4 KiB pages",
                           cfg->mem_size);
        return false;
    }
    if (cfg->abi->reg_bits == 32 && cfg->mem_size > UINT64_C(1) << 32) {
        phc_run_result_set(res, PHC_END_ERROR, "guest RAM of %" PRIu64 " bytes does not fit a 32-bit %s guest",
                           cfg->mem_size, cfg->abi->name);
        return false;
    }
    /* RAM the frontend can read without an engine call; untouched pages
     * cost nothing */
    void *ram = mmap(NULL, cfg->mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        phc_run_result_set(res, PHC_END_ERROR, "cannot reserve %" PRIu64 " bytes of guest RAM: %s", cfg->mem_size,
                           strerror(errno));
        return false;
    }
    m->ram = ram;
    err = uc_mem_map_ptr(m->uc, 0, cfg->mem_size, UC_PROT_ALL, ram);
    if (err != UC_ERR_OK) {
        phc_run_result_set(res, PHC_END_ERROR, "unicorn: cannot map %" PRIu64 " bytes of guest RAM: %s",
                           cfg->mem_size, uc_strerror(err));
        return false;
    }
    return true;
}

static bool load_image(tcg_machine *m, phc_run_result *res)
{
    const phc_image *img = m->cfg->image;
    uint64_t ram = m->cfg->mem_size;
    for (size_t i = 0; i < img->nsegs; i++) {
        const phc_segment *s = &img->segs[i];
        if (s->filesz > s->memsz || s->addr > ram || s->memsz > ram - s->addr) {
            phc_run_result_set(res, PHC_END_ERROR,
                               "image segment [%#" PRIx64 ", %#" PRIx64 ") lies outside guest RAM [0, %#" PRIx64 ")",
                               s->addr, s->addr + s->memsz, ram);
            return false;
        }
        /* fresh RAM is zero, so only the file bytes need copying */
        if (s->filesz && uc_mem_write(m->uc, s->addr, s->data, s->filesz) != UC_ERR_OK) {
            phc_run_result_set(res, PHC_END_ERROR, "unicorn: cannot copy the segment at %#" PRIx64, s->addr);
            return false;
        }
    }
    return true;
}

/* The defined entry state (docs/entry.md); the PC is where the loop starts. */
static void set_entry_state(tcg_machine *m, const phc_entry *e)
{
    write_reg(m, reg_id(m, m->cfg->abi->entry.sp_gpr), e->sp);
    for (unsigned i = 0; i < e->nregs; i++)
        write_reg(m, reg_id(m, e->regs[i].gpr), e->regs[i].value);
}

static bool add_insn_limit(tcg_machine *m, phc_run_result *res)
{
    uc_hook h;
    if (!m->cfg->insn_limit)
        return true;
    /* the same per-instruction hook uc_emu_start's count would add, but
     * one that keeps counting across the loop's restarts */
    if (uc_hook_add(m->uc, &h, UC_HOOK_CODE, count_insn, m, 1, 0) != UC_ERR_OK) {
        phc_run_result_set(res, PHC_END_ERROR, "unicorn: cannot add the instruction counter");
        return false;
    }
    return true;
}

/* ---- the run loop ---- */

static bool is_guest_fault(uc_err err)
{
    switch (err) {
    case UC_ERR_READ_UNMAPPED: case UC_ERR_WRITE_UNMAPPED: case UC_ERR_FETCH_UNMAPPED:
    case UC_ERR_READ_PROT: case UC_ERR_WRITE_PROT: case UC_ERR_FETCH_PROT:
    case UC_ERR_READ_UNALIGNED: case UC_ERR_WRITE_UNALIGNED: case UC_ERR_FETCH_UNALIGNED:
    case UC_ERR_INSN_INVALID: case UC_ERR_EXCEPTION:
        return true;
    default:
        return false;
    }
}

static void cancelled(phc_run_result *res, phc_end why)
{
    phc_run_result_set(res, why, "%s", why == PHC_END_SIGNAL ? "interrupted by a signal" : "time limit reached");
}

/* Returns true to start the engine again. */
static bool settle(tcg_machine *m, uc_err err, phc_run_result *res)
{
    phc_end why;
    uint64_t pc = tcg_read_pc(m);

    if (m->stop == TCG_RUNNING && err == UC_ERR_OK && m->arch->unexplained_stop)
        m->arch->unexplained_stop(m);
    switch (m->stop) {
    case TCG_STOP_EXIT:
        res->end = PHC_END_EXIT;
        res->status = (int)(m->exit_status & 0xff);
        res->reason[0] = '\0';
        return false;
    case TCG_STOP_FAULT:
        phc_run_result_set(res, PHC_END_FAULT, "%s", m->reason);
        return false;
    case TCG_STOP_HALT:
        phc_run_result_set(res, PHC_END_HALT, "%s", m->reason);
        return false;
    case TCG_STOP_LIMIT:
        phc_run_result_set(res, PHC_END_LIMIT, "%s", m->reason);
        return false;
    default:
        break;
    }
    if (err != UC_ERR_OK) {
        phc_run_result_set(res, is_guest_fault(err) ? PHC_END_FAULT : PHC_END_ERROR,
                           "unicorn stopped the %s guest at pc %#" PRIx64 ": %s", m->cfg->abi->name, pc,
                           uc_strerror(err));
        return false;
    }
    if (m->cfg->cancel && phc_cancel_requested(m->cfg->cancel, &why)) {
        cancelled(res, why);
        return false;
    }
    if (m->stop == TCG_STOP_RESTART)
        return true;
    phc_run_result_set(res, PHC_END_ERROR, "unicorn stopped the %s guest at pc %#" PRIx64 " for no known reason",
                       m->cfg->abi->name, pc);
    return false;
}

/* A fault before the first hypercall gets its likely cause appended. */
static void explain(tcg_machine *m, phc_run_result *res)
{
    uint64_t sp = read_reg(m, reg_id(m, m->cfg->abi->entry.sp_gpr));
    phc_entry_explain_fault(res, m->cfg, true, tcg_read_pc(m), sp);
}

static void run_loop(tcg_machine *m, uint64_t start, phc_run_result *res)
{
    for (;;) {
        phc_end why;
        if (m->cfg->cancel && phc_cancel_requested(m->cfg->cancel, &why)) {
            cancelled(res, why);
            return;
        }
        m->stop = TCG_RUNNING;
        if (m->arch->prepare && !m->arch->prepare(m, start)) {
            settle(m, UC_ERR_OK, res);
            explain(m, res);
            return;
        }
        m->stats.starts++;
        uc_err err = uc_emu_start(m->uc, start, END_ADDRESS, 0, 0);
        if (!settle(m, err, res)) {
            explain(m, res);
            return;
        }
        start = m->arch->resume_pc ? m->arch->resume_pc(m) : tcg_read_pc(m);
    }
}

void tcg_run(const tcg_arch *a, const phc_run_config *cfg, phc_run_result *res, tcg_stats *stats)
{
    tcg_machine m = {
        .vcpu = { .ops = &tcg_vcpu_ops, .index = 0, .abi = cfg->abi },
        .arch = a,
        .cfg = cfg,
    };
    kicker k = { .m = &m };
    atomic_init(&m.run_over, false);

    if (open_engine(&m, res) && load_image(&m, res) && add_insn_limit(&m, res)) {
        if (!m.arch->install(&m)) {
            phc_run_result_set(res, PHC_END_ERROR, "unicorn: cannot install the %s sentinel hooks: %s",
                               cfg->abi->name, m.reason);
        } else {
            if (cfg->cancel)
                phc_cancel_set_kick(cfg->cancel, kick, &k);
            phc_entry entry;
            phc_entry_state(cfg->abi, cfg->image, cfg->mem_size, 0, &entry);
            set_entry_state(&m, &entry);
            run_loop(&m, entry.pc, res);
            if (cfg->cancel)
                phc_cancel_set_kick(cfg->cancel, NULL, NULL);
        }
    }

    atomic_store(&m.run_over, true);
    if (k.started)
        pthread_join(k.thread, NULL);
    if (m.arch->destroy)
        m.arch->destroy(&m);
    if (stats)
        *stats = m.stats;
    if (m.uc)
        uc_close(m.uc);
    if (m.ram)
        munmap(m.ram, cfg->mem_size);
}
