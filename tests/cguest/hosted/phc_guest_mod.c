// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * <phc/guest.h> in a Linux kernel module: the header must build with the
 * kernel's own flags (no libc, -nostdinc) and give the same one call.
 */
#include <linux/errno.h>
#include <linux/module.h>
#include <phc/guest.h>

static int __init phc_guest_mod_init(void)
{
	return phc_hypercall(PHC_NR_TEST, 1, 2, 3, 4, 5, 6) == PHC_TEST_ANSWER ? 0 : -EIO;
}

static void __exit phc_guest_mod_exit(void)
{
}

module_init(phc_guest_mod_init);
module_exit(phc_guest_mod_exit);
MODULE_DESCRIPTION("<phc/guest.h> in a kernel module");
MODULE_LICENSE("Dual MIT/GPL");
