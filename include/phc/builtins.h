/* The runner's built-in handlers: what a bundled guest can count on. */
#ifndef PHC_BUILTINS_H
#define PHC_BUILTINS_H

#include <stdio.h>
#include <phc/dispatcher.h>

#define PHC_NR_TEST    0xcafebabeu /* Penguin's round trip: returns 13 */
#define PHC_NR_EXIT    0x70480000u /* a0 = status: the guest ends */
#define PHC_NR_CONSOLE 0x70480001u /* a0 = address, a1 = length: bytes to out */

#define PHC_TEST_ANSWER 13
#define PHC_CONSOLE_MAX 4096
#define PHC_EFAULT ((uint64_t)-14)
#define PHC_EINVAL ((uint64_t)-22)

typedef enum phc_builtin {
    PHC_BUILTIN_TEST = 1 << 0,
    PHC_BUILTIN_CONSOLE = 1 << 1,
    PHC_BUILTIN_EXIT = 1 << 2,
    PHC_BUILTIN_ALL = 7,
} phc_builtin;

/* Register the chosen built-ins; console bytes go to @console. */
bool phc_builtins_register(phc_dispatcher *d, unsigned which, FILE *console);

#endif
