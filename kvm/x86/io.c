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
#include "walk.h"
#include "../../target-hooks/x86.h"

#define MAX_INSN 15
#define OUT_IMM8_LEN 2 /* E7 88: OUT to the hypercall port by immediate */
#define PAGE 0x1000u

static bool in_code64(const struct kvm_sregs *sr)
{
    return phc_target_x86_code64(sr->efer, sr->cs.l);
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

/* @len bytes of guest code at @linear, all on one page, into @buf: one walk. */
static bool read_code_page(kvm_x86_cpu *cpu, uint64_t linear, uint8_t *buf, size_t len)
{
    uint64_t gpa;
    if (kvm_x86_walk(&cpu->machine->vm, &cpu->run->s.regs.sregs, linear, 0, &gpa) != 0)
        return false;
    const uint8_t *src = kvm_vm_ram(&cpu->machine->vm, gpa, len);
    if (!src)
        return false;
    memcpy(buf, src, len);
    return true;
}

/*
 * The code bytes [linear, linear + n) into @buf with one page walk, and a
 * second only where they run into the next page. Linear addresses wrap at
 * @wrap (4 GiB outside 64-bit code). What was read is buf[*lo, *hi): a page
 * that is not mapped leaves out its side.
 */
static void read_code(kvm_x86_cpu *cpu, uint64_t linear, uint64_t wrap, uint8_t *buf, size_t n,
                      size_t *lo, size_t *hi)
{
    size_t split = PAGE - (linear & (PAGE - 1));
    if (split > n)
        split = n;
    bool first = read_code_page(cpu, linear, buf, split);
    bool second = split == n || read_code_page(cpu, (linear + split) & wrap, buf + split, n - split);
    *lo = first ? 0 : split;
    *hi = second ? n : split;
}

/*
 * Was this exit an OUT instruction (E7 imm8 or EF), not an OUTS (6E, 6F)?
 * OUTS exits with RIP at itself under every KVM; an OUT with RIP at itself
 * or, where this host's KVM has already skipped it, just past it. There, an
 * OUT immediately followed by an OUTS reads as the OUTS: a missed call
 * rather than ordinary IO taken for one. The bytes before RIP (for a skipped
 * OUT) and at it are read together.
 */
static bool was_out_instruction(kvm_x86_cpu *cpu, bool rip_past_out)
{
    const struct kvm_sregs *sr = &cpu->run->s.regs.sregs;
    bool code64 = in_code64(sr);
    uint64_t wrap = code64 ? UINT64_MAX : UINT32_MAX;
    uint64_t rip = cpu->run->s.regs.regs.rip;
    uint64_t linear = (code64 ? rip : sr->cs.base + rip) & wrap;
    size_t back = rip_past_out ? OUT_IMM8_LEN : 0, lo, hi;
    uint8_t code[OUT_IMM8_LEN + MAX_INSN];
    read_code(cpu, (linear - back) & wrap, wrap, code, back + MAX_INSN, &lo, &hi);
    int op = lo <= back && back < hi ? opcode(code + back, hi - back, code64) : -1;
    if (op == 0x6e || op == 0x6f)
        return false;
    if (!rip_past_out)
        return op == 0xe7 || op == 0xef;
    bool has_out_imm8 = lo == 0 && hi >= 2 && code[0] == 0xe7 && code[1] == PHC_X86_HYPERCALL_PORT;
    bool has_out_dx = lo <= 1 && hi >= 2 && code[1] == 0xef;
    return has_out_imm8 || has_out_dx;
}

static void hypercall(kvm_x86_cpu *cpu)
{
    kvm_x86_machine *m = cpu->machine;
    cpu->vcpu.abi = phc_target_x86_row(in_code64(&cpu->run->s.regs.sregs));
    phc_dispatch_result r = phc_dispatch(m->dispatcher, &cpu->vcpu);
    if (r.verdict == PHC_STOP)
        kvm_x86_machine_end(m, &(phc_run_result){ .end = PHC_END_EXIT, .status = (int)(r.status & 0xff) });
}

static void port_io(kvm_x86_cpu *cpu)
{
    kvm_x86_machine *m = cpu->machine;
    const struct kvm_run *run = cpu->run;
    unsigned size = run->io.size;
    uint64_t bytes = (uint64_t)size * run->io.count;
    if ((size != 1 && size != 2 && size != 4) || run->io.data_offset > m->vm.run_size ||
        bytes > m->vm.run_size - run->io.data_offset) {
        phc_run_result res;
        phc_run_result_set(&res, PHC_END_ERROR, "KVM reported a malformed port access (port 0x%x, "
                           "size %u, count %u)", run->io.port, size, run->io.count);
        kvm_x86_machine_end(m, &res);
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

void kvm_x86_io_exit(kvm_x86_cpu *cpu)
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
    if (was_out_instruction(cpu, cpu->machine->rip_past_out))
        hypercall(cpu);
    else
        port_io(cpu);
}
