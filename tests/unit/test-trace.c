/*
 * The trace sink's edges: errors are reported, never hidden; formatting
 * into a short buffer stays inside it; a borrowed stream stays open. The
 * format itself is checked by trace_check.py with an independent parser.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <phc/trace.h>
#include "check.h"

static phc_call sample_call(void)
{
    return (phc_call){
        .vcpu = 4294967295u,
        .abi = phc_abi_get(PHC_ARCH_LOONGARCH64),
        .nr = UINT64_MAX,
        .args = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX },
        .ret = UINT64_MAX,
        .handled = true,
    };
}

int main(void)
{
    errno = 0;
    CHECK(phc_trace_open("/nonexistent-phc-dir/trace.jsonl") == NULL, "opened a path in a missing dir");
    CHECK(errno == ENOENT, "errno %d after a failed open", errno);
    CHECK(phc_trace_close(NULL) == 0, "closing no trace");

    /* a full disk: the error surfaces by the time the trace is closed */
    phc_trace *full = phc_trace_open("/dev/full");
    CHECK(full != NULL, "open /dev/full");
    if (full) {
        int write_failed = 0;
        for (unsigned i = 0; i < 1000; i++) {
            phc_call c = sample_call();
            write_failed |= phc_trace_write(full, &c) != 0;
        }
        CHECK(write_failed, "1000 records to /dev/full all reported written");
        CHECK(phc_trace_close(full) == -1, "close after writes to /dev/full succeeded");
    }

    /* the longest record: every field at its widest */
    phc_call c = sample_call();
    c.seq = UINT64_MAX;
    char big[1024];
    int len = phc_trace_format(big, sizeof(big), &c);
    CHECK(len > 0 && (size_t)len == strlen(big), "format length %d vs %zu", len, strlen(big));
    for (int size = 0; size < len + 2; size += 7) {
        char buf[1024];
        memset(buf, '#', sizeof(buf));
        int n = phc_trace_format(buf, (size_t)size, &c);
        CHECK(n == len, "size %d: returned %d, want %d", size, n, len);
        CHECK(buf[size] == '#' && buf[size + 1] == '#', "size %d: wrote past the buffer", size);
        if (size > 0)
            CHECK(memchr(buf, '\0', (size_t)size) != NULL && strncmp(buf, big, (size_t)size - 1) == 0,
                  "size %d: not a terminated prefix", size);
    }

    /* a stream the trace borrows stays open and usable after close */
    char *mem = NULL;
    size_t mem_len = 0;
    FILE *stream = open_memstream(&mem, &mem_len);
    phc_trace *borrowed = phc_trace_new(stream);
    CHECK(borrowed && phc_trace_write(borrowed, &c) == 0, "write to a borrowed stream");
    CHECK(c.seq == 0, "first record's seq %" PRIu64, c.seq);
    CHECK(phc_trace_write(borrowed, &c) == 0 && c.seq == 1, "second record's seq %" PRIu64, c.seq);
    CHECK(phc_trace_close(borrowed) == 0, "close borrowed");
    CHECK(fputs("after\n", stream) >= 0 && fflush(stream) == 0, "stream closed by the trace");
    char want[2048];
    c.seq = 0;
    int n0 = phc_trace_format(want, sizeof(want), &c);
    want[n0] = '\n';
    c.seq = 1;
    int n1 = phc_trace_format(want + n0 + 1, sizeof(want) - (size_t)n0 - 1, &c);
    strcpy(want + n0 + 1 + n1, "\nafter\n");
    CHECK(mem_len == strlen(want) && memcmp(mem, want, mem_len) == 0, "the stream holds '%.*s'", (int)mem_len,
          mem);
    fclose(stream);
    free(mem);
    return check_report("test-trace");
}
