/*
 * kvm/x86/exit.c on exits built here, for the ends no test guest can cause
 * (KVM refusing to enter, an exit we never asked for) and the class of
 * each: the guest's fault or the host's error, always one line.
 */
#include <stdio.h>
#include <string.h>
#include "exit.h"

static int failures;

static void expect(const struct kvm_run *run, phc_end end, const char *says)
{
    phc_run_result res = { .end = PHC_END_EXIT };
    kvm_x86_exit_describe(run, 3, 0x2000000, &res);
    if (res.end != end || !strstr(res.reason, says) || strchr(res.reason, '\n') ||
        !strstr(res.reason, "vCPU 3")) {
        fprintf(stderr, "FAIL: exit %u gave %s \"%s\", expected %s saying \"%s\" about vCPU 3\n",
                run->exit_reason, phc_end_name(res.end), res.reason, phc_end_name(end), says);
        failures++;
    }
}

int main(void)
{
    static struct kvm_run run;
    run.exit_reason = KVM_EXIT_FAIL_ENTRY;
    run.fail_entry.hardware_entry_failure_reason = 0x80000021;
    expect(&run, PHC_END_ERROR, "0x80000021");

    memset(&run, 0, sizeof(run));
    run.exit_reason = KVM_EXIT_SHUTDOWN;
    run.s.regs.regs.rip = 0x10abc;
    expect(&run, PHC_END_FAULT, "0x10abc");

    memset(&run, 0, sizeof(run));
    run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
    run.internal.suberror = KVM_INTERNAL_ERROR_DELIVERY_EV;
    expect(&run, PHC_END_FAULT, "could not deliver");

    memset(&run, 0, sizeof(run));
    run.exit_reason = KVM_EXIT_MMIO;
    run.mmio.phys_addr = 0xfee00000;
    run.mmio.len = 4;
    expect(&run, PHC_END_FAULT, "read 4 bytes at guest physical 0xfee00000");

    memset(&run, 0, sizeof(run));
    run.exit_reason = KVM_EXIT_DEBUG;
    expect(&run, PHC_END_ERROR, "unexpected KVM exit");

    if (!failures)
        printf("every final exit has its class and a one-line reason\n");
    return failures ? 1 : 0;
}
