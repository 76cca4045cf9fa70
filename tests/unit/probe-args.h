/* Argument parsing shared by the test drivers that the oracle scripts run. */
#ifndef PHC_TEST_PROBE_ARGS_H
#define PHC_TEST_PROBE_ARGS_H

#include <phc/sentinel.h>

/* ARCH is a phc -arch name; ISA is "a32", "t32" or "-" (the default). */
bool probe_parse_target(const char *arch, const char *isa, phc_arch *arch_out, phc_isa *isa_out);
/* A whole number (any C base) no larger than @max. */
bool probe_parse_ulong(const char *s, unsigned long max, unsigned long *out);
/* The whole file, malloc'd, sized exactly to it; NULL (reported) on error. */
uint8_t *probe_read_file(const char *path, size_t *len);

#endif
