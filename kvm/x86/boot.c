/*
 * Bare x86 boot state. x86_64 guests start in 64-bit long mode with our own
 * identity page tables (2 MiB pages over all RAM); i386 guests start in
 * 32-bit protected mode with paging off. Both get a flat GDT in guest RAM,
 * so a guest that reloads its segment registers gets what it started with.
 * Interrupts are off (RFLAGS.IF = 0) and there is no IDT: an exception is a
 * triple fault, which ends the run.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "boot.h"
#include "../../target-hooks/x86.h"
#include "../../accel/fail.h"

enum {
    GDT_ADDR = KVM_X86_BOOT_BASE,
    PML4_ADDR = 0x2000,
    PDPT_ADDR = 0x3000,
    PD_ADDR = 0x4000, /* one page directory per GiB of RAM, up to BOOT_END */
};
#define PAGE 0x1000u
#define MAX_PDS ((KVM_X86_BOOT_END - PD_ADDR) / PAGE)
#define GIB (UINT64_C(1) << 30)
#define LARGE_PAGE (UINT64_C(2) << 20)

/* GDT slots; a selector is slot * 8. */
enum { SEL_CODE64 = 0x08, SEL_DATA = 0x10, SEL_CODE32 = 0x18, GDT_SLOTS = 4 };

#define PTE_PRESENT (1u << 0)
#define PTE_WRITE (1u << 1)
#define PTE_LARGE (1u << 7)

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define RFLAGS_RESERVED 0x2u

/* The flat segments, one description for the GDT and for the sregs. */
typedef struct flat_segment {
    uint16_t selector;
    uint8_t type; /* 0xb: code, execute/read, accessed; 0x3: data, read/write, accessed */
    bool db, l;
} flat_segment;

static const flat_segment code64 = { SEL_CODE64, 0xb, false, true };
static const flat_segment code32 = { SEL_CODE32, 0xb, true, false };
static const flat_segment data = { SEL_DATA, 0x3, true, false };

/* Limit 0xfffff in 4 KiB units, base 0, present, DPL 0, code/data. */
static uint64_t gdt_entry(const flat_segment *s)
{
    return UINT64_C(0x000f00000000ffff) | (uint64_t)s->type << 40 | UINT64_C(1) << 44 |
           UINT64_C(1) << 47 | (uint64_t)s->l << 53 | (uint64_t)s->db << 54 | UINT64_C(1) << 55;
}

static struct kvm_segment kvm_segment_of(const flat_segment *s)
{
    return (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = s->selector,
                                 .type = s->type, .present = 1, .dpl = 0, .db = s->db, .s = 1,
                                 .l = s->l, .g = 1 };
}

static void write_gdt(kvm_vm *vm)
{
    uint64_t *gdt = kvm_vm_ram(vm, GDT_ADDR, GDT_SLOTS * 8);
    gdt[0] = 0;
    gdt[SEL_CODE64 / 8] = gdt_entry(&code64);
    gdt[SEL_DATA / 8] = gdt_entry(&data);
    gdt[SEL_CODE32 / 8] = gdt_entry(&code32);
}

static int write_page_tables(kvm_vm *vm, char *err, size_t errlen)
{
    uint64_t npd = (vm->ram_size + GIB - 1) / GIB;
    if (npd > MAX_PDS)
        return PHC_FAIL("x86_64 guests under KVM can have at most %u GiB of RAM", (unsigned)MAX_PDS);
    uint64_t *pml4 = kvm_vm_ram(vm, PML4_ADDR, PAGE);
    uint64_t *pdpt = kvm_vm_ram(vm, PDPT_ADDR, PAGE);
    uint64_t *pd = kvm_vm_ram(vm, PD_ADDR, npd * PAGE);
    memset(pml4, 0, PAGE);
    memset(pdpt, 0, PAGE);
    memset(pd, 0, npd * PAGE);
    pml4[0] = PDPT_ADDR | PTE_PRESENT | PTE_WRITE;
    for (uint64_t i = 0; i < npd; i++)
        pdpt[i] = (PD_ADDR + i * PAGE) | PTE_PRESENT | PTE_WRITE;
    /* Map whole 2 MiB pages up to the end of RAM; a partial last page maps a
     * little past RAM, where an access exits to us as MMIO: a fault. */
    for (uint64_t i = 0; i * LARGE_PAGE < vm->ram_size; i++)
        pd[i] = i * LARGE_PAGE | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
    return 0;
}

int kvm_x86_boot_prepare(kvm_vm *vm, const phc_image *img, phc_arch arch, char *err, size_t errlen)
{
    if (vm->ram_size < KVM_X86_BOOT_END)
        return PHC_FAIL("guest RAM must be at least 0x%x bytes", KVM_X86_BOOT_END);
    for (size_t i = 0; i < img->nsegs; i++) {
        const phc_segment *s = &img->segs[i];
        if (s->addr < KVM_X86_BOOT_END && s->addr + s->memsz > KVM_X86_BOOT_BASE)
            return PHC_FAIL("image segment at 0x%llx overlaps guest physical [0x%x, 0x%x), "
                            "where the KVM frontend keeps the GDT and page tables",
                            (unsigned long long)s->addr, KVM_X86_BOOT_BASE, KVM_X86_BOOT_END);
    }
    write_gdt(vm);
    return arch == PHC_ARCH_X86_64 ? write_page_tables(vm, err, errlen) : 0;
}

static void set_mode(struct kvm_sregs *sr, bool long_mode)
{
    sr->cs = kvm_segment_of(long_mode ? &code64 : &code32);
    sr->ds = sr->es = sr->fs = sr->gs = sr->ss = kvm_segment_of(&data);
    sr->gdt = (struct kvm_dtable){ .base = GDT_ADDR, .limit = GDT_SLOTS * 8 - 1 };
    sr->idt = (struct kvm_dtable){ .base = 0, .limit = 0 };
    sr->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE;
    sr->cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
    sr->efer = 0;
    if (long_mode) {
        sr->cr3 = PML4_ADDR;
        sr->cr4 |= CR4_PAE;
        sr->cr0 |= CR0_PG;
        sr->efer = EFER_LME | EFER_LMA;
    }
}

int kvm_x86_boot_cpu(int vcpu_fd, phc_arch arch, uint64_t entry, uint64_t sp, unsigned index, char *err,
                     size_t errlen)
{
    struct kvm_sregs sr;
    if (ioctl(vcpu_fd, KVM_GET_SREGS, &sr) != 0)
        return PHC_FAIL("KVM_GET_SREGS: %s", strerror(errno));
    set_mode(&sr, arch == PHC_ARCH_X86_64);
    if (ioctl(vcpu_fd, KVM_SET_SREGS, &sr) != 0)
        return PHC_FAIL("KVM_SET_SREGS: %s", strerror(errno));
    struct kvm_regs regs = { .rip = entry, .rflags = RFLAGS_RESERVED, .rdi = index, .rsp = sp };
    if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) != 0)
        return PHC_FAIL("KVM_SET_REGS: %s", strerror(errno));
    return 0;
}
