/* The error convention of set-up code: a one-line reason in the caller's
 * err[errlen], and -1 as the function's result. */
#ifndef PHC_ACCEL_FAIL_H
#define PHC_ACCEL_FAIL_H

#include <stdio.h>

#define PHC_FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

#endif
