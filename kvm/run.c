/* phc_accel_kvm: one run on KVM, for every host architecture (see run.h). */
#include <stdlib.h>
#include "device.h"
#include "run.h"

static void run(const phc_run_config *cfg, phc_run_result *res)
{
    *res = (phc_run_result){ .end = PHC_END_ERROR };
    const char *why = kvm_arch_unsupported(cfg->abi->arch);
    if (why) {
        phc_run_result_set(res, PHC_END_ERROR, "%s", why);
        return;
    }
    if (cfg->insn_limit > 0) {
        phc_run_result_set(res, PHC_END_ERROR, "instruction limits need -accel tcg");
        return;
    }
    void *machine = calloc(1, kvm_arch_machine_size);
    if (!machine) {
        phc_run_result_set(res, PHC_END_ERROR, "out of memory");
        return;
    }
    char err[sizeof(res->reason)];
    if (kvm_arch_open(machine, cfg, err, sizeof(err)) != 0) {
        phc_run_result_set(res, PHC_END_ERROR, "%s", err);
    } else {
        kvm_vcpus *g = kvm_arch_vcpus(machine);
        kvm_vcpus_run(g, cfg->cancel);
        phc_run_result_settle(res, g->ended ? &g->result : NULL, cfg->cancel);
    }
    kvm_arch_close(machine);
    free(machine);
}

const phc_accel phc_accel_kvm = {
    .name = "kvm",
    .prop_keys = KVM_PROP_KEYS,
    .unsupported = kvm_arch_unsupported,
    .run = run,
};
