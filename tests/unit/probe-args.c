/* Argument parsing shared by the test drivers that the oracle scripts run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe-args.h"

bool probe_parse_target(const char *arch, const char *isa, phc_arch *arch_out, phc_isa *isa_out)
{
    const phc_abi *abi = phc_abi_by_name(arch);
    if (!abi) {
        fprintf(stderr, "unknown arch '%s'\n", arch);
        return false;
    }
    *arch_out = abi->arch;
    if (strcmp(isa, "t32") == 0)
        *isa_out = PHC_ISA_T32;
    else if (strcmp(isa, "a32") == 0 || strcmp(isa, "-") == 0)
        *isa_out = PHC_ISA_DEFAULT;
    else {
        fprintf(stderr, "unknown isa '%s'\n", isa);
        return false;
    }
    return true;
}

bool probe_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return false;
    *out = v;
    return true;
}

uint8_t *probe_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        perror(path);
        if (f)
            fclose(f);
        return NULL;
    }
    long size = ftell(f);
    rewind(f);
    /* malloc(0) may return NULL: keep at least one byte allocated */
    uint8_t *buf = size >= 0 ? malloc(size ? (size_t)size : 1) : NULL;
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        perror(path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}
