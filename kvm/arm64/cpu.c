/*
 * The vCPUs of the ARM64 VMM: the phc_vcpu face (registers through
 * KVM_{GET,SET}_ONE_REG, read once per exit; guest memory through the
 * guest's own translation tables), the run loop, and its exits:
 * Penguin HVCs (KVM_EXIT_HYPERCALL through the SMCCC filter), forwarded
 * system-register traps, the PL011 and the rest of MMIO, PSCI system events.
 *
 * Stopping without a lost wake-up: a kick sets `stopping`, sets every
 * run->immediate_exit and signals the threads. The kick signal is blocked
 * in vCPU threads except inside KVM_RUN (KVM_SET_SIGNAL_MASK), so a vCPU
 * about to enter either sees immediate_exit or has the signal pending.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "board.h"
#include "esr.h"
#include "smccc.h"
#include "vmm.h"

#define KICK_SIGNAL SIGUSR1
#define SCTLR_EL1 ARM64_SYS_REG(3, 0, 1, 0, 0)
#define TTBR0_EL1 ARM64_SYS_REG(3, 0, 2, 0, 0)
#define TTBR1_EL1 ARM64_SYS_REG(3, 0, 2, 0, 1)
#define TCR_EL1 ARM64_SYS_REG(3, 0, 2, 0, 2)
#define XZR 31u

static void note_errno(arm64_cpu *c)
{
    if (!c->reg_errno)
        c->reg_errno = errno ? errno : EIO;
}

static uint64_t cpu_get_gpr(phc_vcpu *v, unsigned n)
{
    arm64_cpu *c = (arm64_cpu *)v;
    if (n >= XZR)
        return 0;
    if (!(c->x_valid & 1u << n)) {
        if (arm64_reg_get(c->fd, arm64_reg_x(n), &c->x[n]) != 0) {
            note_errno(c);
            return 0;
        }
        c->x_valid |= 1u << n;
    }
    return c->x[n];
}

static void cpu_set_gpr(phc_vcpu *v, unsigned n, uint64_t value)
{
    arm64_cpu *c = (arm64_cpu *)v;
    if (n >= XZR)
        return;
    if (arm64_reg_set(c->fd, arm64_reg_x(n), value) != 0) {
        note_errno(c);
        return;
    }
    c->x[n] = value;
    c->x_valid |= 1u << n;
}

static bool read_phys(void *opaque, uint64_t pa, uint64_t *value)
{
    const arm64_vm *vm = opaque;
    if (pa > vm->ram_size || sizeof(*value) > vm->ram_size - pa)
        return false;
    memcpy(value, vm->ram + pa, sizeof(*value));
    return true;
}

/* The translation registers, read once per exit. */
static bool mmu_state(arm64_cpu *c, phc_arm64_mmu *m)
{
    if (!c->mmu_valid) {
        if (arm64_reg_get(c->fd, SCTLR_EL1, &c->mmu.sctlr) != 0 ||
            arm64_reg_get(c->fd, TCR_EL1, &c->mmu.tcr) != 0 ||
            arm64_reg_get(c->fd, TTBR0_EL1, &c->mmu.ttbr0) != 0 ||
            arm64_reg_get(c->fd, TTBR1_EL1, &c->mmu.ttbr1) != 0)
            return false;
        c->mmu_valid = true;
    }
    *m = c->mmu;
    return true;
}

/*
 * Copy guest virtual memory to @to_host, or @from_host into it, a page at a
 * time through the guest's own tables; -1 if any byte is unmapped or not RAM.
 */
static int copy_guest(arm64_cpu *c, uint64_t gva, size_t len, uint8_t *to_host,
                      const uint8_t *from_host)
{
    arm64_vm *vm = c->vm;
    phc_arm64_mmu mmu;
    if (!mmu_state(c, &mmu))
        return -1;
    for (size_t done = 0; done < len;) {
        uint64_t pa, span;
        if (!phc_arm64_translate(&mmu, gva + done, read_phys, vm, &pa, &span))
            return -1;
        size_t n = span < len - done ? (size_t)span : len - done;
        if (pa > vm->ram_size || n > vm->ram_size - pa)
            return -1;
        if (to_host)
            memcpy(to_host + done, vm->ram + pa, n);
        else
            memcpy(vm->ram + pa, from_host + done, n);
        done += n;
    }
    return 0;
}

static int cpu_read_mem(phc_vcpu *v, uint64_t gva, void *buf, size_t len)
{
    return copy_guest((arm64_cpu *)v, gva, len, buf, NULL);
}

static int cpu_write_mem(phc_vcpu *v, uint64_t gva, const void *buf, size_t len)
{
    return copy_guest((arm64_cpu *)v, gva, len, NULL, buf);
}

const phc_vcpu_ops arm64_cpu_ops = {
    .get_gpr = cpu_get_gpr,
    .set_gpr = cpu_set_gpr,
    .read_mem = cpu_read_mem,
    .write_mem = cpu_write_mem,
};

static void kick_locked(arm64_vm *vm)
{
    atomic_store(&vm->stopping, true);
    for (unsigned i = 0; i < vm->ncpus; i++) {
        arm64_cpu *c = &vm->cpus[i];
        __atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        if (c->started)
            pthread_kill(c->thread, KICK_SIGNAL);
    }
}

static void kick(void *arg)
{
    arm64_vm *vm = arg;
    pthread_mutex_lock(&vm->lock);
    kick_locked(vm);
    pthread_mutex_unlock(&vm->lock);
}

void arm64_vm_end(arm64_vm *vm, const phc_run_result *res)
{
    pthread_mutex_lock(&vm->lock);
    if (!vm->ended) {
        vm->ended = true;
        vm->result = *res;
    }
    kick_locked(vm);
    pthread_mutex_unlock(&vm->lock);
}

static void __attribute__((format(printf, 3, 4)))
end_run(arm64_cpu *c, phc_end end, const char *fmt, ...)
{
    phc_run_result res = { .end = end };
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res.reason, sizeof(res.reason), fmt, ap);
    va_end(ap);
    arm64_vm_end(c->vm, &res);
}

/* What follows a dispatched call: a register access that failed, or the exit call. */
static bool after_call(arm64_cpu *c, const phc_dispatch_result *res)
{
    if (c->reg_errno) {
        end_run(c, PHC_END_ERROR, "vCPU %u: KVM_{GET,SET}_ONE_REG during a hypercall: %s",
                c->vcpu.index, strerror(c->reg_errno));
        return false;
    }
    if (res && res->verdict == PHC_STOP) {
        phc_run_result exit = { .end = PHC_END_EXIT, .status = (int)(res->status & 0xff) };
        arm64_vm_end(c->vm, &exit);
        return false;
    }
    return true;
}

/* KVM_EXIT_HYPERCALL: an HVC/SMC in the filtered range, nr = its function ID.
 * KVM has already stepped the PC past the instruction. */
static bool on_hypercall(arm64_cpu *c)
{
    phc_dispatch_result res;
    uint32_t fid = (uint32_t)c->run->hypercall.nr;
    phc_hvc_outcome o = phc_arm64_hvc_dispatch(c->vm->cfg->dispatcher, &c->vcpu, fid, &res);
    return after_call(c, o == PHC_HVC_DISPATCHED ? &res : NULL);
}

/*
 * A system-register trap a kernel forwarded, assumed as KVM_EXIT_EXCEPTION
 * with the ESR in ex.error_code and the PC at the trapping instruction. No
 * upstream kernel does this (docs/kvm-arm64.md); the decoder is exact, so
 * only the sentinel's own syndrome is a hypercall.
 */
static bool on_forwarded_trap(arm64_cpu *c)
{
    uint64_t esr = c->run->ex.error_code, pc;
    phc_dispatch_result res;
    if (!phc_arm64_trap_dispatch(c->vm->cfg->dispatcher, &c->vcpu, esr, &res)) {
        end_run(c, PHC_END_FAULT, "vCPU %u: a forwarded trap with ESR 0x%llx, not the Penguin "
                "sentinel", c->vcpu.index, (unsigned long long)esr);
        return false;
    }
    if (arm64_reg_get(c->fd, arm64_reg_pc(), &pc) != 0 ||
        arm64_reg_set(c->fd, arm64_reg_pc(), pc + 4) != 0)
        note_errno(c);
    return after_call(c, &res);
}

/* The PL011; any other address reads all ones and drops writes, as the x86 port bus does. */
static void on_mmio(arm64_cpu *c)
{
    struct kvm_run *r = c->run;
    uint64_t addr = r->mmio.phys_addr;
    size_t len = r->mmio.len < 4 ? r->mmio.len : 4;
    arm64_vm *vm = c->vm;
    if (addr < PHC_ARM64_UART || addr - PHC_ARM64_UART >= PHC_ARM64_UART_SIZE) {
        if (!r->mmio.is_write)
            memset(r->mmio.data, 0xff, sizeof(r->mmio.data));
        return;
    }
    uint32_t value = 0;
    pthread_mutex_lock(&vm->lock);
    if (r->mmio.is_write) {
        memcpy(&value, r->mmio.data, len); /* little-endian guest and host */
        phc_pl011_write(&vm->uart, addr - PHC_ARM64_UART, value);
    } else {
        value = phc_pl011_read(&vm->uart, addr - PHC_ARM64_UART);
        memset(r->mmio.data, 0, sizeof(r->mmio.data));
        memcpy(r->mmio.data, &value, len);
    }
    pthread_mutex_unlock(&vm->lock);
}

static void on_system_event(arm64_cpu *c)
{
    switch (c->run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        end_run(c, PHC_END_HALT, "the guest powered off (PSCI SYSTEM_OFF) on vCPU %u",
                c->vcpu.index);
        break;
    case KVM_SYSTEM_EVENT_RESET:
        end_run(c, PHC_END_HALT, "the guest asked for a reset (PSCI SYSTEM_RESET) on vCPU %u; "
                "phc does not reboot", c->vcpu.index);
        break;
    default:
        end_run(c, PHC_END_FAULT, "vCPU %u: system event %u (the guest crashed)", c->vcpu.index,
                c->run->system_event.type);
    }
}

/* One exit; false when this vCPU's run is over. */
static bool on_exit(arm64_cpu *c)
{
    struct kvm_run *r = c->run;
    switch (r->exit_reason) {
    case KVM_EXIT_HYPERCALL:
        return on_hypercall(c);
    case KVM_EXIT_EXCEPTION:
        return on_forwarded_trap(c);
    case KVM_EXIT_MMIO:
        on_mmio(c);
        return true;
    case KVM_EXIT_SYSTEM_EVENT:
        on_system_event(c);
        return false;
    case KVM_EXIT_ARM_NISV:
        end_run(c, PHC_END_FAULT, "vCPU %u: an access to 0x%llx that KVM cannot decode (no valid "
                "syndrome; ISS 0x%llx)", c->vcpu.index, (unsigned long long)r->arm_nisv.fault_ipa,
                (unsigned long long)r->arm_nisv.esr_iss);
        return false;
    case KVM_EXIT_FAIL_ENTRY:
        end_run(c, PHC_END_ERROR, "KVM could not enter vCPU %u (reason 0x%llx)", c->vcpu.index,
                (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
        return false;
    case KVM_EXIT_INTERNAL_ERROR:
        end_run(c, PHC_END_ERROR, "KVM internal error %u on vCPU %u", r->internal.suberror,
                c->vcpu.index);
        return false;
    default:
        end_run(c, PHC_END_ERROR, "vCPU %u: unexpected KVM exit %u", c->vcpu.index, r->exit_reason);
        return false;
    }
}

static int set_kvm_sigmask(arm64_cpu *c)
{
    sigset_t set;
    pthread_sigmask(SIG_BLOCK, NULL, &set);
    sigdelset(&set, KICK_SIGNAL);
    /* The kernel's sigset is 8 bytes, the start of glibc's sigset_t. */
    _Alignas(struct kvm_signal_mask) uint8_t buf[sizeof(struct kvm_signal_mask) + 8];
    struct kvm_signal_mask *mask = (struct kvm_signal_mask *)buf;
    mask->len = 8;
    memcpy(mask->sigset, &set, 8);
    return ioctl(c->fd, KVM_SET_SIGNAL_MASK, mask);
}

static void *cpu_main(void *arg)
{
    arm64_cpu *c = arg;
    if (set_kvm_sigmask(c) != 0) {
        end_run(c, PHC_END_ERROR, "KVM_SET_SIGNAL_MASK on vCPU %u: %s", c->vcpu.index,
                strerror(errno));
        return NULL;
    }
    while (!atomic_load(&c->vm->stopping)) {
        int rc = ioctl(c->fd, KVM_RUN, 0);
        c->x_valid = 0;
        c->mmu_valid = false;
        c->reg_errno = 0;
        if (rc != 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue; /* a kick (or a secondary still powered off): the loop decides */
            end_run(c, PHC_END_ERROR, "KVM_RUN on vCPU %u: %s", c->vcpu.index, strerror(errno));
            return NULL;
        }
        if (!on_exit(c))
            return NULL;
    }
    return NULL;
}

static void on_kick_signal(int sig)
{
    (void)sig; /* only here so the signal interrupts KVM_RUN, not the process */
}

static void install_kick_handler(void)
{
    struct sigaction sa = { .sa_handler = on_kick_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(KICK_SIGNAL, &sa, NULL);
}

void arm64_vm_run(arm64_vm *vm, phc_cancel *cancel)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_kick_handler);

    /* Threads inherit the blocked kick; KVM unblocks it only inside KVM_RUN. */
    sigset_t kick_set, old;
    sigemptyset(&kick_set);
    sigaddset(&kick_set, KICK_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &kick_set, &old);
    if (cancel)
        phc_cancel_set_kick(cancel, kick, vm);
    for (unsigned i = 0; i < vm->ncpus; i++) {
        arm64_cpu *c = &vm->cpus[i];
        pthread_mutex_lock(&vm->lock);
        int rc = pthread_create(&c->thread, NULL, cpu_main, c);
        c->started = rc == 0;
        pthread_mutex_unlock(&vm->lock);
        if (rc != 0) {
            end_run(c, PHC_END_ERROR, "cannot start vCPU %u's thread: %s", i, strerror(rc));
            break;
        }
    }
    for (unsigned i = 0; i < vm->ncpus; i++)
        if (vm->cpus[i].started)
            pthread_join(vm->cpus[i].thread, NULL);
    if (cancel)
        phc_cancel_set_kick(cancel, NULL, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}
