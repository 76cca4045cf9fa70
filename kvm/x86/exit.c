/*
 * Exits the guest cannot go on from. A fault is the guest's doing (triple
 * fault, touching memory that is not there, code KVM cannot emulate); an
 * error is the host's (a state KVM refused to enter, an exit we never asked
 * for). The address is the vCPU's RIP from the sync registers.
 */
#include "exit.h"

static const char *internal_error_name(uint32_t suberror)
{
    switch (suberror) {
    case KVM_INTERNAL_ERROR_EMULATION: return "an instruction KVM cannot emulate";
    case KVM_INTERNAL_ERROR_SIMUL_EX: return "an exception while delivering another";
    case KVM_INTERNAL_ERROR_DELIVERY_EV: return "an event it could not deliver";
    default: return "an internal error";
    }
}

void kvm_x86_exit_describe(const struct kvm_run *run, unsigned index, uint64_t ram_size,
                           phc_run_result *res)
{
    unsigned long long rip = run->s.regs.regs.rip;
    switch (run->exit_reason) {
    case KVM_EXIT_SHUTDOWN:
        phc_run_result_set(res, PHC_END_FAULT, "vCPU %u triple-faulted (KVM_EXIT_SHUTDOWN) near 0x%llx",
                           index, rip);
        break;
    case KVM_EXIT_MMIO:
        phc_run_result_set(res, PHC_END_FAULT, "vCPU %u %s %u bytes at guest physical 0x%llx, "
                           "outside RAM [0, 0x%llx), at 0x%llx", index,
                           run->mmio.is_write ? "wrote" : "read", run->mmio.len,
                           (unsigned long long)run->mmio.phys_addr, (unsigned long long)ram_size, rip);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        phc_run_result_set(res, PHC_END_FAULT, "vCPU %u hit %s (KVM_EXIT_INTERNAL_ERROR, suberror %u) "
                           "near 0x%llx", index, internal_error_name(run->internal.suberror),
                           run->internal.suberror, rip);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        phc_run_result_set(res, PHC_END_ERROR, "KVM could not enter vCPU %u (KVM_EXIT_FAIL_ENTRY, "
                           "hardware reason 0x%llx)", index,
                           (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        break;
    default:
        phc_run_result_set(res, PHC_END_ERROR, "vCPU %u made an unexpected KVM exit (reason %u) "
                           "near 0x%llx", index, run->exit_reason, rip);
        break;
    }
}
