/*
 * The TCG frontend on Unicorn: one engine is one vCPU. Each engine file
 * supplies its tcg_arch entries (engine mode, register table, how the
 * sentinel is caught): x86.c and arm.c list theirs, scan.c makes its own
 * from the descriptors' Unicorn ids; tcg.c owns the engine, guest RAM and
 * the run loop; accel.c picks the entry, so tcg.c knows no architecture
 * by name.
 */
#ifndef PHC_ACCEL_TCG_TCG_H
#define PHC_ACCEL_TCG_TCG_H

#include <stdatomic.h>
#include <unicorn/unicorn.h>
#include <phc/accel.h>
#include <phc/sentinel.h>

typedef struct tcg_machine tcg_machine;
typedef struct tcg_scan tcg_scan;

/* Why the engine was stopped, in rising priority: a later, stronger
 * reason replaces a weaker one, never the reverse. */
typedef enum tcg_stop {
    TCG_RUNNING,
    TCG_STOP_RESTART, /* state changed under the engine: start it again */
    TCG_STOP_LIMIT,
    TCG_STOP_HALT,
    TCG_STOP_FAULT,
    TCG_STOP_EXIT,
} tcg_stop;

typedef struct tcg_arch {
    phc_arch arch;
    /* non-NULL: this engine cannot run the row, and this says why; the
     * rest of the entry is unused */
    const char *refusal;
    uc_arch uc_arch;
    uc_mode uc_mode;
    bool pick_cpu; /* set cpu_model (UC_CPU_*) instead of Unicorn's default */
    int cpu_model;
    int pc_reg;
    unsigned reg_bytes; /* width Unicorn reads and writes for a GPR: 4 or 8 */
    /* ISA register number -> Unicorn id; 0 (UC_*_REG_INVALID) for none */
    const int *gpr;
    unsigned ngpr;
    /* Install the hooks that catch this architecture's sentinel. */
    bool (*install)(tcg_machine *m);
    /* Before each (re)start: prepare the code at @pc; false ends the run
     * (the reason is already recorded). NULL: nothing to prepare. */
    bool (*prepare)(tcg_machine *m, uint64_t pc);
    /* The address to (re)start at: the PC plus any mode bit the engine
     * takes from it (ARM Thumb). NULL: the PC as read. */
    uint64_t (*resume_pc)(tcg_machine *m);
    /* Called when the engine returns with no recorded reason (x86: HLT). */
    void (*unexplained_stop)(tcg_machine *m);
    /* After the run: free what install made and fill in its counters.
     * NULL: install made nothing to free. */
    void (*destroy)(tcg_machine *m);
} tcg_arch;

/* One engine file's entries. */
typedef struct tcg_arch_list {
    const tcg_arch *arches;
    size_t n;
} tcg_arch_list;

#define TCG_ARCH_LIST(a) { .arches = (a), .n = sizeof(a) / sizeof((a)[0]) }

/* The engine files' lists (x86.c, arm.c), which accel.c searches. */
extern const tcg_arch_list tcg_x86_arches, tcg_arm_arches;
/* scan.c's entry for @arch, made from its descriptor's Unicorn ids; NULL
 * when it has none. */
const tcg_arch *tcg_scan_entry(phc_arch arch);

/* Counters a test can read back through tcg_accel_run. */
typedef struct tcg_stats {
    unsigned code_hooks;     /* one-address sentinel hooks in place at the end */
    uint64_t starts;         /* uc_emu_start calls */
    uint64_t blocks_scanned; /* translated blocks read for sentinels */
} tcg_stats;

/* ISA register numbers the call cache can hold: every table here has <= 32. */
#define TCG_CACHED_GPRS 32

/* The ABI row's registers, read in one batch when a call starts and served
 * from here until it ends: the dispatcher reads every slot, and one batch
 * costs a fraction of one engine call per register. Valid only while no
 * guest code can run, i.e. inside one hook (tcg_call_begin/end). */
typedef struct tcg_call_regs {
    const phc_abi *row;             /* the row ids[] and pos[] are laid out for */
    unsigned n;                     /* distinct registers of that row */
    int ids[PHC_SLOT_COUNT];        /* Unicorn ids, in batch order */
    int8_t pos[TCG_CACHED_GPRS];    /* ISA number -> index in value[], -1: none */
    bool valid;
    uint64_t value[PHC_SLOT_COUNT];
} tcg_call_regs;

struct tcg_machine {
    phc_vcpu vcpu; /* first: handlers' phc_vcpu * is this machine */
    uc_engine *uc;
    uint8_t *ram; /* guest RAM [0, cfg->mem_size), mapped into the engine */
    const tcg_arch *arch;
    const phc_run_config *cfg;
    struct phc_portbus *bus; /* x86 port IO */
    struct phc_reset *reset; /* x86: 0x64 and 0xCF9 on the bus, ending the run */
    tcg_scan *scan;          /* scanned word sentinels: the sites found so far */
    tcg_call_regs regs;      /* the current call's registers */
    uint64_t insns;          /* counted only when there is an instruction limit */
    tcg_stop stop;
    uint64_t exit_status;
    char reason[200];
    tcg_stats stats;
    atomic_bool run_over; /* tells the re-kicker to quit */
};

/* Read the current ABI row's registers into m->regs, for a hook that
 * looks at them before it dispatches (x86: OUT or OUTS?). */
void tcg_call_begin(tcg_machine *m);
/* Forget them: from here on every access goes to the engine. */
void tcg_call_end(tcg_machine *m);
/* Dispatch the call the vCPU is making (beginning it if the hook has not)
 * and end it; an exit call stops the engine. */
void tcg_dispatch(tcg_machine *m);
/* A final reason is recorded: the engine may still run to the end of its
 * translated block, but nothing it does from here on is the guest's. */
static inline bool tcg_ended(const tcg_machine *m)
{
    return m->stop >= TCG_STOP_LIMIT;
}
/* Record why the engine must stop (unless a stronger reason is recorded)
 * and stop it. */
void tcg_stop_engine(tcg_machine *m, tcg_stop why);
void tcg_fault(tcg_machine *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copy guest-physical [addr, addr + len) out of RAM; false if any of it
 * is outside RAM (as uc_mem_read fails there), without an engine call. */
bool tcg_ram_read(const tcg_machine *m, uint64_t addr, void *buf, size_t len);
uint64_t tcg_read_pc(tcg_machine *m);
void tcg_write_pc(tcg_machine *m, uint64_t pc);

/* Open the engine @a names (and its CPU model). */
uc_err tcg_open_engine(const tcg_arch *a, uc_engine **uc);

/* Unicorn's uc_ctl_request_cache shifts 3 << 30 in an int, which is
 * undefined (UBSan stops there); the same request spelled unsigned. */
static inline uc_err tcg_request_cache(uc_engine *uc, uint64_t pc, uc_tb *tb)
{
    uint32_t control = UC_CTL_TB_REQUEST_CACHE | 2u << 26 | (uint32_t)UC_CTL_IO_READ_WRITE << 30;
    return uc_ctl(uc, (uc_control_type)control, pc, tb);
}

/* Run the guest on the engine entry @a (tcg.c). */
void tcg_run(const tcg_arch *a, const phc_run_config *cfg, phc_run_result *res, tcg_stats *stats);

/* The run behind phc_accel_tcg.run, with counters for tests (may be NULL). */
void tcg_accel_run(const phc_run_config *cfg, phc_run_result *res, tcg_stats *stats);

#endif
