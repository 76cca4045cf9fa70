/* Building the call record from a vCPU. */
#include <string.h>
#include <phc/call.h>

void phc_call_read(phc_call *call, phc_vcpu *cpu)
{
    memset(call, 0, sizeof(*call));
    call->vcpu = cpu->index;
    call->abi = cpu->abi;
    call->nr = phc_abi_mask(cpu->abi->nr_bits, phc_vcpu_get_slot(cpu, PHC_SLOT_NR));
    for (unsigned i = 0; i < PHC_NARGS; i++)
        call->args[i] = phc_vcpu_get_slot(cpu, PHC_ARG_SLOT(i));
}
