/* The summary half of check.h. */
#include "check.h"

unsigned check_failures;

int check_report(const char *test)
{
    if (check_failures) {
        fprintf(stderr, "%s: %u checks failed\n", test, check_failures);
        return 1;
    }
    printf("%s: all checks passed\n", test);
    return 0;
}
