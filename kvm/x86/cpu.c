/*
 * x86 vCPUs: creation (CPUID with the vCPU's APIC ID) and the exits the
 * shared loop (kvm/vcpus.c) hands here: port IO, HLT, the instructions
 * this KVM refuses to emulate, and the final ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "cpu.h"
#include "exit.h"
#include "io.h"
#include "unemulated.h"
#include "../../accel/entry.h"
#include "../../accel/fail.h"

#define RFLAGS_IF (1u << 9)

/* The sync-register fields the exit path reads without an ioctl. */
#define SYNC_NEEDED (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)

int kvm_arch_check_host(int sys_fd, char *err, size_t errlen)
{
    int sync = ioctl(sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
    if (sync < 0 || (sync & SYNC_NEEDED) != SYNC_NEEDED)
        return PHC_FAIL("this KVM lacks KVM_CAP_SYNC_REGS for registers and segment registers");
    return 0;
}

static struct kvm_cpuid2 *supported_cpuid(int sys_fd)
{
    for (unsigned n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
        if (!c)
            return NULL;
        c->nent = n;
        if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
            return c;
        free(c);
        if (errno != E2BIG)
            return NULL;
    }
    return NULL;
}

int kvm_x86_host_cpuid(kvm_x86_machine *m, char *err, size_t errlen)
{
    if (!(m->cpuid = supported_cpuid(m->vm.sys_fd)))
        return PHC_FAIL("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
    return 0;
}

/* KVM's copy of the CPUID table, with this vCPU's APIC ID filled in. */
static int set_cpuid(kvm_x86_cpu *cpu, const struct kvm_cpuid2 *supported, char *err, size_t errlen)
{
    size_t size = sizeof(*supported) + supported->nent * sizeof(supported->entries[0]);
    struct kvm_cpuid2 *c = malloc(size);
    if (!c)
        return PHC_FAIL("out of memory");
    memcpy(c, supported, size);
    unsigned id = cpu->vcpu.index;
    for (unsigned i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == 1)
            e->ebx = (e->ebx & 0x00ffffff) | (id & 0xff) << 24; /* initial APIC ID */
        else if (e->function == 0xb || e->function == 0x1f)
            e->edx = id; /* x2APIC ID */
    }
    int rc = ioctl(cpu->fd, KVM_SET_CPUID2, c);
    free(c);
    return rc == 0 ? 0 : PHC_FAIL("KVM_SET_CPUID2 on vCPU %u: %s", id, strerror(errno));
}

int kvm_x86_cpu_create(kvm_x86_machine *m, unsigned index, char *err, size_t errlen)
{
    kvm_x86_cpu *cpu = &m->cpus[index];
    *cpu = (kvm_x86_cpu){ .vcpu = { .ops = &kvm_x86_cpu_ops, .index = index }, .machine = m, .fd = -1 };
    if (kvm_vcpu_open(&m->vcpus, index, m->vm.vm_fd, m->vm.run_size, cpu, err, errlen) != 0)
        return -1;
    cpu->fd = m->vcpus.v[index].fd;
    cpu->run = m->vcpus.v[index].run;
    return set_cpuid(cpu, m->cpuid, err, errlen);
}

/* A halted vCPU with no interrupt source never wakes: it parks. The run ends
 * when the last one parks, since others may still be working. */
static bool halted(void *arg)
{
    kvm_x86_cpu *cpu = arg;
    kvm_x86_machine *m = cpu->machine;
    const struct kvm_regs *r = &cpu->run->s.regs.regs;
    const char *how = r->rflags & RFLAGS_IF ? "with interrupts on, but nothing can interrupt it"
                                            : "with interrupts off";
    pthread_mutex_lock(&m->vcpus.lock);
    bool last = ++m->halted == m->ncpus;
    pthread_mutex_unlock(&m->vcpus.lock);
    if (!last)
        return false;
    phc_run_result res;
    if (m->ncpus == 1)
        phc_run_result_set(&res, PHC_END_HALT, "the guest halted %s at 0x%llx", how,
                           (unsigned long long)r->rip);
    else
        phc_run_result_set(&res, PHC_END_HALT, "all %u vCPUs halted; the last, vCPU %u, %s at 0x%llx",
                           m->ncpus, cpu->vcpu.index, how, (unsigned long long)r->rip);
    kvm_x86_machine_end(m, &res);
    return false;
}

/* Sync registers in and out at every KVM_RUN: the exit path and the
 * dispatcher read them from run->s, writes mark them dirty. */
static void enter(void *arg)
{
    kvm_x86_cpu *cpu = arg;
    cpu->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
}

static void leave(void *arg)
{
    kvm_x86_cpu *cpu = arg;
    cpu->run->kvm_dirty_regs = 0;
}

static bool port_io(void *arg)
{
    kvm_x86_io_exit(arg);
    return true;
}

static void final_exit(void *arg)
{
    kvm_x86_cpu *cpu = arg;
    phc_run_result res;
    const struct kvm_run *run = cpu->run;
    kvm_x86_exit_describe(run, cpu->vcpu.index, cpu->machine->vm.ram_size, &res);
    /* after a triple fault the registers are the reset state */
    phc_entry_explain_fault(&res, cpu->machine->cfg, run->exit_reason != KVM_EXIT_SHUTDOWN,
                            run->s.regs.regs.rip, run->s.regs.regs.rsp);
    kvm_x86_machine_end(cpu->machine, &res);
}

/* An INT3 or FWAIT the emulator refused is finished here; anything else
 * it refused ends the run. */
static bool internal_error(void *arg)
{
    if (kvm_x86_finish_unemulated(arg))
        return true;
    final_exit(arg);
    return false;
}

const kvm_exit_ops kvm_x86_exits = {
    .enter = enter, .leave = leave, /* the sync registers */
    .io = port_io, .hlt = halted, .internal_error = internal_error,
    .final = final_exit,
};
