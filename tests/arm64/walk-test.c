/*
 * The stage 1 walker against translation tables written here by hand from
 * the Arm ARM's descriptor formats: 4K (39- and 48-bit inputs, TTBR0 and
 * TTBR1, blocks at level 1 and 2, pages), 16K and 64K granules, TBI, and
 * every fault the walker must give (invalid or misplaced descriptors, EPD,
 * out-of-range addresses, tables outside RAM). The emulated-host check
 * (system/mmu.S) holds it against a real MMU.
 */
#include <stdio.h>
#include <string.h>
#include "walk.h"
#include "check.h"


#define RAM_SIZE (8u << 20)
static uint8_t ram[RAM_SIZE] __attribute__((aligned(8)));
static unsigned reads;

static bool read_phys(void *opaque, uint64_t pa, uint64_t *value)
{
    (void)opaque;
    reads++;
    if (pa > RAM_SIZE - 8)
        return false;
    memcpy(value, ram + pa, 8);
    return true;
}

#define TABLE 3u     /* valid, table (levels 0-2) or page (level 3) */
#define BLOCK 1u
#define AF (1u << 10)

static void put(uint64_t table, unsigned index, uint64_t desc)
{
    memcpy(ram + table + 8 * index, &desc, 8);
}

/* TCR_EL1 fields. */
#define T0SZ(n) ((uint64_t)(n))
#define T1SZ(n) ((uint64_t)(n) << 16)
#define TG0_4K (UINT64_C(0) << 14)
#define TG0_64K (UINT64_C(1) << 14)
#define TG0_16K (UINT64_C(2) << 14)
#define TG1_4K (UINT64_C(2) << 30)
#define EPD0 (UINT64_C(1) << 7)
#define EPD1 (UINT64_C(1) << 23)
#define TBI0 (UINT64_C(1) << 37)

static void expect_pa(const kvm_arm64_mmu *m, uint64_t va, uint64_t want_pa, uint64_t want_span)
{
    uint64_t pa = 0, span = 0;
    bool ok = kvm_arm64_translate(m, va, read_phys, NULL, &pa, &span);
    CHECK(ok && pa == want_pa && span == want_span,
          "va 0x%llx: %s pa 0x%llx span 0x%llx, want pa 0x%llx span 0x%llx", (unsigned long long)va,
          ok ? "got" : "fault,", (unsigned long long)pa, (unsigned long long)span,
          (unsigned long long)want_pa, (unsigned long long)want_span);
}

static void expect_fault(const kvm_arm64_mmu *m, uint64_t va, const char *why)
{
    uint64_t pa, span;
    CHECK(!kvm_arm64_translate(m, va, read_phys, NULL, &pa, &span), "va 0x%llx translated (%s)",
          (unsigned long long)va, why);
}

static void mmu_off(void)
{
    kvm_arm64_mmu m = { .sctlr = 0, .tcr = ~UINT64_C(0) };
    reads = 0;
    expect_pa(&m, 0x1234, 0x1234, -UINT64_C(0x1234));
    expect_pa(&m, 0, 0, UINT64_MAX);
    CHECK(reads == 0, "the MMU is off but tables were read");
}

/* 4K granule, 39-bit TTBR0 (start level 1) and 48-bit TTBR1 (start level 0). */
static void granule_4k(void)
{
    memset(ram, 0, sizeof(ram));
    const uint64_t l1 = 0x1000, l2 = 0x2000, l3 = 0x3000;
    put(l1, 0, 0x00000000 | AF | BLOCK);              /* VA 0-1G: 1G block at PA 0 */
    put(l1, 1, l2 | TABLE);                           /* VA 1G-2G: through L2 */
    put(l2, 0, l3 | TABLE);                           /* VA 1G+0..2M: through L3 */
    put(l2, 1, 0x00600000 | AF | BLOCK);              /* VA 1G+2M: 2M block at 6M */
    put(l2, 2, 0x00600000 | AF | TABLE);              /* an L3 table at 6M, all zero */
    put(l3, 5, 0x00007000 | AF | TABLE);              /* VA 1G+0x5000: page at 0x7000 */
    put(l3, 6, 0x00008000 | AF | BLOCK);              /* a "block" at level 3: invalid */
    put(l1, 2, 0x7ffff000 | TABLE);                   /* an L2 table outside RAM */

    const uint64_t t1l0 = 0x10000, t1l1 = 0x11000, t1l2 = 0x12000, t1l3 = 0x13000;
    put(t1l0, 0, t1l1 | TABLE);
    put(t1l0, 511, 0x40000000 | AF | BLOCK);          /* a block at level 0: invalid for 4K */
    put(t1l1, 0, t1l2 | TABLE);
    put(t1l2, 0, t1l3 | TABLE);
    put(t1l3, 1, 0x00009000 | AF | TABLE);            /* VA 0xffff000000001000 -> 0x9000 */

    kvm_arm64_mmu m = { .sctlr = 1, .tcr = T0SZ(25) | TG0_4K | T1SZ(16) | TG1_4K,
                        .ttbr0 = l1, .ttbr1 = t1l0 | 1 /* CnP: not part of the address */ };
    expect_pa(&m, 0x12345678, 0x12345678, 0x40000000 - 0x12345678);
    expect_pa(&m, 0x40005abc, 0x7abc, 0x1000 - 0xabc);
    expect_pa(&m, 0x40212345, 0x612345, 0x200000 - 0x12345);
    expect_pa(&m, 0xffff000000001ff8, 0x9ff8, 8);
    expect_fault(&m, 0x40004000, "invalid L3 entry");
    expect_fault(&m, 0x40006000, "block descriptor at level 3");
    expect_fault(&m, 0x40400000, "empty L3 table");
    expect_fault(&m, 0x80000000, "L2 table outside RAM");
    expect_fault(&m, 0xc0000000, "invalid L1 entry");
    expect_fault(&m, 0xffffff8000000000, "block at level 0");
    expect_fault(&m, UINT64_C(1) << 39, "above the 39-bit TTBR0 range");
    expect_fault(&m, 0x5a00000012345678, "top byte set without TBI");
    expect_fault(&m, 0xfffe000000001000, "below the 48-bit TTBR1 range");
    m.tcr |= TBI0;
    expect_pa(&m, 0x5a00000012345678, 0x12345678, 0x40000000 - 0x12345678);
    m.tcr |= EPD0 | EPD1;
    expect_fault(&m, 0x12345678, "EPD0");
    expect_fault(&m, 0xffff000000001000, "EPD1");

    /* A start-level table with 16 entries (T0SZ 39: 25 bits, start level 2)
     * may sit at a 128-byte boundary; its lower BADDR bits are ignored. */
    memset(ram, 0, 0x4000);
    put(0x1080, 3, 0x3000 | TABLE);
    put(0x3000, 4, 0x5000 | AF | TABLE);
    kvm_arm64_mmu small = { .sctlr = 1, .tcr = T0SZ(39) | TG0_4K | EPD1, .ttbr0 = 0x10c0 };
    expect_pa(&small, 0x604010, 0x5010, 0xff0);
    expect_fault(&small, UINT64_C(1) << 25, "above the 25-bit range");
}

/* 64K granule, 42-bit TTBR0: start level 2 (13 bits), blocks of 512M at level 2. */
static void granule_64k(void)
{
    memset(ram, 0, sizeof(ram));
    const uint64_t l2 = 0x10000, l3 = 0x20000;
    put(l2, 0, l3 | TABLE);
    put(l2, 1, 0x20000000 | AF | BLOCK);
    put(l3, 3, 0x50000 | AF | TABLE);
    kvm_arm64_mmu m = { .sctlr = 1, .tcr = T0SZ(22) | TG0_64K | EPD1, .ttbr0 = l2 };
    expect_pa(&m, 0x3abcd, 0x5abcd, 0x10000 - 0xabcd);
    expect_pa(&m, 0x20001234, 0x20001234, 0x20000000 - 0x1234);
    expect_fault(&m, 0x40000, "invalid L3 entry");
    expect_fault(&m, UINT64_C(1) << 42, "above the 42-bit range");
}

/* 16K granule, 47-bit TTBR0: start level 1 (11 bits), 32M blocks at level 2 only. */
static void granule_16k(void)
{
    memset(ram, 0, sizeof(ram));
    const uint64_t l1 = 0x4000, l2 = 0x8000, l3 = 0xc000;
    put(l1, 0, l2 | TABLE);
    put(l1, 1, 0x00000000 | AF | BLOCK);              /* a block at level 1: invalid for 16K */
    put(l2, 0, l3 | TABLE);
    put(l2, 1, 0x02000000 | AF | BLOCK);
    put(l3, 2, 0x14000 | AF | TABLE);
    kvm_arm64_mmu m = { .sctlr = 1, .tcr = T0SZ(17) | TG0_16K | EPD1, .ttbr0 = l1 };
    expect_pa(&m, 0x8123, 0x14123, 0x4000 - 0x123);
    expect_pa(&m, 0x02345678, 0x02345678, 0x02000000 - 0x345678);
    expect_fault(&m, UINT64_C(1) << 36, "block at level 1");
}

int main(void)
{
    mmu_off();
    granule_4k();
    granule_64k();
    granule_16k();
    if (check_failures)
        return 1;
    printf("walk: stage 1 translations and faults as the tables say\n");
    return 0;
}
