/*
 * vCPU lifecycle and the run loop. Stopping without a lost wake-up: a kick
 * sets `stopping`, then each vCPU's run->immediate_exit, then signals its
 * thread. KVM reads immediate_exit as it enters KVM_RUN: a vCPU that enters
 * after the store returns at once with EINTR; one whose KVM_RUN read it
 * before the store is inside KVM_RUN when the signal comes, and a pending
 * signal forces it out. Either way the loop then sees `stopping`. No signal
 * mask is swapped per KVM_RUN: vCPU threads simply take the kick signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "cpu.h"
#include "exit.h"
#include "../../accel/entry.h"
#include "io.h"
#include "unemulated.h"
#include "../../accel/fail.h"

#define KICK_SIGNAL SIGUSR1
#define RFLAGS_IF (1u << 9)

static void on_kick(int sig)
{
    (void)sig; /* only here so the signal interrupts KVM_RUN, not the process */
}

/* SA_RESTART: a kick landing in a handler's write() must not fail it with
 * EINTR. KVM_RUN itself returns EINTR to userspace whatever the flag. */
static void install_kick_handler(void)
{
    struct sigaction sa = { .sa_handler = on_kick, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(KICK_SIGNAL, &sa, NULL);
}

/* KVM's copy of the CPUID table, with this vCPU's APIC ID filled in. */
static int set_cpuid(kvm_cpu *cpu, const struct kvm_cpuid2 *supported, char *err, size_t errlen)
{
    size_t size = sizeof(*supported) + supported->nent * sizeof(supported->entries[0]);
    struct kvm_cpuid2 *c = malloc(size);
    if (!c)
        return FAIL("out of memory");
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
    return rc == 0 ? 0 : FAIL("KVM_SET_CPUID2 on vCPU %u: %s", id, strerror(errno));
}

int kvm_cpu_create(kvm_machine *m, unsigned index, char *err, size_t errlen)
{
    kvm_cpu *cpu = &m->cpus[index];
    *cpu = (kvm_cpu){ .vcpu = { .ops = &kvm_cpu_ops, .index = index }, .machine = m, .fd = -1 };
    cpu->fd = ioctl(m->vm.vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
    if (cpu->fd < 0)
        return FAIL("KVM_CREATE_VCPU %u: %s", index, strerror(errno));
    void *run = mmap(NULL, m->vm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu->fd, 0);
    if (run == MAP_FAILED)
        return FAIL("cannot map vCPU %u's kvm_run: %s", index, strerror(errno));
    cpu->run = run;
    return set_cpuid(cpu, m->vm.cpuid, err, errlen);
}

void kvm_cpu_destroy(kvm_cpu *cpu)
{
    if (cpu->run)
        munmap(cpu->run, cpu->machine->vm.run_size);
    if (cpu->fd >= 0)
        close(cpu->fd);
    cpu->run = NULL;
    cpu->fd = -1;
}

static void kick_locked(kvm_machine *m)
{
    atomic_store(&m->stopping, true);
    for (unsigned i = 0; i < m->ncpus; i++) {
        kvm_cpu *cpu = &m->cpus[i];
        __atomic_store_n(&cpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        if (cpu->started)
            pthread_kill(cpu->thread, KICK_SIGNAL);
    }
}

static void kick(void *arg)
{
    kvm_machine *m = arg;
    pthread_mutex_lock(&m->lock);
    kick_locked(m);
    pthread_mutex_unlock(&m->lock);
}

void kvm_machine_end(kvm_machine *m, const phc_run_result *res)
{
    pthread_mutex_lock(&m->lock);
    if (!m->ended) {
        m->ended = true;
        m->result = *res;
    }
    kick_locked(m);
    pthread_mutex_unlock(&m->lock);
}

/* A halted vCPU with no interrupt source never wakes: it parks. The run ends
 * when the last one parks, since others may still be working. */
static void halted(kvm_cpu *cpu)
{
    kvm_machine *m = cpu->machine;
    const struct kvm_regs *r = &cpu->run->s.regs.regs;
    const char *how = r->rflags & RFLAGS_IF ? "with interrupts on, but nothing can interrupt it"
                                            : "with interrupts off";
    pthread_mutex_lock(&m->lock);
    bool last = ++m->halted == m->ncpus;
    pthread_mutex_unlock(&m->lock);
    if (!last)
        return;
    phc_run_result res;
    if (m->ncpus == 1)
        phc_run_result_set(&res, PHC_END_HALT, "the guest halted %s at 0x%llx", how,
                           (unsigned long long)r->rip);
    else
        phc_run_result_set(&res, PHC_END_HALT, "all %u vCPUs halted; the last, vCPU %u, %s at 0x%llx",
                           m->ncpus, cpu->vcpu.index, how, (unsigned long long)r->rip);
    kvm_machine_end(m, &res);
}

static void end_with_error(kvm_cpu *cpu, const char *what)
{
    phc_run_result res;
    phc_run_result_set(&res, PHC_END_ERROR, "%s on vCPU %u: %s", what, cpu->vcpu.index,
                       strerror(errno));
    kvm_machine_end(cpu->machine, &res);
}

static void *cpu_main(void *arg)
{
    kvm_cpu *cpu = arg;
    kvm_machine *m = cpu->machine;
    struct kvm_run *run = cpu->run;
    /* The embedding program may block the kick signal; this thread takes it. */
    sigset_t kick_set;
    sigemptyset(&kick_set);
    sigaddset(&kick_set, KICK_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &kick_set, NULL);
    while (!atomic_load_explicit(&m->stopping, memory_order_acquire)) {
        run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
        int rc = ioctl(cpu->fd, KVM_RUN, 0);
        run->kvm_dirty_regs = 0;
        if (rc != 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue; /* a kick: the loop condition decides */
            end_with_error(cpu, "KVM_RUN");
            return NULL;
        }
        if (run->exit_reason == KVM_EXIT_IO) {
            kvm_io_exit(cpu);
        } else if (run->exit_reason == KVM_EXIT_HLT) {
            halted(cpu);
            return NULL;
        } else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR && kvm_x86_finish_unemulated(cpu)) {
            continue; /* an INT3 or FWAIT the emulator refused, finished here */
        } else {
            phc_run_result res;
            kvm_exit_describe(run, cpu->vcpu.index, m->vm.ram_size, &res);
            /* after a triple fault the registers are the reset state */
            phc_entry_explain_fault(&res, m->cfg, run->exit_reason != KVM_EXIT_SHUTDOWN,
                                    run->s.regs.regs.rip, run->s.regs.regs.rsp);
            kvm_machine_end(m, &res);
            return NULL;
        }
    }
    return NULL;
}

static void start_threads(kvm_machine *m)
{
    for (unsigned i = 0; i < m->ncpus; i++) {
        kvm_cpu *cpu = &m->cpus[i];
        pthread_mutex_lock(&m->lock);
        int rc = pthread_create(&cpu->thread, NULL, cpu_main, cpu);
        cpu->started = rc == 0;
        pthread_mutex_unlock(&m->lock);
        if (rc != 0) {
            errno = rc;
            end_with_error(cpu, "cannot start the thread");
            return;
        }
    }
}

void kvm_machine_run(kvm_machine *m, phc_cancel *cancel)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_kick_handler);

    if (cancel)
        phc_cancel_set_kick(cancel, kick, m);
    start_threads(m);
    for (unsigned i = 0; i < m->ncpus; i++) {
        kvm_cpu *cpu = &m->cpus[i];
        if (!cpu->started)
            continue;
        pthread_join(cpu->thread, NULL);
        pthread_mutex_lock(&m->lock);
        cpu->started = false; /* a later kick must not signal a joined thread */
        pthread_mutex_unlock(&m->lock);
    }
    if (cancel)
        phc_cancel_set_kick(cancel, NULL, NULL);
}
