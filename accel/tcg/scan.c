/*
 * The rows whose sentinel Unicorn executes as a no-op (their descriptors
 * give Unicorn ids: target-hooks/target.h): the engine never stops on it
 * by itself. A catch-all code hook would run on every instruction (~150x
 * on a tight loop), but Unicorn decides at translation time whether an
 * instruction gets a code-hook call at all: only addresses inside some
 * hook's range do. So sentinels are found where code is translated, and
 * each one gets a code hook bounded to its own address; code with no
 * sentinel runs with no hook call at all.
 *
 * Where translations are seen (measured on Unicorn 2.0.1 here):
 * - UC_HOOK_EDGE_GENERATED fires before a block runs whenever the engine
 *   looks a block up from a previous one: new blocks reached by direct
 *   jumps, indirect jumps and returns, and blocks retranslated after the
 *   guest wrote over their code.
 * - It does not fire for the first block of uc_emu_start: that block is
 *   translated (uc_ctl_request_cache) and scanned before every start.
 * - It does fire for a block that spans two pages (a 4-byte instruction
 *   at page offset 0xffe, where 2-byte instructions exist), on its first translation and on its
 *   retranslation after a rewrite (tests/tcg scan-straddle: a one-shot call
 *   there dispatches on its first run).
 * The previous block is scanned too, as a backstop: a block translated with
 * no event would be caught after its first run instead of never. None is
 * known here; not measured: the first block after the engine flushes a full
 * code buffer (Unicorn reserves 1 GiB for it here).
 * A new site gets its hook, its stale translation is dropped
 * (uc_ctl_remove_cache; adding a hook alone does not retranslate) and the
 * engine restarts at the block, which now carries the hook.
 *
 * Sites are kept in a set, so rescans add nothing twice. A hook stays when
 * the guest later overwrites its sentinel (the callback re-reads the word,
 * so a stale site never dispatches). The set is capped: every hook costs
 * the engine a range check per translated instruction and per sentinel
 * call, so a guest that plants sentinels everywhere ends as a fault.
 */
#include <inttypes.h>
#include <pthread.h>
#include <glib.h>
#include "tcg.h"
#include "../../target-hooks/target.h"

#define MAX_SITES 4096u
#define SCAN_CHUNK 1024u
#define SENTINEL_BYTES 4

struct tcg_scan {
    GHashTable *sites; /* address -> uc_hook */
    GArray *pending;   /* uint64_t addresses found since the last start */
    unsigned step;     /* the target's instruction alignment */
};

static bool is_known(const tcg_scan *s, uint64_t addr)
{
    if (g_hash_table_contains(s->sites, &addr))
        return true;
    for (guint i = 0; i < s->pending->len; i++)
        if (g_array_index(s->pending, uint64_t, i) == addr)
            return true;
    return false;
}

/* Note every sentinel word that lies wholly in [begin, begin + size). */
static void scan_range(tcg_machine *m, uint64_t begin, uint64_t size)
{
    tcg_scan *s = m->scan;
    uint8_t buf[SCAN_CHUNK + SENTINEL_BYTES - 1];
    m->stats.blocks_scanned++;
    for (uint64_t off = 0; off + SENTINEL_BYTES <= size; off += SCAN_CHUNK) {
        size_t want = (size_t)MIN(size - off, (uint64_t)sizeof(buf));
        if (!tcg_ram_read(m, begin + off, buf, want))
            return;
        for (size_t i = 0; i < SCAN_CHUNK && i + SENTINEL_BYTES <= want; i += s->step) {
            uint64_t addr = begin + off + i;
            if (phc_sentinel_match(m->arch->arch, PHC_ISA_DEFAULT, buf + i, SENTINEL_BYTES) && !is_known(s, addr))
                g_array_append_val(s->pending, addr);
        }
    }
}

static void on_site(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    (void)uc, (void)size;
    tcg_machine *m = opaque;
    uint8_t word[SENTINEL_BYTES];
    if (tcg_ram_read(m, addr, word, sizeof(word)) &&
        phc_sentinel_match(m->arch->arch, PHC_ISA_DEFAULT, word, sizeof(word)))
        tcg_dispatch(m);
}

static void on_edge(uc_engine *uc, uc_tb *cur, uc_tb *prev, void *opaque)
{
    (void)uc;
    tcg_machine *m = opaque;
    scan_range(m, cur->pc, cur->size);
    scan_range(m, prev->pc, prev->size);
    if (m->scan->pending->len)
        tcg_stop_engine(m, TCG_STOP_RESTART); /* the block exits before its first instruction */
}

/* Give every pending site its hook and drop its stale translation. */
static bool commit(tcg_machine *m)
{
    tcg_scan *s = m->scan;
    for (guint i = 0; i < s->pending->len; i++) {
        uint64_t addr = g_array_index(s->pending, uint64_t, i);
        uc_hook h;
        if (g_hash_table_size(s->sites) >= MAX_SITES) {
            tcg_fault(m, "more than %u hypercall sites in translated code (next at %#" PRIx64 ")", MAX_SITES, addr);
            return false;
        }
        if (uc_hook_add(m->uc, &h, UC_HOOK_CODE, on_site, m, addr, addr) != UC_ERR_OK) {
            tcg_fault(m, "unicorn: cannot hook the hypercall site at %#" PRIx64, addr);
            return false;
        }
        uint64_t *key = g_new(uint64_t, 1);
        *key = addr;
        g_hash_table_insert(s->sites, key, GSIZE_TO_POINTER(h));
        uc_ctl_remove_cache(m->uc, addr, addr + SENTINEL_BYTES);
    }
    g_array_set_size(s->pending, 0);
    return true;
}

/* The sentinels raise nothing, so any exception is the guest's fault. */
static void on_interrupt(uc_engine *uc, uint32_t intno, void *opaque)
{
    (void)uc;
    tcg_machine *m = opaque;
    tcg_fault(m, "%s exception %u near pc %#" PRIx64, m->cfg->abi->name, intno, tcg_read_pc(m));
}

/* Before each start: hook what the last run found, then the first block,
 * which raises no edge event. */
static bool scan_prepare(tcg_machine *m, uint64_t pc)
{
    uc_tb tb;
    if (!commit(m))
        return false;
    /* translating outside RAM makes the engine raise a fault with nowhere
     * to land (it longjmps out of uc_ctl); the run itself reports it */
    if (pc < m->cfg->mem_size && tcg_request_cache(m->uc, pc, &tb) == UC_ERR_OK)
        scan_range(m, tb.pc, tb.size);
    return commit(m);
}

static bool scan_install(tcg_machine *m)
{
    uc_hook h;
    m->scan = g_new0(tcg_scan, 1);
    m->scan->sites = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    m->scan->pending = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    m->scan->step = phc_target_of(m->arch->arch)->insn_align;
    if (uc_hook_add(m->uc, &h, UC_HOOK_EDGE_GENERATED, on_edge, m, 1, 0) != UC_ERR_OK ||
        uc_hook_add(m->uc, &h, UC_HOOK_INTR, on_interrupt, m, 1, 0) != UC_ERR_OK) {
        snprintf(m->reason, sizeof(m->reason), "uc_hook_add failed");
        return false;
    }
    return true;
}

static void scan_destroy(tcg_machine *m)
{
    tcg_scan *s = m->scan;
    if (!s)
        return;
    m->stats.code_hooks = g_hash_table_size(s->sites);
    g_hash_table_destroy(s->sites);
    g_array_free(s->pending, TRUE);
    g_free(s);
    m->scan = NULL;
}

/* One entry per row whose descriptor gives Unicorn ids, made from them on
 * first use; a row without is not this file's. */
static tcg_arch entries[PHC_ARCH_COUNT];
static int gprs[PHC_ARCH_COUNT][32];
static pthread_once_t entries_once = PTHREAD_ONCE_INIT;

static void make_entries(void)
{
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const phc_target_ref *r = &phc_target_rows[a];
        const phc_target_unicorn *u = r->target->rows[r->row].unicorn;
        if (!u)
            continue;
        for (unsigned n = 0; n < 32; n++)
            gprs[a][n] = u->gpr0 + (int)n;
        entries[a] = (tcg_arch){
            .arch = a, .refusal = u->refusal, .uc_arch = u->arch, .uc_mode = u->mode,
            .pick_cpu = u->pick_cpu, .cpu_model = u->cpu_model, .pc_reg = u->pc_reg,
            .reg_bytes = u->reg_bytes, .gpr = gprs[a], .ngpr = 32,
            .install = scan_install, .prepare = scan_prepare, .destroy = scan_destroy,
        };
    }
}

const tcg_arch *tcg_scan_entry(phc_arch arch)
{
    pthread_once(&entries_once, make_entries);
    return (unsigned)arch < PHC_ARCH_COUNT && entries[arch].install ? &entries[arch] : NULL;
}
