/*
 * phc inside QEMU 7.2 full-system TCG (copied by scripts/build-qemu.sh to
 * accel/phc/phc.c of the QEMU source; built once per target).
 *
 * The patched translators call helper_phc_hypercall where they decode the
 * sentinel (x86: helper_phc_outl for every 32-bit OUT). This file gives
 * the dispatcher its phc_vcpu view of QEMU's CPU state: general registers
 * by ISA number, guest virtual memory through the guest's own MMU. It also
 * owns the dispatcher, set up from the environment phc-run passes:
 *   PHC_ARCH      the -arch row (default: the target's own)
 *   PHC_TRACE     write every call to this file as JSON Lines
 *   PHC_BUILTINS  "0": register no built-in (test, console, exit)
 *   PHC_STATUS_FD the exit call's status goes there too, as one byte
 *   PHC_ENTRY     a bare guest's entry state (phc's docs/entry.md), hex:
 *                 "pc sp-register sp [register value]...", set at reset
 * The exit call ends QEMU at once with the guest's status, as
 * isa-debug-exit does.
 */
#include "qemu/osdep.h"
#include "cpu.h"
#include "exec/exec-all.h"
#include "exec/helper-proto.h"
#include "hw/boards.h"
#include "sysemu/phc.h"
#include "sysemu/reset.h"
#include "sysemu/sysemu.h"
#include <phc/builtins.h>
#include <phc/dispatcher.h>
#include <phc/trace.h>

/* The row this target runs natively, and the rows it may be told to run. */
#if defined(TARGET_X86_64)
#define OWN_ROW PHC_ARCH_X86_64
#define OTHER_ROW PHC_ARCH_I386
#elif defined(TARGET_AARCH64)
#define OWN_ROW PHC_ARCH_AARCH64
#define OTHER_ROW PHC_ARCH_ARM
#elif defined(TARGET_ARM)
#define OWN_ROW PHC_ARCH_ARM
#elif defined(TARGET_MIPS64)
#define OWN_ROW (TARGET_BIG_ENDIAN ? PHC_ARCH_MIPS64 : PHC_ARCH_MIPS64EL)
#define OTHER_ROW (TARGET_BIG_ENDIAN ? PHC_ARCH_MIPS : PHC_ARCH_MIPSEL)
#elif defined(TARGET_MIPS)
#define OWN_ROW (TARGET_BIG_ENDIAN ? PHC_ARCH_MIPS : PHC_ARCH_MIPSEL)
#elif defined(TARGET_PPC64)
#define OWN_ROW PHC_ARCH_PPC64
#define OTHER_ROW PHC_ARCH_PPC
#elif defined(TARGET_PPC)
#define OWN_ROW PHC_ARCH_PPC
#elif defined(TARGET_RISCV64)
#define OWN_ROW PHC_ARCH_RISCV64
#elif defined(TARGET_RISCV32)
#define OWN_ROW PHC_ARCH_RISCV32
#elif defined(TARGET_LOONGARCH64)
#define OWN_ROW PHC_ARCH_LOONGARCH64
#else
#error "phc: no hypercall ABI row for this target"
#endif
#ifndef OTHER_ROW
#define OTHER_ROW OWN_ROW
#endif

static phc_arch row = OWN_ROW;
static phc_dispatcher *dispatcher;
static phc_trace *trace;
static int status_fd = -1;

/* PHC_ENTRY, parsed: the registers are ISA numbers. */
#define ENTRY_REGS 4
static struct {
    bool set;
    uint64_t pc;
    unsigned n;
    uint8_t gpr[ENTRY_REGS];
    uint64_t value[ENTRY_REGS];
} entry;

phc_arch phc_qemu_arch(void)
{
    return row;
}

/* ---- the vCPU the dispatcher sees ---- */

typedef struct qemu_vcpu {
    phc_vcpu vcpu; /* first: the dispatcher's pointer is this struct's */
    CPUArchState *env;
} qemu_vcpu;

#if defined(TARGET_ARM)
/* ARM keeps two files: x0-x30 in AArch64 state, r0-r14 (32-bit) in AArch32. */
static uint64_t get_gpr(phc_vcpu *cpu, unsigned gpr)
{
    CPUARMState *env = ((qemu_vcpu *)cpu)->env;
    if (is_a64(env))
        return gpr < 31 ? env->xregs[gpr] : 0;
    return gpr < 15 ? env->regs[gpr] : 0;
}

static void set_gpr(phc_vcpu *cpu, unsigned gpr, uint64_t value)
{
    CPUARMState *env = ((qemu_vcpu *)cpu)->env;
    if (is_a64(env) && gpr < 31)
        env->xregs[gpr] = value;
    else if (!is_a64(env) && gpr < 15)
        env->regs[gpr] = (uint32_t)value;
}
#else
/* The register of ISA number @gpr, or NULL for none and for a hardwired
 * zero (which reads as 0 and ignores writes). */
static target_ulong *gpr_slot(CPUArchState *env, unsigned gpr)
{
#if defined(TARGET_I386)
    return gpr < CPU_NB_REGS ? &env->regs[gpr] : NULL;
#elif defined(TARGET_MIPS)
    return gpr && gpr < 32 ? &env->active_tc.gpr[gpr] : NULL;
#elif defined(TARGET_PPC)
    return gpr < 32 ? &env->gpr[gpr] : NULL;
#else /* RISC-V, LoongArch */
    return gpr && gpr < 32 ? &env->gpr[gpr] : NULL;
#endif
}

static uint64_t get_gpr(phc_vcpu *cpu, unsigned gpr)
{
    target_ulong *r = gpr_slot(((qemu_vcpu *)cpu)->env, gpr);
    return r ? *r : 0;
}

static void set_gpr(phc_vcpu *cpu, unsigned gpr, uint64_t value)
{
    target_ulong *r = gpr_slot(((qemu_vcpu *)cpu)->env, gpr);
    if (!r)
        return;
#if defined(TARGET_MIPS64)
    /* a 32-bit MIPS value lives sign-extended in a 64-bit register */
    if (cpu->abi->reg_bits == 32)
        value = (uint64_t)(int64_t)(int32_t)value;
#endif
    *r = (target_ulong)value;
}
#endif

static int rw_mem(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len, bool write)
{
    CPUState *cs = env_cpu(((qemu_vcpu *)cpu)->env);
    if (len == 0)
        return 0;
    if (gva > (target_ulong)-1 || len - 1 > (target_ulong)-1 - gva)
        return -1; /* beyond this target's addresses */
    return cpu_memory_rw_debug(cs, gva, buf, len, write) == 0 ? 0 : -1;
}

static int read_mem(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len)
{
    return rw_mem(cpu, gva, buf, len, false);
}

/* Through the guest's MMU into RAM; QEMU drops code translated from it. */
static int write_mem(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len)
{
    return rw_mem(cpu, gva, (void *)buf, len, true);
}

static const phc_vcpu_ops vcpu_ops = {
    .get_gpr = get_gpr,
    .set_gpr = set_gpr,
    .read_mem = read_mem,
    .write_mem = write_mem,
};

/* The row in force at a call: x86 and ARM by the CPU's mode. */
static phc_arch row_now(CPUArchState *env)
{
#if defined(TARGET_I386)
    return env->hflags & HF_CS64_MASK ? PHC_ARCH_X86_64 : PHC_ARCH_I386;
#elif defined(TARGET_ARM)
    return is_a64(env) ? PHC_ARCH_AARCH64 : PHC_ARCH_ARM;
#else
    (void)env;
    return row;
#endif
}

static void end_run(uint64_t status)
{
    uint8_t byte = status & 0xff;
    fflush(stdout);
    if (status_fd >= 0 && write(status_fd, &byte, 1) != 1)
        fprintf(stderr, "phc: cannot report the exit status: %s\n", strerror(errno));
    exit(byte); /* runs close_trace */
}

static void dispatch_call(CPUArchState *env)
{
    qemu_vcpu v = {
        .vcpu = { .ops = &vcpu_ops, .index = env_cpu(env)->cpu_index, .abi = phc_abi_get(row_now(env)) },
        .env = env,
    };
    phc_dispatch_result r = phc_dispatch(dispatcher, &v.vcpu);
    if (r.verdict == PHC_STOP)
        end_run(r.status);
}

#if !defined(TARGET_I386)
void helper_phc_hypercall(CPUArchState *env)
{
    dispatch_call(env);
}
#else
/* Port semantics: libphc decides which OUT is the hypercall; every other
 * 32-bit OUT is the plain port write it always was. */
void helper_phc_outl(CPUX86State *env, uint32_t port, uint32_t data)
{
    phc_io_event io = { .dir = PHC_IO_OUT, .port = (uint16_t)port, .size = 4, .count = 1 };
    if (phc_x86_io_is_hypercall(&io))
        dispatch_call(env);
    else
        helper_outl(env, port, data);
}

/*
 * A bare guest on the "none" machine starts where Unicorn and phc's KVM
 * start it: flat segments from 0, paging off, in 64-bit long mode for the
 * x86_64 row and 32-bit protected mode for i386.
 */
static void x86_bare_mode(CPUX86State *env)
{
    bool lm = row == PHC_ARCH_X86_64;
    uint32_t flat = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_G_MASK;

    env->cr[0] |= CR0_PE_MASK | CR0_ET_MASK;
    env->hflags |= HF_PE_MASK;
    if (lm) {
        env->cr[4] |= CR4_PAE_MASK;
        env->efer |= MSR_EFER_LME | MSR_EFER_LMA;
        env->hflags |= HF_LMA_MASK;
    }
    cpu_x86_load_seg_cache(env, R_CS, 0x08, 0, 0xffffffff,
                           flat | DESC_CS_MASK | DESC_R_MASK | (lm ? DESC_L_MASK : DESC_B_MASK));
    for (int seg = R_ES; seg <= R_GS; seg++)
        if (seg != R_CS)
            cpu_x86_load_seg_cache(env, seg, 0x10, 0, 0xffffffff, flat | DESC_W_MASK | DESC_B_MASK);
}
#endif

/*
 * A bare guest's reset: after the CPU's own reset and the generic loader's
 * (which loaded the ELF and set the pc), the x86 mode and the entry state
 * phc-run worked out, so every engine starts it alike.
 */
static void bare_reset(void *opaque)
{
    CPUState *cs = opaque;
    CPUArchState *env = cs->env_ptr;
    qemu_vcpu v = { .vcpu = { .ops = &vcpu_ops, .abi = phc_abi_get(row) }, .env = env };

#if defined(TARGET_I386)
    x86_bare_mode(env);
#endif
    if (!entry.set)
        return;
    cpu_set_pc(cs, entry.pc);
    for (unsigned i = 0; i < entry.n; i++) {
#if defined(TARGET_AARCH64)
        if (is_a64(env) && entry.gpr[i] == 31) {
            env->xregs[31] = entry.value[i]; /* SP */
            continue;
        }
#endif
        set_gpr(&v.vcpu, entry.gpr[i], entry.value[i]);
    }
}

static void bare_machine_ready(Notifier *n, void *data)
{
    CPUState *cs;
    if (!object_dynamic_cast(OBJECT(current_machine), MACHINE_TYPE_NAME("none")))
        return;
    CPU_FOREACH(cs)
        qemu_register_reset(bare_reset, cs);
}

static Notifier bare_notifier = { .notify = bare_machine_ready };

/* ---- set-up from phc-run's environment ---- */

static void close_trace(void)
{
    if (trace && phc_trace_close(trace) != 0)
        fprintf(stderr, "phc: writing the trace failed\n");
    trace = NULL;
}

/* "pc sp-register sp [register value]..." into entry, or false. */
static bool parse_entry(const char *text)
{
    char *end;
    uint64_t field[2 + 2 * ENTRY_REGS];
    unsigned n = 0;
    for (const char *p = text; n < sizeof(field) / sizeof(field[0]); p = end) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        field[n++] = strtoull(p, &end, 16);
        if (end == p)
            return false;
    }
    if (n < 3 || n % 2 == 0)
        return false;
    entry.pc = field[0];
    entry.n = 0;
    for (unsigned i = 1; i < n; i += 2) {
        entry.gpr[entry.n] = (uint8_t)field[i];
        entry.value[entry.n++] = field[i + 1];
    }
    entry.set = true;
    return true;
}

static void __attribute__((noreturn)) setup_error(const char *fmt, const char *arg)
{
    fputs("phc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static void __attribute__((constructor)) phc_setup(void)
{
    const char *name = getenv("PHC_ARCH");
    const char *path = getenv("PHC_TRACE");
    const char *builtins = getenv("PHC_BUILTINS");
    const char *fd = getenv("PHC_STATUS_FD");
    const char *start = getenv("PHC_ENTRY");

    if (name && *name) {
        const phc_abi *a = phc_abi_by_name(name);
        if (!a)
            setup_error("PHC_ARCH: unknown architecture '%s'", name);
        if (a->arch != OWN_ROW && a->arch != OTHER_ROW)
            setup_error("PHC_ARCH: this QEMU does not run %s guests", name);
        row = a->arch;
    }
    if (fd && *fd)
        status_fd = atoi(fd);
    if (start && *start && !parse_entry(start))
        setup_error("PHC_ENTRY '%s' is not \"pc sp-register sp [register value]...\"", start);
    dispatcher = phc_dispatcher_new();
    if (path && *path) {
        if (!(trace = phc_trace_open(path)))
            setup_error("PHC_TRACE %s: cannot open it for writing", path);
        atexit(close_trace);
        phc_dispatcher_set_trace(dispatcher, trace);
    }
    if (!(builtins && !strcmp(builtins, "0")))
        phc_builtins_register(dispatcher, PHC_BUILTIN_ALL, stdout);
    qemu_add_machine_init_done_notifier(&bare_notifier);
}
