/*
 * x86 under TCG: the sentinel is port semantics, so it is caught where the
 * engine reports port IO, the OUT instruction hook, which costs nothing on
 * other code. Every access that is not a hypercall, IN included, goes to
 * the port bus KVM uses too, so port IO behaves the same under both.
 *
 * Two things Unicorn 2.0.1 does not tell the hook, found by measuring:
 * - which instruction it is: OUT and every iteration of OUTS call the same
 *   hook, and the PC it shows is the start of the translated block, not the
 *   OUT (see string_out);
 * - the CPU mode: UC_QUERY_MODE answers the mode the engine was opened in.
 *   The mode at the call is read from EFER.LMA (UC_X86_REG_MSR) and the L
 *   bit of the code segment's descriptor (see in_64bit_code).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "tcg.h"
#include "../portbus.h"
#include "../../target-hooks/x86.h"
#include "../reset.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

static const int gpr64[16] = {
    UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
    UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
    UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

static const int gpr32[8] = {
    UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
    UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI,
};

#define DESC_L (UINT64_C(1) << 53)
#define SEL_TI 4u
#define OP_HLT 0xF4
#define OP_OUTSD 0x6F

static uint64_t load_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    while (n--)
        v = v << 8 | p[n];
    return v;
}

/*
 * 64-bit code: long mode active and CS.L set. The engine keeps the
 * descriptor cache to itself, so CS.L is read from the descriptor table
 * the selector names. A null CS with long mode active is the engine's own
 * reset state for a 64-bit guest (no table behind it; measured: CS = 0,
 * GDTR = 0/0, EFER = 0x500), which is 64-bit code.
 */
static bool in_64bit_code(tcg_machine *m)
{
    uc_x86_msr efer = { .rid = MSR_EFER };
    if (uc_reg_read(m->uc, UC_X86_REG_MSR, &efer) != UC_ERR_OK || !phc_target_x86_long_mode(efer.value))
        return false;
    uint16_t cs = 0;
    uc_reg_read(m->uc, UC_X86_REG_CS, &cs);
    if ((cs & ~3u) == 0)
        return true;
    uc_x86_mmr table = { 0 };
    uc_reg_read(m->uc, cs & SEL_TI ? UC_X86_REG_LDTR : UC_X86_REG_GDTR, &table);
    uint8_t desc[8];
    if ((uint32_t)(cs | 7u) > table.limit || !tcg_ram_read(m, table.base + (cs & ~7u), desc, 8))
        return false;
    return phc_target_x86_code64(efer.value, load_le(desc, 8) & DESC_L);
}

static uint64_t reg(tcg_machine *m, unsigned gpr)
{
    return m->vcpu.ops->get_gpr(&m->vcpu, gpr);
}

/*
 * Could the code from @pc to the end of its translated block hold an OUTSD?
 * It needs its opcode byte 6F somewhere in there; a 6F that is there may
 * belong to another instruction, so only "no" is certain.
 */
static bool block_may_hold_outs(tcg_machine *m, uint64_t pc)
{
    uc_tb tb;
    if (tcg_request_cache(m->uc, pc, &tb) != UC_ERR_OK || tb.pc != pc || !tb.size)
        return true;
    uint8_t *code = malloc(tb.size);
    bool maybe = !code || !tcg_ram_read(m, tb.pc, code, tb.size) ||
                 memchr(code, OP_OUTSD, tb.size);
    free(code);
    return maybe;
}

/*
 * Was this 32-bit write to @port an iteration of OUTS rather than an OUT?
 * Unicorn calls the same hook for both, and the PC it shows is where the
 * engine last synced it (the start of the translated block), not the
 * instruction. So decide by what each instruction must have done: OUTS
 * takes the port from DX and the value from [rSI]; OUT sends EAX. An
 * immediate port DX does not hold is an OUT, a value EAX does not hold is
 * OUTS, a value [rSI] does not hold is an OUT. Only when DX, EAX and [rSI]
 * all agree do the block's bytes decide: with no OUTSD byte in the block
 * it is an OUT; with one, it is taken as string IO, since a missed call is
 * better than ordinary IO dispatched (see docs/tcg.md).
 */
static bool string_out(tcg_machine *m, uint16_t port, uint32_t value, bool code64)
{
    if ((uint16_t)reg(m, RDX) != port)
        return false;
    if ((uint32_t)reg(m, RAX) != value)
        return true;
    uint64_t rsi = code64 ? reg(m, RSI) : (uint32_t)reg(m, RSI);
    uint8_t elem[4];
    if (!tcg_ram_read(m, rsi, elem, 4) || (uint32_t)load_le(elem, 4) != value)
        return false;
    return block_may_hold_outs(m, tcg_read_pc(m));
}

static void on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *opaque)
{
    (void)uc;
    tcg_machine *m = opaque;
    phc_io_event io = { .dir = PHC_IO_OUT, .port = (uint16_t)port, .size = (uint8_t)size, .count = 1 };
    if (tcg_ended(m))
        return; /* an OUT after the exit call, in the same block */
    if (phc_x86_io_is_hypercall(&io)) {
        bool code64 = in_64bit_code(m);
        m->vcpu.abi = phc_target_x86_row(code64);
        /* both rows hold rAX, rDX and rSI: string_out reads them from the
         * call's batch */
        tcg_call_begin(m);
        if (!string_out(m, io.port, value, code64)) {
            tcg_dispatch(m);
            return;
        }
        tcg_call_end(m);
    }
    phc_portbus_out(m->bus, io.port, (unsigned)size, value);
}

static uint32_t on_in(uc_engine *uc, uint32_t port, int size, void *opaque)
{
    (void)uc;
    tcg_machine *m = opaque;
    return phc_portbus_in(m->bus, (uint16_t)port, (unsigned)size);
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *opaque)
{
    (void)uc;
    tcg_machine *m = opaque;
    tcg_fault(m, "x86 exception %u at pc %#" PRIx64, intno, tcg_read_pc(m));
}

/* phc does not reboot: a reset ends the run as a triple fault does. */
static void guest_reset(void *opaque, const char *how)
{
    tcg_fault(opaque, "the guest reset the machine through %s", how);
}

static bool x86_install(tcg_machine *m)
{
    uc_hook h;
    m->bus = phc_portbus_new(m->cfg->console);
    m->reset = calloc(1, sizeof(*m->reset));
    if (!m->bus || !m->reset) {
        snprintf(m->reason, sizeof(m->reason), "no memory for the port bus");
        return false;
    }
    *m->reset = (phc_reset){ .fire = guest_reset, .opaque = m };
    if (!phc_reset_attach(m->reset, m->bus)) {
        snprintf(m->reason, sizeof(m->reason), "the reset ports are taken on the port bus");
        return false;
    }
    if (uc_hook_add(m->uc, &h, UC_HOOK_INSN, on_out, m, 1, 0, UC_X86_INS_OUT) != UC_ERR_OK ||
        uc_hook_add(m->uc, &h, UC_HOOK_INSN, on_in, m, 1, 0, UC_X86_INS_IN) != UC_ERR_OK ||
        uc_hook_add(m->uc, &h, UC_HOOK_INTR, on_interrupt, m, 1, 0) != UC_ERR_OK) {
        snprintf(m->reason, sizeof(m->reason), "uc_hook_add failed");
        return false;
    }
    return true;
}

/* The engine stops by itself, with no error, on HLT: with interrupts off
 * nothing can wake the CPU, so the run ends. */
static void x86_unexplained_stop(tcg_machine *m)
{
    uint64_t pc = tcg_read_pc(m);
    uint8_t op;
    if (pc && tcg_ram_read(m, pc - 1, &op, 1) && op == OP_HLT) {
        snprintf(m->reason, sizeof(m->reason), "guest halted at pc %#" PRIx64 " (hlt with interrupts off)", pc - 1);
        m->stop = TCG_STOP_HALT;
    }
}

static void x86_destroy(tcg_machine *m)
{
    if (m->bus)
        phc_portbus_free(m->bus);
    m->bus = NULL;
    free(m->reset);
    m->reset = NULL;
}

static const tcg_arch arches[] = {
    {
        .arch = PHC_ARCH_X86_64, .uc_arch = UC_ARCH_X86, .uc_mode = UC_MODE_64,
        .pc_reg = UC_X86_REG_RIP, .reg_bytes = 8, .gpr = gpr64, .ngpr = 16,
        .install = x86_install, .unexplained_stop = x86_unexplained_stop, .destroy = x86_destroy,
    },
    {
        .arch = PHC_ARCH_I386, .uc_arch = UC_ARCH_X86, .uc_mode = UC_MODE_32,
        .pc_reg = UC_X86_REG_EIP, .reg_bytes = 4, .gpr = gpr32, .ngpr = 8,
        .install = x86_install, .unexplained_stop = x86_unexplained_stop, .destroy = x86_destroy,
    },
};

const tcg_arch_list tcg_x86_arches = TCG_ARCH_LIST(arches);
