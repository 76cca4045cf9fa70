/*
 * The vCPUs of the ARM64 VMM: the phc_vcpu face (registers through
 * KVM_{GET,SET}_ONE_REG, read once per exit; guest memory through the
 * guest's own translation tables), and the exits the shared loop
 * (kvm/vcpus.c) hands here: Penguin HVCs (KVM_EXIT_HYPERCALL through the
 * SMCCC filter), forwarded system-register traps, the PL011 and the rest of
 * MMIO, PSCI system events, and the final ones.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "board.h"
#include "esr.h"
#include "smccc.h"
#include "vmm.h"

#define SCTLR_EL1 ARM64_SYS_REG(3, 0, 1, 0, 0)
#define TTBR0_EL1 ARM64_SYS_REG(3, 0, 2, 0, 0)
#define TTBR1_EL1 ARM64_SYS_REG(3, 0, 2, 0, 1)
#define TCR_EL1 ARM64_SYS_REG(3, 0, 2, 0, 2)
#define XZR 31u

static void note_errno(kvm_arm64_cpu *c)
{
    if (!c->reg_errno)
        c->reg_errno = errno ? errno : EIO;
}

static uint64_t cpu_get_gpr(phc_vcpu *v, unsigned n)
{
    kvm_arm64_cpu *c = (kvm_arm64_cpu *)v;
    if (n >= XZR)
        return 0;
    if (!(c->x_valid & 1u << n)) {
        if (kvm_arm64_reg_get(c->fd, kvm_arm64_reg_x(n), &c->x[n]) != 0) {
            note_errno(c);
            return 0;
        }
        c->x_valid |= 1u << n;
    }
    return c->x[n];
}

static void cpu_set_gpr(phc_vcpu *v, unsigned n, uint64_t value)
{
    kvm_arm64_cpu *c = (kvm_arm64_cpu *)v;
    if (n >= XZR)
        return;
    if (kvm_arm64_reg_set(c->fd, kvm_arm64_reg_x(n), value) != 0) {
        note_errno(c);
        return;
    }
    c->x[n] = value;
    c->x_valid |= 1u << n;
}

static bool read_phys(void *opaque, uint64_t pa, uint64_t *value)
{
    const kvm_arm64_vm *vm = opaque;
    if (pa > vm->kvm.ram_size || sizeof(*value) > vm->kvm.ram_size - pa)
        return false;
    memcpy(value, vm->kvm.ram + pa, sizeof(*value));
    return true;
}

/* The translation registers, read once per exit. */
static bool mmu_state(kvm_arm64_cpu *c, kvm_arm64_mmu *m)
{
    if (!c->mmu_valid) {
        if (kvm_arm64_reg_get(c->fd, SCTLR_EL1, &c->mmu.sctlr) != 0 ||
            kvm_arm64_reg_get(c->fd, TCR_EL1, &c->mmu.tcr) != 0 ||
            kvm_arm64_reg_get(c->fd, TTBR0_EL1, &c->mmu.ttbr0) != 0 ||
            kvm_arm64_reg_get(c->fd, TTBR1_EL1, &c->mmu.ttbr1) != 0)
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
static int copy_guest(kvm_arm64_cpu *c, uint64_t gva, size_t len, uint8_t *to_host,
                      const uint8_t *from_host)
{
    kvm_arm64_vm *vm = c->vm;
    kvm_arm64_mmu mmu;
    if (!mmu_state(c, &mmu))
        return -1;
    for (size_t done = 0; done < len;) {
        uint64_t pa, span;
        if (!kvm_arm64_translate(&mmu, gva + done, read_phys, vm, &pa, &span))
            return -1;
        size_t n = span < len - done ? (size_t)span : len - done;
        if (pa > vm->kvm.ram_size || n > vm->kvm.ram_size - pa)
            return -1;
        if (to_host)
            memcpy(to_host + done, vm->kvm.ram + pa, n);
        else
            memcpy(vm->kvm.ram + pa, from_host + done, n);
        done += n;
    }
    return 0;
}

static int cpu_read_mem(phc_vcpu *v, uint64_t gva, void *buf, size_t len)
{
    return copy_guest((kvm_arm64_cpu *)v, gva, len, buf, NULL);
}

static int cpu_write_mem(phc_vcpu *v, uint64_t gva, const void *buf, size_t len)
{
    return copy_guest((kvm_arm64_cpu *)v, gva, len, NULL, buf);
}

const phc_vcpu_ops kvm_arm64_cpu_ops = {
    .get_gpr = cpu_get_gpr,
    .set_gpr = cpu_set_gpr,
    .read_mem = cpu_read_mem,
    .write_mem = cpu_write_mem,
};

static void __attribute__((format(printf, 3, 4)))
end_run(kvm_arm64_cpu *c, phc_end end, const char *fmt, ...)
{
    phc_run_result res = { .end = end };
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res.reason, sizeof(res.reason), fmt, ap);
    va_end(ap);
    kvm_arm64_vm_end(c->vm, &res);
}

/* What follows a dispatched call: a register access that failed, or the exit call. */
static bool after_call(kvm_arm64_cpu *c, const phc_dispatch_result *res)
{
    if (c->reg_errno) {
        end_run(c, PHC_END_ERROR, "vCPU %u: KVM_{GET,SET}_ONE_REG during a hypercall: %s",
                c->vcpu.index, strerror(c->reg_errno));
        return false;
    }
    if (res && res->verdict == PHC_STOP) {
        phc_run_result exit = { .end = PHC_END_EXIT, .status = (int)(res->status & 0xff) };
        kvm_arm64_vm_end(c->vm, &exit);
        return false;
    }
    return true;
}

/* KVM_EXIT_HYPERCALL: an HVC/SMC in the filtered range, nr = its function ID.
 * KVM has already stepped the PC past the instruction. */
static bool on_hypercall(void *arg)
{
    kvm_arm64_cpu *c = arg;
    phc_dispatch_result res;
    uint32_t fid = (uint32_t)c->run->hypercall.nr;
    kvm_arm64_hvc_outcome o = kvm_arm64_hvc_dispatch(c->vm->cfg->dispatcher, &c->vcpu, fid, &res);
    return after_call(c, o == KVM_ARM64_HVC_DISPATCHED ? &res : NULL);
}

/*
 * A system-register trap a kernel forwarded, assumed as KVM_EXIT_EXCEPTION
 * with the ESR in ex.error_code and the PC at the trapping instruction. No
 * upstream kernel does this (docs/kvm-arm64.md); the decoder is exact, so
 * only the sentinel's own syndrome is a hypercall.
 */
static bool on_forwarded_trap(void *arg)
{
    kvm_arm64_cpu *c = arg;
    uint64_t esr = c->run->ex.error_code, pc;
    phc_dispatch_result res;
    if (!kvm_arm64_trap_dispatch(c->vm->cfg->dispatcher, &c->vcpu, esr, &res)) {
        end_run(c, PHC_END_FAULT, "vCPU %u: a forwarded trap with ESR 0x%llx, not the Penguin "
                "sentinel", c->vcpu.index, (unsigned long long)esr);
        return false;
    }
    if (kvm_arm64_reg_get(c->fd, kvm_arm64_reg_pc(), &pc) != 0 ||
        kvm_arm64_reg_set(c->fd, kvm_arm64_reg_pc(), pc + 4) != 0)
        note_errno(c);
    return after_call(c, &res);
}

/* The PL011; any other address reads all ones and drops writes, as the x86 port bus does. */
static bool on_mmio(void *arg)
{
    kvm_arm64_cpu *c = arg;
    struct kvm_run *r = c->run;
    uint64_t addr = r->mmio.phys_addr;
    size_t len = r->mmio.len < 4 ? r->mmio.len : 4;
    kvm_arm64_vm *vm = c->vm;
    if (addr < KVM_ARM64_UART || addr - KVM_ARM64_UART >= KVM_ARM64_UART_SIZE) {
        if (!r->mmio.is_write)
            memset(r->mmio.data, 0xff, sizeof(r->mmio.data));
        return true;
    }
    uint32_t value = 0;
    pthread_mutex_lock(&vm->lock);
    if (r->mmio.is_write) {
        memcpy(&value, r->mmio.data, len); /* little-endian guest and host */
        kvm_arm64_pl011_write(&vm->uart, addr - KVM_ARM64_UART, value);
    } else {
        value = kvm_arm64_pl011_read(&vm->uart, addr - KVM_ARM64_UART);
        memset(r->mmio.data, 0, sizeof(r->mmio.data));
        memcpy(r->mmio.data, &value, len);
    }
    pthread_mutex_unlock(&vm->lock);
    return true;
}

static bool on_system_event(void *arg)
{
    kvm_arm64_cpu *c = arg;
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
    }    return false;
}

/* Any exit not handled above ends the run, said as one line. */
static void final_exit(void *arg)
{
    kvm_arm64_cpu *c = arg;
    struct kvm_run *r = c->run;
    if (r->exit_reason == KVM_EXIT_ARM_NISV)
        end_run(c, PHC_END_FAULT, "vCPU %u: an access to 0x%llx that KVM cannot decode (no valid "
                "syndrome; ISS 0x%llx)", c->vcpu.index, (unsigned long long)r->arm_nisv.fault_ipa,
                (unsigned long long)r->arm_nisv.esr_iss);
    else if (r->exit_reason == KVM_EXIT_FAIL_ENTRY)
        end_run(c, PHC_END_ERROR, "KVM could not enter vCPU %u (reason 0x%llx)", c->vcpu.index,
                (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
    else if (r->exit_reason == KVM_EXIT_INTERNAL_ERROR)
        end_run(c, PHC_END_ERROR, "KVM internal error %u on vCPU %u", r->internal.suberror,
                c->vcpu.index);
    else
        end_run(c, PHC_END_ERROR, "vCPU %u: unexpected KVM exit %u", c->vcpu.index, r->exit_reason);
}

/* What was read during one exit is stale after the next KVM_RUN. */
static void leave(void *arg)
{
    kvm_arm64_cpu *c = arg;
    c->x_valid = 0;
    c->mmu_valid = false;
    c->reg_errno = 0;
}

const kvm_exit_ops kvm_arm64_exits = {
    .leave = leave,
    .hypercall = on_hypercall,
    .exception = on_forwarded_trap,
    .mmio = on_mmio,
    .system_event = on_system_event,
    .final = final_exit,
};
