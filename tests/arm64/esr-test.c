/*
 * The EC 0x18 syndrome decoder accepts exactly one syndrome.
 * 1. Sweep every Op0/Op1/CRn/CRm/Op2/Rt/direction combination: one accepted.
 * 2. Sweep all 2^26 IL+ISS values under EC 0x18, and every other EC with the
 *    sentinel's ISS: still one.
 * 3. Oracle: instruction words assembled by GNU as (argv[1], the sentinel
 *    first, then the space around it) turned into the syndrome a trap of
 *    each would carry (the Arm ARM's MSR/MRS-to-ISS field mapping): only
 *    the sentinel's word is accepted, and the decoded fields are the
 *    instruction's.
 */
#include <stdio.h>
#include <stdlib.h>
#include "esr.h"
#include "check.h"


#define EC_SYSREG (UINT64_C(0x18) << 26)
#define IL (UINT64_C(1) << 25)

static uint64_t pack(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                     unsigned rt, unsigned read)
{
    return EC_SYSREG | IL | (uint64_t)op0 << 20 | (uint64_t)op2 << 17 | (uint64_t)op1 << 14 |
           (uint64_t)crn << 10 | (uint64_t)rt << 5 | (uint64_t)crm << 1 | read;
}

static void sweep_fields(void)
{
    unsigned accepted = 0;
    for (unsigned op0 = 0; op0 < 4; op0++)
        for (unsigned op1 = 0; op1 < 8; op1++)
            for (unsigned crn = 0; crn < 16; crn++)
                for (unsigned crm = 0; crm < 16; crm++)
                    for (unsigned op2 = 0; op2 < 8; op2++)
                        for (unsigned rt = 0; rt < 32; rt++)
                            for (unsigned rd = 0; rd < 2; rd++) {
                                uint64_t esr = pack(op0, op1, crn, crm, op2, rt, rd);
                                if (!kvm_arm64_esr_is_sentinel(esr))
                                    continue;
                                accepted++;
                                CHECK(op0 == 0 && op1 == 0 && crn == 5 && crm == 0 && op2 == 0 &&
                                          rt == 31 && rd == 0,
                                      "accepted S%u_%u_c%u_c%u_%u rt=%u read=%u", op0, op1, crn,
                                      crm, op2, rt, rd);
                            }
    CHECK(accepted == 1, "field sweep accepted %u syndromes, want 1", accepted);
}

static void sweep_raw(void)
{
    unsigned accepted = 0;
    for (uint64_t low = 0; low < (UINT64_C(1) << 26); low++)
        accepted += kvm_arm64_esr_is_sentinel(EC_SYSREG | low);
    CHECK(accepted == 1, "IL+ISS sweep accepted %u syndromes, want 1", accepted);

    uint64_t iss = pack(0, 0, 5, 0, 0, 31, 0) & ((UINT64_C(1) << 26) - 1);
    for (uint64_t ec = 0; ec < 64; ec++)
        CHECK(kvm_arm64_esr_is_sentinel(ec << 26 | iss) == (ec == 0x18), "EC 0x%llx",
              (unsigned long long)ec);
    static const unsigned res0[][2] = { { 22, 24 }, { 32, 63 } };
    for (unsigned r = 0; r < 2; r++)
        for (unsigned bit = res0[r][0]; bit <= res0[r][1]; bit++)
            CHECK(!kvm_arm64_esr_is_sentinel(EC_SYSREG | iss | UINT64_C(1) << bit),
                  "RES0 bit %u set still accepted", bit);
    CHECK(!kvm_arm64_esr_is_sentinel((EC_SYSREG | iss) & ~IL), "IL clear still accepted");
}

/* What a trap of MSR/MRS/SYS word @w reports (EC 0x18 ISS from the encoding). */
static uint64_t syndrome_of(uint32_t w, kvm_arm64_sysreg_trap *want)
{
    *want = (kvm_arm64_sysreg_trap){
        .read = w >> 21 & 1, .op0 = w >> 19 & 3, .op1 = w >> 16 & 7,
        .crn = w >> 12 & 15, .crm = w >> 8 & 15, .op2 = w >> 5 & 7, .rt = w & 31,
    };
    return pack(want->op0, want->op1, want->crn, want->crm, want->op2, want->rt, want->read);
}

static void assembler_oracle(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        check_failures++;
        return;
    }
    uint8_t b[4];
    unsigned n = 0, accepted = 0;
    uint32_t sentinel = 0;
    while (fread(b, 1, 4, f) == 4) {
        uint32_t w = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
        if (n == 0)
            sentinel = w;
        CHECK((w & 0xffc00000u) == 0xd5000000u, "word %u (0x%08x) is no system instruction", n, w);
        kvm_arm64_sysreg_trap want, got;
        uint64_t esr = syndrome_of(w, &want);
        bool is = kvm_arm64_esr_is_sentinel(esr);
        accepted += is;
        CHECK(is == (w == sentinel), "word %u (0x%08x) esr 0x%llx: %s", n, w,
              (unsigned long long)esr, is ? "near miss accepted" : "sentinel rejected");
        CHECK(kvm_arm64_esr_decode_sysreg(esr, &got) && got.op0 == want.op0 &&
                  got.op1 == want.op1 && got.crn == want.crn && got.crm == want.crm &&
                  got.op2 == want.op2 && got.rt == want.rt && got.read == want.read,
              "word %u (0x%08x): decoded fields differ from the encoding", n, w);
        n++;
    }
    fclose(f);
    CHECK(n > 65536, "only %u assembled words in %s", n, path);
    CHECK(accepted >= 1, "the assembled sentinel was never accepted");
}

int main(int argc, char **argv)
{
    kvm_arm64_sysreg_trap t;
    CHECK(!kvm_arm64_esr_decode_sysreg(UINT64_C(0x16) << 26, &t),
          "EC 0x16 (HVC) decoded as sysreg");
    sweep_fields();
    sweep_raw();
    if (argc > 1)
        assembler_oracle(argv[1]);
    else
        fprintf(stderr, "esr-test: no assembled words given: the assembler oracle did not run\n");
    if (check_failures)
        return 1;
    printf("esr: exactly one syndrome accepted\n");
    return 0;
}
