/*
 * One run on KVM, the same for every host architecture (kvm/run.c defines
 * phc_accel_kvm): refuse what this host cannot run, build the machine, run
 * its vCPUs, settle how it ended, tear it down. As kvmtool's kvm__arch_*
 * functions, each host architecture's folder defines the kvm_arch_ ones;
 * one of them is built in.
 */
#ifndef PHC_KVM_RUN_H
#define PHC_KVM_RUN_H

#include "vcpus.h"

/* NULL if this host's KVM runs @arch, else a one-line reason. */
const char *kvm_arch_unsupported(phc_arch arch);

/* Bytes of the architecture's machine. */
extern const size_t kvm_arch_machine_size;
/* Build the machine for @cfg in @machine (kvm_arch_machine_size bytes of
 * zero): 0, or -1 with a one-line reason in @err. kvm_arch_close follows
 * either way. */
int kvm_arch_open(void *machine, const phc_run_config *cfg, char *err, size_t errlen);
kvm_vcpus *kvm_arch_vcpus(void *machine);
void kvm_arch_close(void *machine);

#endif
