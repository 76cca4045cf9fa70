/*
 * The userspace page walk (kvm/x86/walk.c) over page tables built here by
 * hand from the SDM's formats, in each paging mode, against the addresses
 * the formats say they map to, and with the rights each access needs. No
 * KVM needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "walk.h"

#define RAM (16u << 20)
#define P 0x1u   /* present */
#define W 0x2u   /* writable */
#define U 0x4u   /* user */
#define PS 0x80u /* large page */
#define USER KVM_X86_ACCESS_USER
#define WRITE KVM_X86_ACCESS_WRITE
#define NONE UINT64_MAX

static int failures;
static kvm_vm vm;

static void put64(uint64_t addr, uint64_t v) { memcpy(vm.ram + addr, &v, 8); }
static void put32(uint64_t addr, uint32_t v) { memcpy(vm.ram + addr, &v, 4); }

#define CHECK_ACCESS(sr, write, want)                                                  \
    do {                                                                               \
        if (kvm_x86_access((sr), (write)) != (want)) {                                 \
            fprintf(stderr, "FAIL access at DPL %u, write %d\n", (sr)->ss.dpl, write); \
            failures++;                                                                \
        }                                                                              \
    } while (0)

static void expect_access(const char *mode, const struct kvm_sregs *sr, uint64_t linear,
                          unsigned access, uint64_t want)
{
    uint64_t gpa = 0;
    int rc = kvm_x86_walk(&vm, sr, linear, access, &gpa);
    uint64_t got = rc == 0 ? gpa : NONE;
    if (got != want) {
        fprintf(stderr, "FAIL %s (access %u): 0x%llx -> %s0x%llx, expected %s0x%llx\n", mode,
                access, (unsigned long long)linear, got == NONE ? "refused " : "",
                (unsigned long long)got, want == NONE ? "refused " : "", (unsigned long long)want);
        failures++;
    }
}

/* A supervisor read: presence only. */
static void expect(const char *mode, const struct kvm_sregs *sr, uint64_t linear, uint64_t want)
{
    expect_access(mode, sr, linear, 0, want);
}

static void long_mode(void)
{
    /* PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 */
    put64(0x1000, 0x2000 | P | W);
    put64(0x2000, 0x3000 | P | W);
    put64(0x2000 + 1 * 8, 0x40000000 | P | W | PS); /* 1 GiB page at 1 GiB */
    put64(0x3000 + 1 * 8, 0x600000 | P | W | PS);   /* 2 MiB: 0x200000 -> 0x600000 */
    put64(0x3000 + 2 * 8, 0x4000 | P | W);          /* 0x400000 through a page table */
    put64(0x3000 + 4 * 8, 0x80000000ull | P | W);   /* a page table outside RAM */
    put64(0x4000, 0x9000 | P | W);
    struct kvm_sregs sr = { .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x20, .efer = 0x500 };
    expect("long", &sr, 0x400123, 0x9123);
    expect("long", &sr, 0x2abcde, 0x6abcde);
    expect("long", &sr, 0x40012345, 0x40012345);
    expect("long", &sr, 0x600000, NONE);
    expect("long", &sr, 0x800000, NONE);
    expect("long", &sr, 0x401000, NONE);
    expect("long", &sr, 0xffff800000000000ull, NONE);
    /* PML4 entry 256 maps, but 0x800000000000 is not canonical with 4
     * levels: the CPU faults, so the walk must not alias it into RAM. */
    put64(0x1000 + 256 * 8, 0x2000 | P | W);
    expect("long", &sr, 0x800000400123ull, NONE);
    expect("long", &sr, 0xffff800000400123ull, 0x9123);

    /* LA57: one more level on top, PML5 0x5000 -> the same PML4 */
    put64(0x5000, 0x1000 | P | W);
    sr.cr3 = 0x5000;
    sr.cr4 |= 1u << 12;
    expect("la57", &sr, 0x400123, 0x9123);
    expect("la57", &sr, 0x40012345, 0x40012345);
    expect("la57", &sr, 0x100000000000000ull, NONE);
    /* canonical with 5 levels: PML5 entry 0, PML4 entry 256 */
    expect("la57", &sr, 0x800000400123ull, 0x9123);
    put64(0x1000 + 256 * 8, 0);
}

/*
 * What Linux userspace hands a hypercall: a pointer into its own pages, with
 * the guest kernel running with SMAP and protection keys on, PCID in CR3's
 * low bits, NX and a protection key in the PTEs. A CPL 3 caller may use only
 * pages every level marks user; a write needs R/W at every level. The guest
 * kernel's SMAP is no bar to the VMM acting for the caller.
 */
static void rights(void)
{
    const uint64_t nx = 1ull << 63, pkey5 = 5ull << 59;
    /* PML4 0x10000 -> PDPT 0x11000 -> PD 0x12000 -> PT 0x13000 (all U) */
    put64(0x10000, 0x11000 | P | W | U);
    put64(0x11000, 0x12000 | P | W | U);
    put64(0x12000, 0x13000 | P | W | U);
    put64(0x13000 + 0 * 8, 0x20000 | P | W | U | nx | pkey5); /* user data */
    put64(0x13000 + 1 * 8, 0x21000 | P | U);                  /* user, read-only */
    put64(0x13000 + 2 * 8, 0x22000 | P | W);                  /* kernel only */
    /* PD entry 1: a 2 MiB page whose PAT bit (12) must not reach the address */
    put64(0x12000 + 1 * 8, 0x400000 | 0x1000 | P | W | U | PS);
    /* PD entry 2: a page table of user PTEs, but the PDE denies user access */
    put64(0x12000 + 2 * 8, 0x14000 | P | W);
    put64(0x14000, 0x23000 | P | W | U);

    struct kvm_sregs sr = {
        .cr0 = 0x80010011,                              /* PG, WP, ET, PE */
        .cr3 = 0x10000 | 0x5,                           /* PCID 5 */
        .cr4 = 0x20 | (1u << 17) | (1u << 21) | (1u << 22), /* PAE, PCIDE, SMAP, PKE */
        .efer = 0x500,
    };
    expect_access("user read", &sr, 0x0123, USER, 0x20123);
    expect_access("user write", &sr, 0x0123, USER | WRITE, 0x20123);
    expect_access("user read, read-only", &sr, 0x1123, USER, 0x21123);
    expect_access("user write, read-only", &sr, 0x1123, USER | WRITE, NONE);
    expect_access("user read, kernel page", &sr, 0x2123, USER, NONE);
    expect_access("user read, kernel PDE", &sr, 0x400123, USER, NONE);
    expect_access("user read, 2 MiB PAT", &sr, 0x212345, USER, 0x412345);
    /* the kernel itself, SMAP notwithstanding */
    expect_access("kernel read, user page", &sr, 0x0123, 0, 0x20123);
    expect_access("kernel read, kernel page", &sr, 0x2123, 0, 0x22123);
    expect_access("kernel write, read-only, WP", &sr, 0x1123, WRITE, NONE);
    sr.cr0 &= ~0x10000ull;
    expect_access("kernel write, read-only, no WP", &sr, 0x1123, WRITE, 0x21123);

    /* The caller's privilege is SS.DPL, as KVM reports the CPL. */
    sr.ss.dpl = 3;
    CHECK_ACCESS(&sr, false, USER);
    CHECK_ACCESS(&sr, true, USER | WRITE);
    sr.ss.dpl = 0;
    CHECK_ACCESS(&sr, false, 0);
    CHECK_ACCESS(&sr, true, WRITE);

    /* 32-bit paging has U/S and R/W in both levels; PAE's PDPT has none. */
    put32(0xb000 + 2 * 4, 0xf000 | P | U);
    put32(0xf000, 0x24000 | P | W | U);
    put32(0xf000 + 4, 0x25000 | P | W);
    struct kvm_sregs sr32 = { .cr0 = 0x80010011, .cr3 = 0xb000 };
    expect_access("32-bit user read", &sr32, 0x800123, USER, 0x24123);
    expect_access("32-bit user write, read-only PDE", &sr32, 0x800123, USER | WRITE, NONE);
    expect_access("32-bit user read, kernel PTE", &sr32, 0x801123, USER, NONE);
    put64(0x7000 + 2 * 8, 0x26000 | P | W | U);
    put64(0x26000, 0x27000 | P | W | U);
    struct kvm_sregs pae = { .cr0 = 0x80010011, .cr3 = 0x6020, .cr4 = 0x20 };
    expect_access("pae user write", &pae, 0x400123, USER | WRITE, 0x27123);
}

static void pae(void)
{
    /* PDPT at 0x6020 (32-byte aligned) -> PD 0x7000 -> PT 0x8000 */
    put64(0x6020, 0x7000 | P);
    put64(0x7000, 0x8000 | P | W);
    put64(0x7000 + 1 * 8, 0xc00000 | P | W | PS);
    put64(0x8000 + 5 * 8, 0xa000 | P | W);
    struct kvm_sregs sr = { .cr0 = 0x80000011, .cr3 = 0x6020, .cr4 = 0x20 };
    expect("pae", &sr, 0x5abc, 0xaabc);
    expect("pae", &sr, 0x200010, 0xc00010);
    expect("pae", &sr, 0x6000, NONE);
    expect("pae", &sr, 0xc0000000, NONE);
}

static void legacy32(void)
{
    /* PD 0xb000 (4-byte entries) -> PT 0xd000 */
    put32(0xb000, 0xd000 | P | W);
    put32(0xb000 + 1 * 4, 0x800000 | P | W | PS); /* 4 MiB page with CR4.PSE */
    put32(0xd000 + 1 * 4, 0xe000 | P | W);
    struct kvm_sregs sr = { .cr0 = 0x80000011, .cr3 = 0xb000, .cr4 = 0x10 };
    expect("32-bit", &sr, 0x1234, 0xe234);
    expect("32-bit", &sr, 0x400321, 0x800321);
    expect("32-bit", &sr, 0x2000, NONE);
    sr.cr4 = 0; /* without PSE the entry names a page table (zeroes here) */
    expect("32-bit no PSE", &sr, 0x400321, NONE);
}

static void paging_off(void)
{
    struct kvm_sregs sr = { .cr0 = 0x11 };
    expect("off", &sr, 0x12345, 0x12345);
    expect("off", &sr, 0x100001234ull, 0x1234);
}

int main(void)
{
    vm.ram = calloc(1, RAM);
    vm.ram_size = RAM;
    paging_off();
    long_mode();
    pae();
    legacy32();
    rights();
    free(vm.ram);
    if (!failures)
        printf("page walk: every mode maps as the formats say, with the rights they give\n");
    return failures ? 1 : 0;
}
