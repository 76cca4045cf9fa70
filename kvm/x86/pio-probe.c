/*
 * The probe: a throwaway VM with one page of RAM, a vCPU at 0 running
 * `outb %al, $0x88; hlt`; the RIP at the IO exit says it all.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "pio-probe.h"
#include "../vm.h"
#include "../../accel/fail.h"

static const uint8_t probe_code[] = { 0xe6, 0x88, 0xf4 }; /* outb %al,$0x88; hlt */

static int run_probe(kvm_vm *vm, int fd, struct kvm_run *run, bool *past, char *err, size_t errlen)
{
    memcpy(vm->ram, probe_code, sizeof(probe_code));
    struct kvm_sregs sr;
    if (ioctl(fd, KVM_GET_SREGS, &sr) != 0)
        return PHC_FAIL("KVM_GET_SREGS: %s", strerror(errno));
    /* Flat 32-bit protected mode: no GDT needed in RAM, and no real mode,
     * which some hosts can only emulate. */
    struct kvm_segment flat = { .limit = 0xffffffff, .selector = 0x8, .type = 0xb, .present = 1,
                                .db = 1, .s = 1, .g = 1 };
    sr.cs = flat;
    flat.selector = 0x10;
    flat.type = 0x3;
    sr.ds = sr.es = sr.ss = flat;
    sr.cr0 |= 1; /* PE */
    struct kvm_regs regs = { .rip = 0, .rflags = 0x2 };
    if (ioctl(fd, KVM_SET_SREGS, &sr) != 0 || ioctl(fd, KVM_SET_REGS, &regs) != 0)
        return PHC_FAIL("cannot set up the probe vCPU: %s", strerror(errno));
    run->kvm_valid_regs = KVM_SYNC_X86_REGS;
    if (ioctl(fd, KVM_RUN, 0) != 0 || run->exit_reason != KVM_EXIT_IO)
        return PHC_FAIL("the port IO probe did not exit on its OUT (exit %u, %s)", run->exit_reason,
                        strerror(errno));
    uint64_t rip = run->s.regs.regs.rip;
    if (rip != 0 && rip != 2)
        return PHC_FAIL("the port IO probe exited at an unexpected RIP 0x%llx", (unsigned long long)rip);
    *past = rip == 2;
    return 0;
}

static int probe(const char *device, bool *past, char *err, size_t errlen)
{
    kvm_vm vm;
    int rc = kvm_vm_open(&vm, device, 0x1000, err, errlen);
    int fd = rc == 0 ? ioctl(vm.vm_fd, KVM_CREATE_VCPU, 0UL) : -1;
    if (rc == 0 && fd < 0)
        rc = PHC_FAIL("KVM_CREATE_VCPU: %s", strerror(errno));
    void *run = MAP_FAILED;
    if (rc == 0 && (run = mmap(NULL, vm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
        rc = PHC_FAIL("cannot map the probe's kvm_run: %s", strerror(errno));
    if (rc == 0)
        rc = run_probe(&vm, fd, run, past, err, errlen);
    if (run != MAP_FAILED)
        munmap(run, vm.run_size);
    if (fd >= 0)
        close(fd);
    kvm_vm_close(&vm);
    return rc;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *probe_device;
static int probe_rc;
static bool probe_past;
static char probe_err[200];

static void probe_once(void)
{
    probe_rc = probe(probe_device, &probe_past, probe_err, sizeof(probe_err));
}

int kvm_x86_pio_rip_past_out(const char *device, bool *past, char *err, size_t errlen)
{
    probe_device = device; /* read only by the one probe_once that runs */
    pthread_once(&once, probe_once);
    if (probe_rc != 0)
        return PHC_FAIL("%s", probe_err);
    *past = probe_past;
    return 0;
}
