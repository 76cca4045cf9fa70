/*
 * The KVM device, for both host architectures: /dev/kvm unless the user names
 * another with -accel kvm,device=PATH (a container's path, or a test that
 * needs a device that is missing, closed or not KVM).
 */
#ifndef PHC_KVM_DEVICE_H
#define PHC_KVM_DEVICE_H

#define KVM_DEFAULT_DEVICE "/dev/kvm"
/* The -accel kvm properties (phc_accel.prop_keys). */
#define KVM_PROP_KEYS ((const char *const[]){ "device", NULL })

#endif
