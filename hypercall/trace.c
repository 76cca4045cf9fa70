/* The JSON Lines trace sink every frontend writes through. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <phc/trace.h>

struct phc_trace {
    pthread_mutex_t lock;
    FILE *f;
    bool owned;
    bool failed;
    uint64_t seq;
};

static phc_trace *trace_wrap(FILE *f, bool owned)
{
    phc_trace *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    t->f = f;
    t->owned = owned;
    return t;
}

phc_trace *phc_trace_open(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    phc_trace *t = trace_wrap(f, true);
    if (!t) {
        fclose(f);
        errno = ENOMEM;
    }
    return t;
}

phc_trace *phc_trace_new(FILE *stream)
{
    return trace_wrap(stream, false);
}

int phc_trace_format(char *buf, size_t size, const phc_call *c)
{
    const uint64_t *a = c->args;
    return snprintf(buf, size,
                    "{\"seq\":%" PRIu64 ",\"vcpu\":%u,\"arch\":\"%s\",\"nr\":\"0x%" PRIx64 "\","
                    "\"args\":[\"0x%" PRIx64 "\",\"0x%" PRIx64 "\",\"0x%" PRIx64 "\",\"0x%" PRIx64
                    "\",\"0x%" PRIx64 "\",\"0x%" PRIx64 "\"],\"ret\":\"0x%" PRIx64 "\",\"handled\":%s}",
                    c->seq, c->vcpu, c->abi->name, c->nr, a[0], a[1], a[2], a[3], a[4], a[5],
                    c->ret, c->handled ? "true" : "false");
}

int phc_trace_write(phc_trace *t, phc_call *call)
{
    char line[512];
    pthread_mutex_lock(&t->lock);
    call->seq = t->seq++;
    int n = phc_trace_format(line, sizeof(line), call);
    if (fprintf(t->f, "%s\n", line) != n + 1)
        t->failed = true;
    bool failed = t->failed;
    pthread_mutex_unlock(&t->lock);
    return failed ? -1 : 0;
}

int phc_trace_flush(phc_trace *t)
{
    pthread_mutex_lock(&t->lock);
    if (fflush(t->f) != 0)
        t->failed = true;
    bool failed = t->failed;
    pthread_mutex_unlock(&t->lock);
    return failed ? -1 : 0;
}

int phc_trace_close(phc_trace *t)
{
    if (!t)
        return 0;
    int rc = phc_trace_flush(t);
    if (t->owned && fclose(t->f) != 0)
        rc = -1;
    pthread_mutex_destroy(&t->lock);
    free(t);
    return rc;
}
