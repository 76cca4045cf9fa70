/*
 * KVM_EXIT_IO. Only what phc_x86_io_is_hypercall accepts (one 32-bit OUT to
 * port 0x88) is a hypercall; the number is the data written, which is EAX,
 * and the dispatcher reads everything else through the sync registers.
 * KVM reports each element of a `rep outsl` to port 0x88 exactly like an
 * `outl` (measured: one exit per element, count 1), so the instruction
 * decides: OUT (E7 or EF after prefixes) is the sentinel, OUTS is not.
 * Every other access, string IO included, is element by element on the port
 * bus, the same bus TCG uses.
 */
#include <string.h>
#include <phc/sentinel.h>
#include "io.h"
#include "pio_probe.h"
#include "x86_walk.h"

#define EFER_LMA (1u << 10)
#define MAX_INSN 15
#define PAGE 0x1000u

static bool in_code64(const struct kvm_sregs *sr)
{
    return (sr->efer & EFER_LMA) && sr->cs.l;
}

/* The ABI follows the CPU mode at the call: 64-bit code or anything else. */
static const phc_abi *abi_in_force(const struct kvm_sregs *sr)
{
    return phc_abi_get(in_code64(sr) ? PHC_ARCH_X86_64 : PHC_ARCH_I386);
}

static bool is_legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
        return true;
    default:
        return false;
    }
}

/* The opcode after any prefixes, or -1 if @n bytes hold none. */
static int opcode(const uint8_t *insn, size_t n, bool code64)
{
    for (size_t i = 0; i < n; i++)
        if (!is_legacy_prefix(insn[i]) && !(code64 && (insn[i] & 0xf0) == 0x40))
            return insn[i];
    return -1;
}

/* Up to @n code bytes at @linear, fewer where a page is not mapped. */
static size_t fetch(kvm_cpu *cpu, uint64_t linear, uint8_t *buf, size_t n)
{
    const struct kvm_sregs *sr = &cpu->run->s.regs.sregs;
    size_t got = 0;
    while (got < n) {
        uint64_t at = linear + got, gpa;
        size_t chunk = PAGE - (at & (PAGE - 1));
        if (chunk > n - got)
            chunk = n - got;
        const uint8_t *src = kvm_x86_walk(&cpu->machine->vm, sr, at, &gpa) == 0
                                 ? kvm_vm_ram(&cpu->machine->vm, gpa, chunk) : NULL;
        if (!src)
            break;
        memcpy(buf + got, src, chunk);
        got += chunk;
    }
    return got;
}

/*
 * Was this exit an OUT instruction (E7 imm8 or EF), not an OUTS (6E, 6F)?
 * OUTS exits with RIP at itself under every KVM; an OUT with RIP at itself
 * or, where this host's KVM has already skipped it, just past it. There, an
 * OUT immediately followed by an OUTS reads as the OUTS: a missed call
 * rather than ordinary IO taken for one.
 */
static bool was_out_instruction(kvm_cpu *cpu, bool rip_past_out)
{
    const struct kvm_sregs *sr = &cpu->run->s.regs.sregs;
    bool code64 = in_code64(sr);
    uint64_t rip = cpu->run->s.regs.regs.rip;
    uint64_t linear = code64 ? rip : (uint32_t)(sr->cs.base + rip);
    uint8_t insn[MAX_INSN];
    int op = opcode(insn, fetch(cpu, linear, insn, sizeof(insn)), code64);
    if (op == 0x6e || op == 0x6f)
        return false;
    if (!rip_past_out)
        return op == 0xe7 || op == 0xef;
    uint8_t before[2];
    if (fetch(cpu, linear - 2, before, 2) == 2 && before[0] == 0xe7 && before[1] == 0x88)
        return true;
    return fetch(cpu, linear - 1, before, 1) == 1 && before[0] == 0xef;
}

static void hypercall(kvm_cpu *cpu)
{
    kvm_machine *m = cpu->machine;
    cpu->vcpu.abi = abi_in_force(&cpu->run->s.regs.sregs);
    phc_dispatch_result r = phc_dispatch(m->dispatcher, &cpu->vcpu);
    if (r.verdict == PHC_STOP)
        kvm_machine_end(m, &(phc_run_result){ .end = PHC_END_EXIT, .status = (int)(r.status & 0xff) });
}

static void port_io(kvm_cpu *cpu)
{
    kvm_machine *m = cpu->machine;
    const struct kvm_run *run = cpu->run;
    unsigned size = run->io.size;
    uint64_t bytes = (uint64_t)size * run->io.count;
    if ((size != 1 && size != 2 && size != 4) || run->io.data_offset > m->vm.run_size ||
        bytes > m->vm.run_size - run->io.data_offset) {
        phc_run_result res;
        phc_run_result_set(&res, PHC_END_ERROR, "KVM reported a malformed port access (port 0x%x, "
                           "size %u, count %u)", run->io.port, size, run->io.count);
        kvm_machine_end(m, &res);
        return;
    }
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    pthread_mutex_lock(&m->ports_lock);
    for (uint32_t i = 0; i < run->io.count; i++, data += size) {
        uint32_t value = 0;
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            memcpy(&value, data, size); /* x86 and its data are little-endian */
            phc_portbus_out(m->ports, run->io.port, size, value);
        } else {
            value = phc_portbus_in(m->ports, run->io.port, size);
            memcpy(data, &value, size);
        }
    }
    pthread_mutex_unlock(&m->ports_lock);
}

void kvm_io_exit(kvm_cpu *cpu)
{
    const struct kvm_run *run = cpu->run;
    phc_io_event ev = {
        .dir = run->io.direction == KVM_EXIT_IO_OUT ? PHC_IO_OUT : PHC_IO_IN,
        .port = run->io.port,
        .size = run->io.size,
        .count = run->io.count,
    };
    if (!phc_x86_io_is_hypercall(&ev)) {
        port_io(cpu);
        return;
    }
    bool rip_past_out;
    char err[sizeof(((phc_run_result *)0)->reason)];
    if (kvm_pio_rip_past_out(&rip_past_out, err, sizeof(err)) != 0) {
        phc_run_result res;
        phc_run_result_set(&res, PHC_END_ERROR, "%s", err);
        kvm_machine_end(cpu->machine, &res);
    } else if (was_out_instruction(cpu, rip_past_out)) {
        hypercall(cpu);
    } else {
        port_io(cpu);
    }
}
