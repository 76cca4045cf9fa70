/*
 * Numbers both sides of a hypercall agree on: the runner's built-in calls
 * and the x86 hypercall port. Plain macros, so <phc/guest.h> (freestanding
 * guests, kernel modules) and the host's headers share them.
 */
#ifndef PHC_NUMBERS_H
#define PHC_NUMBERS_H

#define PHC_NR_TEST    0xcafebabeu /* Penguin's round trip: returns 13 */
#define PHC_NR_EXIT    0x70480000u /* a0 = status: the guest ends */
#define PHC_NR_CONSOLE 0x70480001u /* a0 = address, a1 = length: bytes to out */

#define PHC_TEST_ANSWER 13
#define PHC_CONSOLE_MAX 4096

#define PHC_X86_HYPERCALL_PORT 0x88

#endif
