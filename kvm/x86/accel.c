/*
 * The x86 machine for phc_accel_kvm on x86_64 hosts (kvm/run.c): the
 * steps of its set-up, each owned by its file: the VM and its RAM (vm.c),
 * the image, the boot state (boot.c) or a Linux boot (linux.c), the vCPUs
 * (cpu.c, whose exits the shared loop hands back), and the teardown.
 */
#include <stdlib.h>
#include <string.h>
#include "cpu.h"
#include "../run.h"
#include "../device.h"
#include "../../accel/entry.h"
#include "pio-probe.h"
#include "boot.h"
#include "linux-boot.h"
#include "../../accel/linux-guest.h"
#include "linux.h"

const char *kvm_arch_unsupported(phc_arch arch)
{
    if (arch == PHC_ARCH_X86_64 || arch == PHC_ARCH_I386)
        return NULL;
    return "KVM on an x86-64 host runs x86_64 and i386 guests only; use -accel tcg";
}

/* phc does not reboot: a reset, like a triple fault, ends the run. */
static void guest_reset(void *opaque, const char *how)
{
    phc_run_result res;
    phc_run_result_set(&res, PHC_END_FAULT, "the guest reset the machine through %s", how);
    kvm_x86_machine_end(opaque, &res);
}

static int machine_setup(kvm_x86_machine *m, const phc_run_config *cfg, char *err, size_t errlen)
{
    const phc_linux_guest *lx = cfg->linux_guest;
    kvm_x86_linux_entry linux_entry;
    if (lx && m->ncpus != 1) {
        snprintf(err, errlen, "-smp %u: a Linux guest gets one vCPU (no ACPI or MP table "
                 "tells it of others)", m->ncpus);
        return -1;
    }
    /* The user's input first: a file that is no kernel is said so even
     * where KVM itself is missing. */
    if (lx && kvm_x86_linux_check(lx->kernel, lx->kernel_size, err, errlen) != 0)
        return -1;
    const char *device = phc_run_config_prop(cfg, "device", KVM_DEFAULT_DEVICE);
    if (kvm_vm_open(&m->vm, device, cfg->mem_size, err, errlen) != 0 ||
        kvm_x86_host_cpuid(m, err, errlen) != 0 ||
        kvm_x86_pio_rip_past_out(device, &m->rip_past_out, err, errlen) != 0)
        return -1;
    if (lx ? kvm_x86_linux_prepare(&m->vm, lx, &linux_entry, err, errlen) != 0
           : (kvm_vm_load_image(&m->vm, cfg->image, err, errlen) != 0 ||
              kvm_x86_boot_prepare(&m->vm, cfg->image, cfg->abi->arch, err, errlen) != 0))
        return -1;
    if (m->ncpus > m->vm.max_vcpus) {
        snprintf(err, errlen, "-smp %u: this KVM allows at most %u vCPUs", m->ncpus, m->vm.max_vcpus);
        return -1;
    }
    m->cpus = calloc(m->ncpus, sizeof(*m->cpus));
    if (!m->cpus) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (kvm_vcpus_init(&m->vcpus, m->ncpus, &kvm_x86_exits, err, errlen) != 0)
        return -1;
    for (unsigned i = 0; i < m->ncpus; i++) {
        phc_entry entry;
        if (!lx)
            phc_entry_state(cfg->abi, cfg->image, m->vm.ram_size, i, &entry);
        if (kvm_x86_cpu_create(m, i, err, errlen) != 0 ||
            (lx ? kvm_x86_linux_boot_cpu(m->cpus[i].fd, &linux_entry, err, errlen)
                : kvm_x86_boot_cpu(m->cpus[i].fd, cfg->abi->arch, entry.pc, entry.sp, i, err,
                                   errlen)) != 0)
            return -1;
    }
    m->ports = phc_portbus_new(cfg->console ? cfg->console : stdout);
    m->reset = (phc_reset){ .fire = guest_reset, .opaque = m };
    if (!phc_reset_attach(&m->reset, m->ports)) {
        snprintf(err, errlen, "the reset ports are taken on the port bus");
        return -1;
    }
    return 0;
}

static void machine_teardown(kvm_x86_machine *m)
{
    kvm_vcpus_destroy(&m->vcpus);
    free(m->cpus);
    phc_portbus_free(m->ports);
    kvm_vm_close(&m->vm);
    free(m->cpuid);
    pthread_mutex_destroy(&m->ports_lock);
}

const size_t kvm_arch_machine_size = sizeof(kvm_x86_machine);

int kvm_arch_open(void *machine, const phc_run_config *cfg, char *err, size_t errlen)
{
    kvm_x86_machine *m = machine;
    *m = (kvm_x86_machine){ .dispatcher = cfg->dispatcher, .cfg = cfg, .ncpus = cfg->smp ? cfg->smp : 1 };
    pthread_mutex_init(&m->ports_lock, NULL);
    return machine_setup(m, cfg, err, errlen);
}

kvm_vcpus *kvm_arch_vcpus(void *machine)
{
    return &((kvm_x86_machine *)machine)->vcpus;
}

void kvm_arch_close(void *machine)
{
    machine_teardown(machine);
}
