/*
 * The VM, for every host architecture: the KVM device and VM file
 * descriptors, guest RAM as one memory slot at guest physical 0, and what
 * the host's KVM can give a vCPU. Nothing here knows about CPU modes,
 * boards or how a guest boots.
 */
#ifndef PHC_KVM_VM_H
#define PHC_KVM_VM_H

#include <stddef.h>
#include <stdint.h>
#include <phc/image.h>

typedef struct kvm_vm {
    int sys_fd;                 /* the KVM device, normally /dev/kvm */
    int vm_fd;
    uint8_t *ram;               /* guest physical [0, ram_size) */
    uint64_t ram_size;
    size_t run_size;            /* bytes of each vCPU's kvm_run mapping */
    unsigned max_vcpus;
} kvm_vm;

/* The host architecture's own checks of the KVM device (its capabilities):
 * 0, or -1 with a one-line reason in @err. */
int kvm_arch_check_host(int sys_fd, char *err, size_t errlen);

/* Open @device (the KVM device, normally /dev/kvm) and create the VM: 0, or
 * -1 with a one-line reason in @err (no device, no permission, not KVM). */
int kvm_vm_open(kvm_vm *vm, const char *device, uint64_t ram_size, char *err, size_t errlen);
void kvm_vm_close(kvm_vm *vm);

/* Copy the image's segments into RAM; -1 with a reason if one lies outside. */
int kvm_vm_load_image(kvm_vm *vm, const phc_image *img, char *err, size_t errlen);

/* Host pointer to guest physical [gpa, gpa + len), or NULL if not all RAM.
 * Inline: the exit path's page walk calls it at every level. */
static inline void *kvm_vm_ram(const kvm_vm *vm, uint64_t gpa, uint64_t len)
{
    if (gpa > vm->ram_size || len > vm->ram_size - gpa)
        return NULL;
    return vm->ram + gpa;
}

#endif
