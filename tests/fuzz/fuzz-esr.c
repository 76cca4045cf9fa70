/*
 * The ARM64 KVM frontend's decoders: an EC 0x18 syndrome is split exactly
 * as the Arm ARM lays it out (DESIGN.md section 5, decoded independently
 * here), and the sentinel is one syndrome value, nothing near it; a Penguin
 * SMCCC function ID is exactly the documented one; an HVC with any function
 * ID and any registers changes x0 only, as kvm/arm64/smccc.h promises.
 */
#include <stdlib.h>
#include <string.h>
#include <phc/builtins.h>
#include "esr.h"
#include "smccc.h"
#include "input.h"

/* EC 0x18, IL, Op0 0, Op1 0, CRn 5, CRm 0, Op2 0, Rt 31 (xzr), write; RES0 clear. */
#define SENTINEL_ESR (UINT64_C(0x18) << 26 | UINT64_C(1) << 25 | 5u << 10 | 31u << 5)
/* SMCCC: fast call, SMC64, owner 6 (vendor hypervisor), function 0x5048. */
#define PENGUIN_FID (1u << 31 | 1u << 30 | 6u << 24 | 0x5048u)

static unsigned bits(uint64_t v, unsigned hi, unsigned lo)
{
    return (unsigned)(v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

typedef struct fake_cpu {
    phc_vcpu cpu;
    uint64_t x[32];
} fake_cpu;

static uint64_t get_gpr(phc_vcpu *cpu, unsigned gpr)
{
    FUZZ_CHECK(gpr < 32, "register %u", gpr);
    return ((fake_cpu *)cpu)->x[gpr];
}

static void set_gpr(phc_vcpu *cpu, unsigned gpr, uint64_t value)
{
    FUZZ_CHECK(gpr < 32, "register %u", gpr);
    ((fake_cpu *)cpu)->x[gpr] = value;
}

/* No guest memory at all: every console call must come back -14 or -22. */
static int no_mem(phc_vcpu *cpu, uint64_t gva, void *buf, size_t len)
{
    (void)cpu, (void)gva, (void)buf, (void)len;
    return -1;
}

static int no_mem_write(phc_vcpu *cpu, uint64_t gva, const void *buf, size_t len)
{
    (void)cpu, (void)gva, (void)buf, (void)len;
    return -1;
}

static const phc_vcpu_ops fake_ops = { get_gpr, set_gpr, no_mem, no_mem_write };

static void check_syndrome(uint64_t esr)
{
    kvm_arm64_sysreg_trap t;
    memset(&t, 0xa5, sizeof(t));
    bool decoded = kvm_arm64_esr_decode_sysreg(esr, &t);
    FUZZ_CHECK(decoded == (bits(esr, 31, 26) == 0x18), "esr 0x%llx: decoded %d",
               (unsigned long long)esr, decoded);
    if (decoded)
        FUZZ_CHECK(t.op0 == bits(esr, 21, 20) && t.op2 == bits(esr, 19, 17) &&
                       t.op1 == bits(esr, 16, 14) && t.crn == bits(esr, 13, 10) &&
                       t.rt == bits(esr, 9, 5) && t.crm == bits(esr, 4, 1) &&
                       t.read == (esr & 1),
                   "esr 0x%llx: fields", (unsigned long long)esr);
    FUZZ_CHECK(kvm_arm64_esr_is_sentinel(esr) == (esr == SENTINEL_ESR), "esr 0x%llx: sentinel",
               (unsigned long long)esr);
}

static void check_hvc(fuzz_input *in, phc_dispatcher *d, uint32_t fid)
{
    fake_cpu f = { .cpu = { .ops = &fake_ops, .index = 0, .abi = phc_abi_get(PHC_ARCH_AARCH64) } };
    for (unsigned r = 0; r < 32; r++)
        f.x[r] = fuzz_u64(in);
    if (f.x[31] & 1) /* now and then a built-in's number in x8 */
        f.x[8] = (uint64_t[]){ PHC_NR_TEST, PHC_NR_CONSOLE, PHC_NR_EXIT }[f.x[31] % 3];
    uint64_t before[32];
    memcpy(before, f.x, sizeof(before));

    phc_dispatch_result res = { .verdict = 99 };
    kvm_arm64_hvc_outcome out = kvm_arm64_hvc_dispatch(d, &f.cpu, fid, &res);
    bool penguin = fid == PENGUIN_FID;
    FUZZ_CHECK(kvm_arm64_fid_is_penguin(fid) == penguin, "fid 0x%x", fid);
    FUZZ_CHECK(out == (penguin ? KVM_ARM64_HVC_DISPATCHED : KVM_ARM64_HVC_NOT_PENGUIN), "fid 0x%x: outcome", fid);
    for (unsigned r = 1; r < 32; r++)
        FUZZ_CHECK(f.x[r] == before[r], "x%u changed", r);
    if (!penguin) {
        FUZZ_CHECK(f.x[0] == UINT64_MAX, "NOT_SUPPORTED");
        return;
    }
    uint64_t nr = before[8], a0 = before[KVM_ARM64_HVC_ARG0_GPR], a1 = before[1];
    uint64_t want = a0; /* unhandled and stop calls leave x0 = a0, as the sentinel does */
    if (nr == PHC_NR_TEST || nr == (uint64_t)(int32_t)PHC_NR_TEST)
        want = PHC_TEST_ANSWER;
    else if (nr == PHC_NR_CONSOLE)
        want = a1 > PHC_CONSOLE_MAX ? PHC_EINVAL : PHC_EFAULT;
    if (nr == PHC_NR_EXIT)
        FUZZ_CHECK(res.verdict == PHC_STOP && res.status == (a0 & 0xff), "exit");
    FUZZ_CHECK(f.x[0] == want, "nr 0x%llx: x0 0x%llx, want 0x%llx", (unsigned long long)nr,
               (unsigned long long)f.x[0], (unsigned long long)want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static phc_dispatcher *d;
    if (!d) {
        d = phc_dispatcher_new();
        FILE *console = fopen("/dev/null", "w");
        FUZZ_CHECK(console && phc_builtins_register(d, PHC_BUILTIN_ALL, console), "built-ins");
    }
    fuzz_input in = { data, size, 0 };
    uint8_t mode = fuzz_u8(&in);
    uint64_t esr = fuzz_u64(&in);
    check_syndrome(mode & 1 ? esr : (esr & ~UINT64_C(0xfc000000)) | SENTINEL_ESR);
    uint32_t fid = (uint32_t)fuzz_take(&in, 4);
    check_hvc(&in, d, mode & 2 ? fid : PENGUIN_FID ^ (mode & 4 ? 1u << (fid % 32) : 0));
    return 0;
}
