// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * phc_test: makes the Penguin test hypercall from kernel mode (outl in ring
 * 0, the x86-64 ABI registers) when loaded, and reports the answer with
 * printk at notice level (the tests' console shows notices and worse).
 * Loading fails with -EIO if the host did not answer 13, so /init learns
 * the verdict from finit_module's result.
 */
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/types.h>

#define PHC_NR_TEST 0xcafebabeu
#define PHC_TEST_ANSWER 13

/* Arguments that tell this call apart from userspace's in the trace. */
#define PHC_KERNEL_TAG 0x6b65726e /* "kern" */

static u64 phc_hypercall(u32 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	u64 ret = nr;
	register u64 r10 asm("r10") = a3;

	asm volatile("outl %%eax, $0x88"
		     : "+a"(ret)
		     : "D"(a0), "S"(a1), "d"(a2), "r"(r10)
		     : "memory");
	return ret;
}

static int __init phc_test_init(void)
{
	u64 ret = phc_hypercall(PHC_NR_TEST, PHC_KERNEL_TAG, 5, 6, 7);

	pr_notice("phc_test: test hypercall from kernel mode returned %llu\n", ret);
	return ret == PHC_TEST_ANSWER ? 0 : -EIO;
}

static void __exit phc_test_exit(void)
{
}

module_init(phc_test_init);
module_exit(phc_test_exit);
MODULE_DESCRIPTION("Penguin hypercall test from kernel mode");
MODULE_LICENSE("Dual MIT/GPL");
