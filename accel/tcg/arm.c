/*
 * ARM under TCG. Both sentinels are instructions the engine refuses to
 * execute, so the engine already stops on exactly those and on nothing
 * else that runs: no code hook, no cost on other code.
 *
 * - ARM32 `mcr p7, ...`: Unicorn stops with UC_HOOK_INSN_INVALID and the
 *   PC on the instruction. A32 or T32 is CPSR.T at the call. The call is
 *   dispatched, the PC stepped over the 4-byte sentinel and the engine
 *   restarted, with the Thumb bit, which Unicorn takes from bit 0 of the
 *   start address.
 * - AArch64 `msr S0_0_c5_c0_0, xzr`: UNDEFINED, raised as UC_HOOK_INTR
 *   intno 1 (EXCP_UDEF) with the PC on it (the UC_ARM64_INS_MSR hook does
 *   not fire for op0 = 0). Dispatch, PC += 4, and the engine goes on.
 * Any other undefined instruction or exception ends the run as a fault.
 */
#include <inttypes.h>
#include "tcg.h"

#define CPSR_T (1u << 5)
#define A64_EXCP_UDEF 1
#define SENTINEL_BYTES 4

static const int gpr_arm[16] = {
    UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,  UC_ARM_REG_R4,  UC_ARM_REG_R5,
    UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8,  UC_ARM_REG_R9,  UC_ARM_REG_R10, UC_ARM_REG_R11,
    UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC,
};

/* X0-X28 are consecutive in Unicorn; number 31 is XZR or SP, never an ABI
 * slot: here it is SP, for the entry state */
#define X4(n) UC_ARM64_REG_X0 + (n), UC_ARM64_REG_X0 + (n) + 1, UC_ARM64_REG_X0 + (n) + 2, UC_ARM64_REG_X0 + (n) + 3
static const int gpr_a64[32] = {
    X4(0), X4(4), X4(8), X4(12), X4(16), X4(20), X4(24), UC_ARM64_REG_X28, UC_ARM64_REG_X29, UC_ARM64_REG_X30,
    UC_ARM64_REG_SP,
};

static bool thumb(tcg_machine *m)
{
    uint32_t cpsr = 0;
    uc_reg_read(m->uc, UC_ARM_REG_CPSR, &cpsr);
    return cpsr & CPSR_T;
}

/* Is the instruction at @pc the sentinel? Also hands back its bytes. */
static bool sentinel_at(tcg_machine *m, uint64_t pc, phc_isa isa, uint8_t bytes[SENTINEL_BYTES])
{
    return tcg_ram_read(m, pc, bytes, SENTINEL_BYTES) &&
           phc_sentinel_match(m->arch->arch, isa, bytes, SENTINEL_BYTES);
}

static bool on_arm_invalid(uc_engine *uc, void *opaque)
{
    (void)uc;
    tcg_machine *m = opaque;
    bool t32 = thumb(m);
    uint64_t pc = tcg_read_pc(m);
    uint8_t b[SENTINEL_BYTES] = { 0 };
    if (!sentinel_at(m, pc, t32 ? PHC_ISA_T32 : PHC_ISA_A32, b)) {
        tcg_fault(m, "undefined %s instruction %02x %02x %02x %02x at pc %#" PRIx64, t32 ? "T32" : "A32", b[0], b[1],
                  b[2], b[3], pc);
        return true;
    }
    tcg_dispatch(m);
    if (m->stop == TCG_RUNNING) {
        tcg_write_pc(m, (pc + SENTINEL_BYTES) | t32);
        tcg_stop_engine(m, TCG_STOP_RESTART);
    }
    return true; /* handled: the engine stops without an error of its own */
}

static void on_arm_interrupt(uc_engine *uc, uint32_t intno, void *opaque)
{
    (void)uc;
    tcg_machine *m = opaque;
    tcg_fault(m, "ARM exception %u at pc %#" PRIx64, intno, tcg_read_pc(m));
}

static uint64_t arm_resume_pc(tcg_machine *m)
{
    return tcg_read_pc(m) | thumb(m);
}

static void on_a64_interrupt(uc_engine *uc, uint32_t intno, void *opaque)
{
    (void)uc;
    tcg_machine *m = opaque;
    uint64_t pc = tcg_read_pc(m);
    uint8_t b[SENTINEL_BYTES] = { 0 };
    if (intno != A64_EXCP_UDEF) {
        tcg_fault(m, "AArch64 exception %u at pc %#" PRIx64, intno, pc);
        return;
    }
    if (!sentinel_at(m, pc, PHC_ISA_DEFAULT, b)) {
        tcg_fault(m, "undefined instruction %02x%02x%02x%02x at pc %#" PRIx64, b[3], b[2], b[1], b[0], pc);
        return;
    }
    tcg_dispatch(m);
    /* a PC written from a hook makes Unicorn carry on even after a stop,
     * so step over the sentinel only if the guest goes on */
    if (m->stop == TCG_RUNNING)
        tcg_write_pc(m, pc + SENTINEL_BYTES);
}

static bool arm_install(tcg_machine *m)
{
    uc_hook h;
    if (uc_hook_add(m->uc, &h, UC_HOOK_INSN_INVALID, on_arm_invalid, m, 1, 0) != UC_ERR_OK ||
        uc_hook_add(m->uc, &h, UC_HOOK_INTR, on_arm_interrupt, m, 1, 0) != UC_ERR_OK) {
        snprintf(m->reason, sizeof(m->reason), "uc_hook_add failed");
        return false;
    }
    return true;
}

static bool a64_install(tcg_machine *m)
{
    uc_hook h;
    if (uc_hook_add(m->uc, &h, UC_HOOK_INTR, on_a64_interrupt, m, 1, 0) != UC_ERR_OK) {
        snprintf(m->reason, sizeof(m->reason), "uc_hook_add failed");
        return false;
    }
    return true;
}

static const tcg_arch arches[] = {
    {
        .arch = PHC_ARCH_ARM, .uc_arch = UC_ARCH_ARM, .uc_mode = UC_MODE_ARM,
        .pc_reg = UC_ARM_REG_PC, .reg_bytes = 4, .gpr = gpr_arm, .ngpr = 16,
        .install = arm_install, .resume_pc = arm_resume_pc,
    },
    {
        .arch = PHC_ARCH_AARCH64, .uc_arch = UC_ARCH_ARM64, .uc_mode = UC_MODE_ARM,
        .pc_reg = UC_ARM64_REG_PC, .reg_bytes = 8, .gpr = gpr_a64, .ngpr = 32,
        .install = a64_install,
    },
};

const tcg_arch_list tcg_arm_arches = TCG_ARCH_LIST(arches);
