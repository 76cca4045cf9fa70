/* The runner's built-in handlers: what a bundled guest can count on. */
#ifndef PHC_BUILTINS_H
#define PHC_BUILTINS_H

#include <stdio.h>
#include <phc/dispatcher.h>
#include <phc/numbers.h>
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
