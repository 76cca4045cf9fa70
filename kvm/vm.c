/*
 * VM lifecycle for every host architecture: open KVM, check what we rely
 * on (with the architecture's own checks, kvm_arch_check_host), create the
 * VM and its RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vm.h"
#include "../accel/fail.h"

static int check_host(kvm_vm *vm, const char *device, char *err, size_t errlen)
{
    int version = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
    if (version < 0)
        return PHC_FAIL("%s is not a KVM device: %s", device, strerror(errno));
    if (version != KVM_API_VERSION)
        return PHC_FAIL("%s speaks API version %d, not %d", device, version, KVM_API_VERSION);
    if (kvm_arch_check_host(vm->sys_fd, err, errlen) != 0)
        return -1;
    if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
        return PHC_FAIL("this KVM lacks KVM_CAP_IMMEDIATE_EXIT, needed to stop vCPUs reliably");
    int max = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    vm->max_vcpus = max > 0 ? (unsigned)max : 1;
    int run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run))
        return PHC_FAIL("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
    vm->run_size = (size_t)run_size;
    return 0;
}

static int create_ram(kvm_vm *vm, uint64_t ram_size, char *err, size_t errlen)
{
    long page = sysconf(_SC_PAGESIZE);
    if (ram_size == 0 || ram_size % (uint64_t)page != 0)
        return PHC_FAIL("guest RAM of 0x%llx bytes is not a whole number of %ld-byte pages",
                        (unsigned long long)ram_size, page);
    void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED)
        return PHC_FAIL("cannot map 0x%llx bytes of guest RAM: %s", (unsigned long long)ram_size,
                        strerror(errno));
    vm->ram = ram;
    vm->ram_size = ram_size;
    struct kvm_userspace_memory_region slot = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = ram_size, .userspace_addr = (uintptr_t)ram,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) != 0)
        return PHC_FAIL("KVM_SET_USER_MEMORY_REGION (0x%llx bytes): %s", (unsigned long long)ram_size,
                        strerror(errno));
    return 0;
}

int kvm_vm_open(kvm_vm *vm, const char *device, uint64_t ram_size, char *err, size_t errlen)
{
    *vm = (kvm_vm){ .sys_fd = -1, .vm_fd = -1 };
    vm->sys_fd = open(device, O_RDWR | O_CLOEXEC);
    if (vm->sys_fd < 0)
        return PHC_FAIL("cannot open %s: %s%s", device, strerror(errno),
                        errno == ENOENT ? " (no KVM on this host: use -accel tcg, or scripts/kvm-host)" : "");
    if (check_host(vm, device, err, errlen) != 0)
        return -1;
    do
        vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
    while (vm->vm_fd < 0 && errno == EINTR);
    if (vm->vm_fd < 0)
        return PHC_FAIL("KVM_CREATE_VM: %s", strerror(errno));
    return create_ram(vm, ram_size, err, errlen);
}

void kvm_vm_close(kvm_vm *vm)
{
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->sys_fd >= 0)
        close(vm->sys_fd);
    if (vm->ram)
        munmap(vm->ram, vm->ram_size);
    *vm = (kvm_vm){ .sys_fd = -1, .vm_fd = -1 };
}

int kvm_vm_load_image(kvm_vm *vm, const phc_image *img, char *err, size_t errlen)
{
    for (size_t i = 0; i < img->nsegs; i++) {
        const phc_segment *s = &img->segs[i];
        uint8_t *dst = kvm_vm_ram(vm, s->addr, s->memsz);
        if (!dst)
            return PHC_FAIL("image segment at 0x%llx (0x%llx bytes) lies outside guest RAM [0, 0x%llx)",
                            (unsigned long long)s->addr, (unsigned long long)s->memsz,
                            (unsigned long long)vm->ram_size);
        memcpy(dst, s->data, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
    }
    return 0;
}
