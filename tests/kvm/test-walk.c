/*
 * The userspace page walk (kvm/x86_walk.c) over page tables built here by
 * hand from the SDM's formats, in each paging mode, against the addresses
 * the formats say they map to. No KVM needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x86_walk.h"

#define RAM (16u << 20)
#define P 0x1u   /* present */
#define W 0x2u   /* writable */
#define PS 0x80u /* large page */
#define NONE UINT64_MAX

static int failures;
static kvm_vm vm;

static void put64(uint64_t addr, uint64_t v) { memcpy(vm.ram + addr, &v, 8); }
static void put32(uint64_t addr, uint32_t v) { memcpy(vm.ram + addr, &v, 4); }

static void expect(const char *mode, const struct kvm_sregs *sr, uint64_t linear, uint64_t want)
{
    uint64_t gpa = 0;
    int rc = kvm_x86_walk(&vm, sr, linear, &gpa);
    uint64_t got = rc == 0 ? gpa : NONE;
    if (got != want) {
        fprintf(stderr, "FAIL %s: 0x%llx -> %s0x%llx, expected %s0x%llx\n", mode,
                (unsigned long long)linear, got == NONE ? "unmapped " : "", (unsigned long long)got,
                want == NONE ? "unmapped " : "", (unsigned long long)want);
        failures++;
    }
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

    /* LA57: one more level on top, PML5 0x5000 -> the same PML4 */
    put64(0x5000, 0x1000 | P | W);
    sr.cr3 = 0x5000;
    sr.cr4 |= 1u << 12;
    expect("la57", &sr, 0x400123, 0x9123);
    expect("la57", &sr, 0x40012345, 0x40012345);
    expect("la57", &sr, 0x100000000000000ull, NONE);
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
    free(vm.ram);
    if (!failures)
        printf("page walk: every mode maps as the formats say\n");
    return failures ? 1 : 0;
}
