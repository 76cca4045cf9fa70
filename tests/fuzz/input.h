/* Reading a fuzz input as a stream of fields; past the end every field is 0. */
#ifndef PHC_FUZZ_INPUT_H
#define PHC_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct fuzz_input {
    const uint8_t *data;
    size_t len;
    size_t pos;
} fuzz_input;

static inline size_t fuzz_left(const fuzz_input *in)
{
    return in->len - in->pos;
}

static inline uint64_t fuzz_take(fuzz_input *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && in->pos < in->len; i++)
        v |= (uint64_t)in->data[in->pos++] << (8 * i);
    return v;
}

static inline uint8_t fuzz_u8(fuzz_input *in)
{
    return (uint8_t)fuzz_take(in, 1);
}

static inline uint64_t fuzz_u64(fuzz_input *in)
{
    return fuzz_take(in, 8);
}

/* A finding: say what broke and abort so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...)                                                   \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            abort();                                                            \
        }                                                                       \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
