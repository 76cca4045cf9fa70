/* A minimal VMM on /dev/kvm for the KVM baselines (see raw-kvm.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <phc/builtins.h>
#include <phc/sentinel.h>
#include "raw-kvm.h"

/* Identity paging for RAM with 2 MiB pages, below the guest's text. */
#define PML4_ADDR 0x1000
#define PDPT_ADDR 0x2000
#define PD_ADDR   0x3000
#define PAGE_PRESENT_RW 0x3
#define PAGE_HUGE       0x80
#define HUGE_PAGE       (2u << 20)

#define CR0_PE 0x1u
#define CR0_MP 0x2u
#define CR0_ET 0x10u
#define CR0_NE 0x20u
#define CR0_WP 0x10000u
#define CR0_PG 0x80000000u
#define CR4_PAE 0x20u
#define CR4_OSFXSR 0x200u
#define CR4_OSXMMEXCPT 0x400u
#define EFER_LME 0x100u
#define EFER_LMA 0x400u

#define MAX_CPUID_ENTRIES 256

typedef struct vmm {
    int sys, vm, cpu;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *ram;
} vmm;

/* What the QEMU fork reads and writes back on every exit, beyond GPRs. */
static const uint32_t synced_msrs[] = {
    0x174, 0x175, 0x176,                /* SYSENTER_CS/ESP/EIP */
    0xc0000081, 0xc0000082, 0xc0000083, /* STAR, LSTAR, CSTAR */
    0xc0000084, 0xc0000102, 0xc0000103, /* FMASK, KERNEL_GS_BASE, TSC_AUX */
    0x277, 0x1a0, 0x1b,                 /* PAT, MISC_ENABLE, APIC_BASE */
};
#define NMSRS (sizeof(synced_msrs) / sizeof(synced_msrs[0]))

typedef struct full_state {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_xsave *xsave; /* NULL: the host has no XSAVE, use FPU */
    struct kvm_fpu fpu;
    struct kvm_msrs *msrs;   /* header and NMSRS entries */
    unsigned long get_xsave; /* KVM_GET_XSAVE2 where the host has it */
} full_state;

static double fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", what, strerror(errno));
    return -1;
}

const char *raw_kvm_unavailable(void)
{
    static char why[256];
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, sizeof(why), "cannot open /dev/kvm: %s", strerror(errno));
        return why;
    }
    close(fd);
    return NULL;
}

static void vmm_close(vmm *m)
{
    if (m->run && m->run != MAP_FAILED)
        munmap(m->run, m->run_size);
    if (m->ram && m->ram != MAP_FAILED)
        munmap(m->ram, BENCH_MEM_SIZE);
    if (m->cpu >= 0)
        close(m->cpu);
    if (m->vm >= 0)
        close(m->vm);
    if (m->sys >= 0)
        close(m->sys);
}

static void load_image(vmm *m, const phc_image *img)
{
    for (size_t i = 0; i < img->nsegs; i++)
        memcpy(m->ram + img->segs[i].addr, img->segs[i].data, img->segs[i].filesz);
    uint64_t *pml4 = (uint64_t *)(m->ram + PML4_ADDR);
    uint64_t *pdpt = (uint64_t *)(m->ram + PDPT_ADDR);
    uint64_t *pd = (uint64_t *)(m->ram + PD_ADDR);
    pml4[0] = PDPT_ADDR | PAGE_PRESENT_RW;
    pdpt[0] = PD_ADDR | PAGE_PRESENT_RW;
    for (uint64_t i = 0; i < BENCH_MEM_SIZE / HUGE_PAGE; i++)
        pd[i] = i * HUGE_PAGE | PAGE_PRESENT_RW | PAGE_HUGE;
}

static int set_cpuid(vmm *m)
{
    struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_CPUID_ENTRIES * sizeof(c->entries[0]));
    if (!c)
        return -1;
    c->nent = MAX_CPUID_ENTRIES;
    int rc = ioctl(m->sys, KVM_GET_SUPPORTED_CPUID, c);
    if (rc == 0)
        rc = ioctl(m->cpu, KVM_SET_CPUID2, c);
    free(c);
    return rc;
}

static int enter_long_mode(vmm *m, uint64_t entry)
{
    struct kvm_sregs s;
    if (ioctl(m->cpu, KVM_GET_SREGS, &s) != 0)
        return -1;
    struct kvm_segment code = { .base = 0, .limit = 0xffffffff, .selector = 0x8, .type = 11,
                                .present = 1, .s = 1, .l = 1, .g = 1 };
    struct kvm_segment data = { .base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 3,
                                .present = 1, .s = 1, .db = 1, .g = 1 };
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.cr3 = PML4_ADDR;
    s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    s.efer = EFER_LME | EFER_LMA;
    struct kvm_regs r = { .rip = entry, .rflags = 0x2 };
    if (ioctl(m->cpu, KVM_SET_SREGS, &s) != 0)
        return -1;
    return ioctl(m->cpu, KVM_SET_REGS, &r);
}

static int full_state_init(vmm *m, full_state *st)
{
    *st = (full_state){ .get_xsave = KVM_GET_XSAVE };
    /* KVM_CAP_XSAVE2 gives the buffer size when it exceeds struct kvm_xsave. */
    int xsave2 = ioctl(m->sys, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
    size_t bytes = xsave2 > (int)sizeof(struct kvm_xsave) ? (size_t)xsave2 : sizeof(struct kvm_xsave);
    if (xsave2 > 0)
        st->get_xsave = KVM_GET_XSAVE2;
    if ((xsave2 > 0 || ioctl(m->sys, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0) &&
        !(st->xsave = calloc(1, bytes)))
        return -1;
    st->msrs = calloc(1, sizeof(*st->msrs) + NMSRS * sizeof(st->msrs->entries[0]));
    if (!st->msrs)
        return -1;
    for (unsigned i = 0; i < NMSRS; i++)
        st->msrs->entries[i].index = synced_msrs[i];
    /* Keep the MSRs this host lets us read: KVM_GET_MSRS stops at the first it cannot. */
    st->msrs->nmsrs = NMSRS;
    int n = ioctl(m->cpu, KVM_GET_MSRS, st->msrs);
    if (n < 0)
        return -1;
    st->msrs->nmsrs = n;
    return 0;
}

/* What the QEMU fork does per hypercall: read all state, write it all back. */
static int full_state_sync(vmm *m, full_state *st)
{
    int fd = m->cpu;
    if (ioctl(fd, KVM_GET_REGS, &st->regs) != 0 || ioctl(fd, KVM_GET_SREGS, &st->sregs) != 0 ||
        (st->xsave ? ioctl(fd, st->get_xsave, st->xsave) : ioctl(fd, KVM_GET_FPU, &st->fpu)) != 0 ||
        ioctl(fd, KVM_GET_MSRS, st->msrs) != (int)st->msrs->nmsrs)
        return -1;
    if (ioctl(fd, KVM_SET_REGS, &st->regs) != 0 || ioctl(fd, KVM_SET_SREGS, &st->sregs) != 0 ||
        (st->xsave ? ioctl(fd, KVM_SET_XSAVE, st->xsave) : ioctl(fd, KVM_SET_FPU, &st->fpu)) != 0 ||
        ioctl(fd, KVM_SET_MSRS, st->msrs) != (int)st->msrs->nmsrs)
        return -1;
    return 0;
}

static int vmm_open(vmm *m, const phc_image *img)
{
    *m = (vmm){ .sys = -1, .vm = -1, .cpu = -1 };
    if ((m->sys = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0 ||
        (m->vm = ioctl(m->sys, KVM_CREATE_VM, 0)) < 0)
        return -1;
    m->ram = mmap(NULL, BENCH_MEM_SIZE, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m->ram == MAP_FAILED)
        return -1;
    load_image(m, img);
    struct kvm_userspace_memory_region slot = { .slot = 0, .guest_phys_addr = 0,
                                                .memory_size = BENCH_MEM_SIZE,
                                                .userspace_addr = (uintptr_t)m->ram };
    int run_size = ioctl(m->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (ioctl(m->vm, KVM_SET_USER_MEMORY_REGION, &slot) != 0 || run_size <= 0 ||
        (m->cpu = ioctl(m->vm, KVM_CREATE_VCPU, 0)) < 0)
        return -1;
    m->run_size = run_size;
    m->run = mmap(NULL, m->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, m->cpu, 0);
    if (m->run == MAP_FAILED)
        return -1;
    if (set_cpuid(m) != 0)
        return -1;
    return enter_long_mode(m, img->entry);
}

/* The value of a 4-byte OUT to the hypercall port, or -1 for any other exit. */
static int64_t hypercall_value(const struct kvm_run *run)
{
    phc_io_event io = { .dir = run->io.direction == KVM_EXIT_IO_OUT ? PHC_IO_OUT : PHC_IO_IN,
                        .port = run->io.port, .size = run->io.size, .count = run->io.count };
    if (run->exit_reason != KVM_EXIT_IO || !phc_x86_io_is_hypercall(&io))
        return -1;
    uint32_t v;
    memcpy(&v, (const uint8_t *)run + run->io.data_offset, sizeof(v));
    return v;
}

double raw_kvm_run(void *ctx, uint64_t n, char *err, size_t errlen)
{
    raw_kvm *k = ctx;
    bench_guest_set_count(k->guest, n);
    vmm m;
    full_state st = { 0 };
    uint64_t calls = 0;
    double result = -1;

    double t0 = bench_cpu_now();
    if (vmm_open(&m, &k->guest->image) != 0) {
        fail(err, errlen, "setting up the VM");
        goto out;
    }
    if (k->sync == RAW_KVM_FULL_STATE && full_state_init(&m, &st) != 0) {
        fail(err, errlen, "preparing the full state sync");
        goto out;
    }
    for (;;) {
        if (ioctl(m.cpu, KVM_RUN, 0) != 0) {
            if (errno == EINTR)
                continue;
            fail(err, errlen, "KVM_RUN");
            goto out;
        }
        int64_t nr = hypercall_value(m.run);
        if (nr < 0) {
            snprintf(err, errlen, "unexpected KVM exit (reason %u)", m.run->exit_reason);
            goto out;
        }
        calls++;
        if (k->sync == RAW_KVM_FULL_STATE && full_state_sync(&m, &st) != 0) {
            fail(err, errlen, "full state sync");
            goto out;
        }
        if (nr == PHC_NR_EXIT)
            break;
    }
    result = bench_cpu_now() - t0;
    k->nmsrs = st.msrs ? st.msrs->nmsrs : 0;
    if (calls != n + 1) {
        snprintf(err, errlen, "the raw VMM saw %llu hypercalls, the guest made %llu",
                 (unsigned long long)calls, (unsigned long long)n + 1);
        result = -1;
    }
out:
    free(st.xsave);
    free(st.msrs);
    vmm_close(&m);
    return result;
}
