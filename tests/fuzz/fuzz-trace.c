/*
 * The trace writer on random call records, from one or two threads: every
 * line must be one JSON object (checked by the strict little parser below,
 * not by the writer's own code), its fields must read back to the record
 * that was written with that seq, and seq must run 0, 1, 2... in file order.
 * phc_trace_format must behave as snprintf for every buffer size.
 */
#define _GNU_SOURCE /* memmem */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <phc/trace.h>
#include "input.h"

#define MAX_RECORDS 64

/* --- a strict JSON reader for one line: objects, arrays, strings, numbers, literals --- */

typedef struct json {
    const char *p, *end;
} json;

static bool json_value(json *j);

static void json_space(json *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t'))
        j->p++;
}

static bool json_literal(json *j, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
        return false;
    j->p += n;
    return true;
}

/* A string; its raw contents (no escapes allowed in a trace) go to @out. */
static bool json_string(json *j, char *out, size_t outlen)
{
    if (j->p >= j->end || *j->p != '"')
        return false;
    const char *start = ++j->p;
    while (j->p < j->end && *j->p != '"') {
        if ((unsigned char)*j->p < 0x20 || *j->p == '\\')
            return false;
        j->p++;
    }
    if (j->p >= j->end)
        return false;
    size_t n = (size_t)(j->p - start);
    if (out) {
        if (n >= outlen)
            return false;
        memcpy(out, start, n);
        out[n] = 0;
    }
    j->p++;
    return true;
}

static bool json_number(json *j)
{
    const char *start = j->p;
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (j->p >= j->end || *j->p < '0' || *j->p > '9')
        return false;
    if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9')
        return false; /* no leading zeros */
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > start;
}

static bool json_array(json *j)
{
    j->p++;
    json_space(j);
    if (j->p < j->end && *j->p == ']')
        return j->p++, true;
    for (;;) {
        json_space(j);
        if (!json_value(j))
            return false;
        json_space(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        return j->p < j->end && *j->p++ == ']';
    }
}

static bool json_object(json *j)
{
    j->p++;
    json_space(j);
    if (j->p < j->end && *j->p == '}')
        return j->p++, true;
    for (;;) {
        json_space(j);
        if (!json_string(j, NULL, 0))
            return false;
        json_space(j);
        if (j->p >= j->end || *j->p++ != ':')
            return false;
        json_space(j);
        if (!json_value(j))
            return false;
        json_space(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        return j->p < j->end && *j->p++ == '}';
    }
}

static bool json_value(json *j)
{
    if (j->p >= j->end)
        return false;
    switch (*j->p) {
    case '{': return json_object(j);
    case '[': return json_array(j);
    case '"': return json_string(j, NULL, 0);
    case 't': return json_literal(j, "true");
    case 'f': return json_literal(j, "false");
    case 'n': return json_literal(j, "null");
    default: return json_number(j);
    }
}

/* --- reading the trace's fields back --- */

/* Position @j just after "key": in a line already known to be valid JSON. */
static bool seek_key(json *j, const char *line, const char *end, const char *key)
{
    char pattern[32];
    snprintf(pattern, sizeof(pattern), "\"%s\":", key);
    const char *at = memmem(line, (size_t)(end - line), pattern, strlen(pattern));
    if (!at)
        return false;
    j->p = at + strlen(pattern);
    j->end = end;
    return true;
}

static uint64_t read_hex(json *j)
{
    char s[40];
    FUZZ_CHECK(json_string(j, s, sizeof(s)) && s[0] == '0' && s[1] == 'x', "hex string");
    char *e;
    uint64_t v = strtoull(s + 2, &e, 16);
    FUZZ_CHECK(*e == 0 && e > s + 2, "hex digits in '%s'", s);
    return v;
}

static uint64_t read_decimal(json *j)
{
    char *e;
    uint64_t v = strtoull(j->p, &e, 10);
    FUZZ_CHECK(e > j->p, "decimal");
    j->p = e;
    return v;
}

static void check_line(const char *line, const char *end, const phc_call *want)
{
    json j = { line, end };
    FUZZ_CHECK(*line == '{' && json_object(&j) && j.p == end, "not one JSON object: %.*s",
               (int)(end - line), line);
    FUZZ_CHECK(seek_key(&j, line, end, "seq") && read_decimal(&j) == want->seq, "seq");
    FUZZ_CHECK(seek_key(&j, line, end, "vcpu") && read_decimal(&j) == want->vcpu, "vcpu");
    char arch[32];
    FUZZ_CHECK(seek_key(&j, line, end, "arch") && json_string(&j, arch, sizeof(arch)) &&
                   strcmp(arch, want->abi->name) == 0, "arch");
    FUZZ_CHECK(seek_key(&j, line, end, "nr") && read_hex(&j) == want->nr, "nr");
    FUZZ_CHECK(seek_key(&j, line, end, "args") && *j.p++ == '[', "args");
    for (unsigned i = 0; i < PHC_NARGS; i++) {
        FUZZ_CHECK(read_hex(&j) == want->args[i], "arg %u", i);
        FUZZ_CHECK(*j.p++ == (i + 1 < PHC_NARGS ? ',' : ']'), "args list");
    }
    FUZZ_CHECK(seek_key(&j, line, end, "ret") && read_hex(&j) == want->ret, "ret");
    FUZZ_CHECK(seek_key(&j, line, end, "handled") &&
                   json_literal(&j, want->handled ? "true" : "false"), "handled");
}

/* --- the target --- */

typedef struct writer {
    pthread_t thread;
    phc_trace *trace;
    phc_call *calls;
    size_t first, n, step;
} writer;

static void *write_records(void *arg)
{
    writer *w = arg;
    for (size_t i = w->first; i < w->n; i += w->step)
        FUZZ_CHECK(phc_trace_write(w->trace, &w->calls[i]) == 0, "write");
    return NULL;
}

static void check_format_sizes(const phc_call *c)
{
    char full[512], part[512];
    int n = phc_trace_format(full, sizeof(full), c);
    FUZZ_CHECK(n > 0 && (size_t)n < sizeof(full), "record length %d", n);
    FUZZ_CHECK(strlen(full) == (size_t)n, "length");
    for (size_t size = 0; size <= (size_t)n + 1; size += 1 + size / 4) {
        memset(part, 'X', sizeof(part));
        FUZZ_CHECK(phc_trace_format(size ? part : NULL, size, c) == n, "size %zu", size);
        if (size)
            FUZZ_CHECK(strlen(part) == (size <= (size_t)n ? size - 1 : (size_t)n) &&
                           strncmp(part, full, strlen(part)) == 0, "truncated at %zu", size);
        FUZZ_CHECK(part[size] == 'X' || size == 0, "wrote past %zu", size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = { data, size, 0 };
    uint8_t mode = fuzz_u8(&in);
    static phc_call calls[MAX_RECORDS];
    size_t n = 0;
    while (n < MAX_RECORDS && fuzz_left(&in) > 0) {
        phc_call *c = &calls[n++];
        memset(c, 0, sizeof(*c));
        c->seq = fuzz_u64(&in); /* overwritten by the writer */
        c->vcpu = (unsigned)fuzz_take(&in, 4);
        c->abi = phc_abi_get((phc_arch)(fuzz_u8(&in) % PHC_ARCH_COUNT));
        c->nr = fuzz_u64(&in);
        for (unsigned i = 0; i < PHC_NARGS; i++)
            c->args[i] = fuzz_u64(&in);
        c->ret = fuzz_u64(&in);
        c->handled = fuzz_u8(&in) & 1;
        check_format_sizes(c);
    }

    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    phc_trace *t = phc_trace_new(stream);
    FUZZ_CHECK(stream && t, "trace");
    size_t nthreads = mode & 1 ? 2 : 1;
    writer w[2];
    for (size_t i = 0; i < nthreads; i++) {
        w[i] = (writer){ .trace = t, .calls = calls, .first = i, .n = n, .step = nthreads };
        FUZZ_CHECK(pthread_create(&w[i].thread, NULL, write_records, &w[i]) == 0, "thread");
    }
    for (size_t i = 0; i < nthreads; i++)
        pthread_join(w[i].thread, NULL);
    FUZZ_CHECK(phc_trace_close(t) == 0, "close");
    fclose(stream);

    /* The writer numbered the records: find each line's record by its seq. */
    const phc_call *by_seq[MAX_RECORDS] = { 0 };
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(calls[i].seq < n && !by_seq[calls[i].seq], "seq %" PRIu64 " given twice or out of range", calls[i].seq);
        by_seq[calls[i].seq] = &calls[i];
    }
    size_t lines = 0;
    for (const char *p = text; p < text + len; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(text + len - p));
        FUZZ_CHECK(nl && lines < n, "line %zu", lines);
        check_line(p, nl, by_seq[lines]);
        p = nl + 1;
    }
    FUZZ_CHECK(lines == n, "%zu lines for %zu records", lines, n);
    free(text);
    return 0;
}
