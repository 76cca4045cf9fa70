/* A minimal assertion kit for the C unit tests: report every failure, keep
 * going, and exit non-zero at the end if any check failed. */
#ifndef PHC_TEST_CHECK_H
#define PHC_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>

extern unsigned check_failures;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            check_failures++;                                              \
            fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

/* Compare two 64-bit values, printing both in hex on failure. */
#define CHECK_EQ(got, want, what)                                          \
    do {                                                                   \
        uint64_t got_ = (got), want_ = (want);                             \
        CHECK(got_ == want_, "%s: got 0x%" PRIx64 ", want 0x%" PRIx64,      \
              (what), got_, want_);                                        \
    } while (0)

/* 0 if every check passed, else 1; prints a summary line. */
int check_report(const char *test);

#endif
