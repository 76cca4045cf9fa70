/* The KVM exits that end a run, each as one line a person can act on. */
#ifndef PHC_KVM_X86_EXIT_H
#define PHC_KVM_X86_EXIT_H

#include <linux/kvm.h>
#include <phc/accel.h>

/* Describe a final exit (anything but IO and HLT) of vCPU @index. */
void kvm_x86_exit_describe(const struct kvm_run *run, unsigned index, uint64_t ram_size,
                           phc_run_result *res);

#endif
