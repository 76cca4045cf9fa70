/*
 * KVM_EXIT_IO. Only what phc_x86_io_is_hypercall accepts (one 32-bit OUT to
 * port 0x88) is a hypercall; the number is the data written, which is EAX,
 * and the dispatcher reads everything else through the sync registers.
 * Every other access, string IO included, is element by element on the port
 * bus, the same bus TCG uses.
 */
#include <string.h>
#include <phc/sentinel.h>
#include "io.h"

#define EFER_LMA (1u << 10)

/* The ABI follows the CPU mode at the call: 64-bit code or anything else. */
static const phc_abi *abi_in_force(const struct kvm_sregs *sr)
{
    bool code64 = (sr->efer & EFER_LMA) && sr->cs.l;
    return phc_abi_get(code64 ? PHC_ARCH_X86_64 : PHC_ARCH_I386);
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
    if (phc_x86_io_is_hypercall(&ev))
        hypercall(cpu);
    else
        port_io(cpu);
}
