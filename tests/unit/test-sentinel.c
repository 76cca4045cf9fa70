/*
 * The matcher's edges that the assembler oracle cannot reach: it never reads
 * past the length it is given (the sentinel's first bytes sit against an
 * unmapped page), short buffers and x86 never match, out-of-range arguments
 * get a defined answer, and the word API agrees with the bytes API.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <phc/sentinel.h>
#include "check.h"

static const struct {
    phc_arch arch;
    phc_isa isa;
} word_rows[] = {
    { PHC_ARCH_ARM, PHC_ISA_A32 },   { PHC_ARCH_ARM, PHC_ISA_T32 },   { PHC_ARCH_AARCH64, 0 },
    { PHC_ARCH_MIPS, 0 },            { PHC_ARCH_MIPSEL, 0 },          { PHC_ARCH_MIPS64, 0 },
    { PHC_ARCH_MIPS64EL, 0 },        { PHC_ARCH_PPC, 0 },             { PHC_ARCH_PPC64, 0 },
    { PHC_ARCH_RISCV32, 0 },         { PHC_ARCH_RISCV64, 0 },         { PHC_ARCH_LOONGARCH64, 0 },
};
#define N_ROWS (sizeof(word_rows) / sizeof(word_rows[0]))

/* Put the first @len bytes of the sentinel at the very end of a readable
 * page followed by an inaccessible one: an overread faults. */
static void check_no_overread(uint8_t *guard_edge, phc_arch arch, phc_isa isa, const uint8_t s[4])
{
    for (size_t len = 0; len < 4; len++) {
        uint8_t *at = guard_edge - len;
        memcpy(at, s, len);
        CHECK(phc_sentinel_match(arch, isa, at, len) == 0, "arch %d isa %d: %zu bytes matched", arch,
              isa, len);
    }
    memcpy(guard_edge - 4, s, 4);
    CHECK(phc_sentinel_match(arch, isa, guard_edge - 4, 4) == 4, "arch %d: sentinel at page end", arch);
}

static void check_word_api(phc_arch arch, phc_isa isa)
{
    uint32_t w = phc_sentinel_word(arch, isa);
    CHECK(phc_sentinel_match_word(arch, isa, w), "arch %d isa %d: own word rejected", arch, isa);
    for (unsigned bit = 0; bit < 32; bit++)
        CHECK(!phc_sentinel_match_word(arch, isa, w ^ (UINT32_C(1) << bit)),
              "arch %d isa %d: word with bit %u flipped accepted", arch, isa, bit);

    /* the bytes API accepts the bytes of the word, and none with a bit flipped */
    uint8_t b[4];
    CHECK(phc_sentinel_bytes(arch, isa, b) == 4, "arch %d: no sentinel bytes", arch);
    CHECK(phc_sentinel_match(arch, isa, b, 4) == 4, "arch %d: own bytes rejected", arch);
    for (unsigned bit = 0; bit < 32; bit++) {
        uint8_t m[4];
        memcpy(m, b, 4);
        m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK(phc_sentinel_match(arch, isa, m, 4) == 0, "arch %d: bytes with bit %u flipped", arch, bit);
    }
    /* the rest of the buffer is irrelevant: a longer buffer matches too */
    uint8_t longer[8] = { 0 };
    memcpy(longer, b, 4);
    memset(longer + 4, 0xff, 4);
    CHECK(phc_sentinel_match(arch, isa, longer, sizeof(longer)) == 4, "arch %d: longer buffer", arch);
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED || mprotect(map + page, (size_t)page, PROT_NONE) != 0) {
        perror("mmap");
        return 1;
    }
    uint8_t *guard_edge = map + page;

    for (size_t i = 0; i < N_ROWS; i++) {
        uint8_t s[4];
        phc_sentinel_bytes(word_rows[i].arch, word_rows[i].isa, s);
        check_no_overread(guard_edge, word_rows[i].arch, word_rows[i].isa, s);
        check_word_api(word_rows[i].arch, word_rows[i].isa);
    }

    /* A32 and T32 lay the same number out differently: each rejects the other's bytes */
    uint8_t a32[4], t32[4];
    phc_sentinel_bytes(PHC_ARCH_ARM, PHC_ISA_A32, a32);
    phc_sentinel_bytes(PHC_ARCH_ARM, PHC_ISA_T32, t32);
    CHECK(phc_sentinel_match(PHC_ARCH_ARM, PHC_ISA_T32, a32, 4) == 0, "T32 accepts the A32 layout");
    CHECK(phc_sentinel_match(PHC_ARCH_ARM, PHC_ISA_A32, t32, 4) == 0, "A32 accepts the T32 layout");

    /* x86 is port semantics: no word, no bytes, nothing matches */
    static const uint8_t out_88[4] = { 0xe7, 0x88, 0x90, 0x90 };
    for (phc_arch a = PHC_ARCH_X86_64; a <= PHC_ARCH_I386; a++) {
        uint8_t b[4];
        CHECK(phc_sentinel_bytes(a, PHC_ISA_DEFAULT, b) == 0, "x86 arch %d has sentinel bytes", a);
        CHECK(phc_sentinel_match(a, PHC_ISA_DEFAULT, out_88, 4) == 0, "x86 arch %d matched bytes", a);
        CHECK(!phc_sentinel_match_word(a, PHC_ISA_DEFAULT, 0), "x86 arch %d matched word 0", a);
    }

    /* out-of-range arch: a defined "no", never a crash */
    uint8_t b[4];
    CHECK(phc_sentinel_bytes(PHC_ARCH_COUNT, PHC_ISA_DEFAULT, b) == 0, "arch COUNT has bytes");
    CHECK(phc_sentinel_match(PHC_ARCH_COUNT, PHC_ISA_DEFAULT, out_88, 4) == 0, "arch COUNT matched");
    CHECK(phc_sentinel_match((phc_arch)-1, PHC_ISA_DEFAULT, out_88, 4) == 0, "arch -1 matched");

    munmap(map, (size_t)page * 2);
    return check_report("test-sentinel");
}
