/*
 * Where this host's KVM leaves RIP at a port-OUT exit. Upstream KVM reports
 * RIP at the OUT and skips it on the next KVM_RUN; the kernel here (6.18,
 * nested on AMD) reports it already past the OUT. String IO (OUTS) always
 * exits with RIP at the instruction. Probed once per process, on the KVM
 * device of the first caller.
 */
#ifndef PHC_KVM_X86_PIO_PROBE_H
#define PHC_KVM_X86_PIO_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* 0 with *past set, or -1 with a one-line reason. */
int kvm_x86_pio_rip_past_out(const char *device, bool *past, char *err, size_t errlen);

#endif
