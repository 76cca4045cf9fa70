/* vCPU threads, the exit loop and the stop, for every host architecture. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vcpus.h"
#include "../accel/fail.h"

#define KICK_SIGNAL SIGUSR1

int kvm_vcpus_init(kvm_vcpus *g, unsigned n, const kvm_exit_ops *ops, char *err, size_t errlen)
{
    *g = (kvm_vcpus){ .ops = ops, .n = n };
    atomic_init(&g->stopping, false);
    g->v = calloc(n ? n : 1, sizeof(*g->v));
    if (!g->v)
        return PHC_FAIL("out of memory");
    pthread_mutex_init(&g->lock, NULL);
    for (unsigned i = 0; i < n; i++)
        g->v[i] = (kvm_vcpu){ .index = i, .fd = -1 };
    return 0;
}

void kvm_vcpus_destroy(kvm_vcpus *g)
{
    if (!g->v)
        return; /* never initialised */
    for (unsigned i = 0; i < g->n; i++) {
        kvm_vcpu *v = &g->v[i];
        if (v->run)
            munmap(v->run, v->run_size);
        if (v->fd >= 0)
            close(v->fd);
    }
    free(g->v);
    g->v = NULL;
    pthread_mutex_destroy(&g->lock);
}

int kvm_vcpu_open(kvm_vcpus *g, unsigned index, int vm_fd, size_t run_size, void *cpu, char *err,
                  size_t errlen)
{
    kvm_vcpu *v = &g->v[index];
    v->cpu = cpu;
    v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
    if (v->fd < 0)
        return PHC_FAIL("KVM_CREATE_VCPU %u: %s", index, strerror(errno));
    void *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (run == MAP_FAILED)
        return PHC_FAIL("cannot map vCPU %u's kvm_run: %s", index, strerror(errno));
    v->run = run;
    v->run_size = run_size;
    return 0;
}

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

static void kick_locked(kvm_vcpus *g)
{
    atomic_store(&g->stopping, true);
    for (unsigned i = 0; i < g->n; i++) {
        kvm_vcpu *v = &g->v[i];
        if (v->run)
            __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        if (v->started)
            pthread_kill(v->thread, KICK_SIGNAL);
    }
}

static void kick(void *arg)
{
    kvm_vcpus *g = arg;
    pthread_mutex_lock(&g->lock);
    kick_locked(g);
    pthread_mutex_unlock(&g->lock);
}

void kvm_vcpus_end(kvm_vcpus *g, const phc_run_result *res)
{
    pthread_mutex_lock(&g->lock);
    if (!g->ended) {
        g->ended = true;
        g->result = *res;
    }
    kick_locked(g);
    pthread_mutex_unlock(&g->lock);
}

static void end_with_error(kvm_vcpus *g, const kvm_vcpu *v, const char *what, int error)
{
    phc_run_result res;
    phc_run_result_set(&res, PHC_END_ERROR, "%s on vCPU %u: %s", what, v->index, strerror(error));
    kvm_vcpus_end(g, &res);
}

/* One exit to its handler; false when this vCPU's run is over. */
static bool handle_exit(const kvm_exit_ops *ops, void *cpu, uint32_t reason)
{
    bool (*handler)(void *) = NULL;
    switch (reason) {
    case KVM_EXIT_IO: handler = ops->io; break;
    case KVM_EXIT_MMIO: handler = ops->mmio; break;
    case KVM_EXIT_HLT: handler = ops->hlt; break;
    case KVM_EXIT_HYPERCALL: handler = ops->hypercall; break;
    case KVM_EXIT_EXCEPTION: handler = ops->exception; break;
    case KVM_EXIT_SYSTEM_EVENT: handler = ops->system_event; break;
    case KVM_EXIT_INTERNAL_ERROR: handler = ops->internal_error; break;
    default: break;
    }
    if (handler)
        return handler(cpu);
    ops->final(cpu);
    return false;
}

typedef struct vcpu_thread {
    kvm_vcpus *g;
    kvm_vcpu *v;
} vcpu_thread;

static void *vcpu_main(void *arg)
{
    kvm_vcpus *g = ((vcpu_thread *)arg)->g;
    kvm_vcpu *v = ((vcpu_thread *)arg)->v;
    const kvm_exit_ops *ops = g->ops;
    /* The embedding program may block the kick signal; this thread takes it. */
    sigset_t kick_set;
    sigemptyset(&kick_set);
    sigaddset(&kick_set, KICK_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &kick_set, NULL);
    while (!atomic_load_explicit(&g->stopping, memory_order_acquire)) {
        if (ops->enter)
            ops->enter(v->cpu);
        int rc = ioctl(v->fd, KVM_RUN, 0);
        int error = errno;
        if (ops->leave)
            ops->leave(v->cpu);
        if (rc != 0) {
            if (error == EINTR || error == EAGAIN)
                continue; /* a kick (or a secondary still powered off): the loop decides */
            end_with_error(g, v, "KVM_RUN", error);
            return NULL;
        }
        if (!handle_exit(ops, v->cpu, v->run->exit_reason))
            return NULL;
    }
    return NULL;
}

void kvm_vcpus_run(kvm_vcpus *g, phc_cancel *cancel)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_kick_handler);

    vcpu_thread *args = calloc(g->n ? g->n : 1, sizeof(*args));
    if (!args) {
        end_with_error(g, &g->v[0], "cannot start the threads", ENOMEM);
        return;
    }
    if (cancel)
        phc_cancel_set_kick(cancel, kick, g);
    for (unsigned i = 0; i < g->n; i++) {
        kvm_vcpu *v = &g->v[i];
        args[i] = (vcpu_thread){ .g = g, .v = v };
        pthread_mutex_lock(&g->lock);
        int rc = pthread_create(&v->thread, NULL, vcpu_main, &args[i]);
        v->started = rc == 0;
        pthread_mutex_unlock(&g->lock);
        if (rc != 0) {
            end_with_error(g, v, "cannot start the thread", rc);
            break;
        }
    }
    for (unsigned i = 0; i < g->n; i++) {
        kvm_vcpu *v = &g->v[i];
        if (!v->started)
            continue;
        pthread_join(v->thread, NULL);
        pthread_mutex_lock(&g->lock);
        v->started = false; /* a later kick must not signal a joined thread */
        pthread_mutex_unlock(&g->lock);
    }
    if (cancel)
        phc_cancel_set_kick(cancel, NULL, NULL);
    free(args);
}
