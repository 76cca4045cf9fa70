/*
 * Building the ARM64 machine: the VM and its RAM (kvm/vm.c), the SMCCC
 * filter before any vCPU exists, the image and the device tree in RAM,
 * the vCPUs (preferred target, PSCI 0.2, secondaries powered off), and the
 * in-kernel GICv3 the tree describes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "../device.h"
#include "board.h"
#include "../../accel/entry.h"
#include "smccc.h"
#include "vmm.h"
#include "../../accel/fail.h"

uint64_t kvm_arm64_reg_x(unsigned n)
{
    return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
           (offsetof(struct kvm_regs, regs.regs) / sizeof(__u32) + 2 * n);
}

uint64_t kvm_arm64_reg_pc(void)
{
    return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(regs.pc);
}

uint64_t kvm_arm64_reg_sp_el1(void)
{
    return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(sp_el1);
}

int kvm_arm64_reg_get(int vcpu_fd, uint64_t id, uint64_t *value)
{
    struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)value };
    return ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg);
}

int kvm_arm64_reg_set(int vcpu_fd, uint64_t id, uint64_t value)
{
    struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };
    return ioctl(vcpu_fd, KVM_SET_ONE_REG, &reg);
}

/* Nothing the shared checks (kvm/vm.c) do not make; the SMCCC filter is
 * asked of the VM, once it exists. */
int kvm_arch_check_host(int sys_fd, char *err, size_t errlen)
{
    (void)sys_fd, (void)err, (void)errlen;
    return 0;
}

static int check_config(const phc_run_config *cfg, unsigned ncpus, char *err, size_t errlen)
{
    long page = sysconf(_SC_PAGESIZE);
    if (cfg->linux_guest)
        return PHC_FAIL("booting a Linux bzImage is x86 only; give the ARM64 guest as an ELF image");
    if (cfg->abi->arch != PHC_ARCH_AARCH64 || !cfg->image || !cfg->image->abi ||
        cfg->image->abi->arch != PHC_ARCH_AARCH64)
        return PHC_FAIL("KVM on an ARM64 host runs AArch64 ELF guests only");
    if (ncpus < 1 || ncpus > KVM_ARM64_MAX_CPUS)
        return PHC_FAIL("-smp %u: the ARM64 board has 1 to %u vCPUs", ncpus, KVM_ARM64_MAX_CPUS);
    if (cfg->mem_size < 2 * KVM_ARM64_FDT_MAX || cfg->mem_size > KVM_ARM64_MMIO_BASE ||
        cfg->mem_size % (uint64_t)page)
        return PHC_FAIL("-m: ARM64 RAM is a multiple of the %ld-byte host page from %u KiB to %llu MiB",
                        page, 2 * KVM_ARM64_FDT_MAX / 1024,
                        (unsigned long long)(KVM_ARM64_MMIO_BASE >> 20));
    return 0;
}

/* Before any vCPU runs: HVCs in the Penguin range go to us, not to KVM. */
static int install_smccc_filter(kvm_arm64_vm *vm, char *err, size_t errlen)
{
    struct kvm_smccc_filter filter = {
        .base = KVM_ARM64_FID_BASE,
        .nr_functions = KVM_ARM64_FID_COUNT,
        .action = KVM_SMCCC_FILTER_FWD_TO_USER,
    };
    struct kvm_device_attr attr = {
        .group = KVM_ARM_VM_SMCCC_CTRL,
        .attr = KVM_ARM_VM_SMCCC_FILTER,
        .addr = (uintptr_t)&filter,
    };
    if (ioctl(vm->kvm.vm_fd, KVM_HAS_DEVICE_ATTR, &attr) != 0)
        return PHC_FAIL("this kernel's KVM cannot forward HVC calls to the VMM (no SMCCC filter, "
                        "KVM_ARM_VM_SMCCC_FILTER): Penguin hypercalls on ARM64 KVM need Linux 6.4 "
                        "or later");
    if (ioctl(vm->kvm.vm_fd, KVM_SET_DEVICE_ATTR, &attr) != 0)
        return PHC_FAIL("installing the SMCCC filter for 0x%08x: %s", KVM_ARM64_FID_BASE,
                        strerror(errno));
    return 0;
}

/* The image's segments, then the device tree in the top KVM_ARM64_FDT_MAX of RAM. */
static int load(kvm_arm64_vm *vm, char *err, size_t errlen)
{
    const phc_image *img = vm->cfg->image;
    vm->fdt_addr = vm->kvm.ram_size - KVM_ARM64_FDT_MAX;
    for (size_t i = 0; i < img->nsegs; i++) {
        const phc_segment *s = &img->segs[i];
        if (s->addr > vm->fdt_addr || s->memsz > vm->fdt_addr - s->addr)
            return PHC_FAIL("image segment 0x%llx+0x%llx does not fit below the device tree at 0x%llx "
                            "(-m %llu MiB)", (unsigned long long)s->addr, (unsigned long long)s->memsz,
                            (unsigned long long)vm->fdt_addr, (unsigned long long)(vm->kvm.ram_size >> 20));
        memcpy(vm->kvm.ram + s->addr, s->data, s->filesz);
    }
    kvm_arm64_board board = { .ram_size = vm->kvm.ram_size, .ncpus = vm->ncpus, .bootargs = "" };
    return kvm_arm64_fdt_build(&board, vm->kvm.ram + vm->fdt_addr, KVM_ARM64_FDT_MAX, err, errlen);
}

static int create_cpu(kvm_arm64_vm *vm, unsigned i, const struct kvm_vcpu_init *target, char *err,
                      size_t errlen)
{
    kvm_arm64_cpu *c = &vm->cpus[i];
    *c = (kvm_arm64_cpu){ .vcpu = { .ops = &kvm_arm64_cpu_ops, .index = i, .abi = vm->cfg->abi },
                      .vm = vm, .fd = -1 };
    if (kvm_vcpu_open(&vm->vcpus, i, vm->kvm.vm_fd, vm->kvm.run_size, c, err, errlen) != 0)
        return -1;
    c->fd = vm->vcpus.v[i].fd;
    c->run = vm->vcpus.v[i].run;

    struct kvm_vcpu_init init = *target;
    init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
    if (i > 0)
        init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF; /* until PSCI CPU_ON */
    if (ioctl(c->fd, KVM_ARM_VCPU_INIT, &init) != 0)
        return PHC_FAIL("KVM_ARM_VCPU_INIT (PSCI 0.2) on vCPU %u: %s", i, strerror(errno));
    if (i > 0)
        return 0;
    /* The boot CPU starts at the entry, EL1h with interrupts masked (KVM's
     * reset state), x0 = the device tree as the arm64 boot protocol has it,
     * SP_EL1 at the top of the RAM below the tree (docs/entry.md). */
    phc_entry entry;
    phc_entry_state(vm->cfg->abi, vm->cfg->image, vm->fdt_addr, 0, &entry);
    if (kvm_arm64_reg_set(c->fd, kvm_arm64_reg_pc(), entry.pc) != 0 ||
        kvm_arm64_reg_set(c->fd, kvm_arm64_reg_sp_el1(), entry.sp) != 0 ||
        kvm_arm64_reg_set(c->fd, kvm_arm64_reg_x(0), vm->fdt_addr) != 0)
        return PHC_FAIL("setting the boot registers: %s", strerror(errno));
    return 0;
}

static int gic_attr(int fd, uint32_t group, uint64_t attr, const void *addr)
{
    struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uintptr_t)addr };
    return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

/* After the vCPUs exist (their redistributors), before any runs. */
static int create_gic(kvm_arm64_vm *vm, char *err, size_t errlen)
{
    struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
    if (ioctl(vm->kvm.vm_fd, KVM_CREATE_DEVICE, &dev) != 0)
        return PHC_FAIL("this host's KVM offers no GICv3 for the guest (KVM_CREATE_DEVICE: %s)",
                        strerror(errno));
    vm->gic_fd = dev.fd;
    const uint64_t dist = KVM_ARM64_GIC_DIST, redist = KVM_ARM64_GIC_REDIST;
    const uint32_t addr = KVM_DEV_ARM_VGIC_GRP_ADDR;
    if (gic_attr(vm->gic_fd, addr, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) != 0 ||
        gic_attr(vm->gic_fd, addr, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist) != 0 ||
        gic_attr(vm->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL) != 0)
        return PHC_FAIL("setting up the GICv3: %s", strerror(errno));
    return 0;
}

int kvm_arm64_vm_open(kvm_arm64_vm *vm, const phc_run_config *cfg, char *err, size_t errlen)
{
    unsigned ncpus = cfg->smp ? cfg->smp : 1;
    *vm = (kvm_arm64_vm){ .cfg = cfg, .kvm = { .sys_fd = -1, .vm_fd = -1 }, .gic_fd = -1,
                      .ncpus = ncpus };
    pthread_mutex_init(&vm->lock, NULL);
    kvm_arm64_pl011_init(&vm->uart, cfg->console ? cfg->console : stdout);
    if (check_config(cfg, ncpus, err, errlen) != 0)
        return -1;

    const char *device = phc_run_config_prop(cfg, "device", KVM_DEFAULT_DEVICE);
    if (kvm_vm_open(&vm->kvm, device, cfg->mem_size, err, errlen) != 0 ||
        install_smccc_filter(vm, err, errlen) != 0 || load(vm, err, errlen) != 0)
        return -1;

    struct kvm_vcpu_init target;
    if (ioctl(vm->kvm.vm_fd, KVM_ARM_PREFERRED_TARGET, &target) != 0)
        return PHC_FAIL("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
    vm->cpus = calloc(ncpus, sizeof(*vm->cpus));
    if (!vm->cpus)
        return PHC_FAIL("out of memory");
    if (kvm_vcpus_init(&vm->vcpus, ncpus, &kvm_arm64_exits, err, errlen) != 0)
        return -1;
    for (unsigned i = 0; i < ncpus; i++)
        if (create_cpu(vm, i, &target, err, errlen) != 0)
            return -1;
    return create_gic(vm, err, errlen);
}

void kvm_arm64_vm_close(kvm_arm64_vm *vm)
{
    kvm_vcpus_destroy(&vm->vcpus);
    free(vm->cpus);
    if (vm->gic_fd >= 0)
        close(vm->gic_fd);
    kvm_vm_close(&vm->kvm);
    fflush(vm->uart.out);
    pthread_mutex_destroy(&vm->lock);
    vm->cpus = NULL;
}
