/*
 * The Penguin dispatcher. Numbers are normalised once by the guest's width
 * (phc_nr_key), so a handler is registered once, not in four forms.
 *
 * Concurrency: a reader-sharded lock. Each vCPU takes only its own shard's
 * mutex (its own cache line) to look up and count a call, so vCPUs never
 * contend with each other; registration takes every shard, so it waits for
 * calls in flight and the handler table never changes under a reader.
 */
#include <glib.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <phc/dispatcher.h>
#include <phc/trace.h>

#define SHARDS 16

typedef struct handler {
    uint64_t key; /* first: the hash table's key points here */
    phc_handler_fn fn;
    void *opaque;
} handler;

typedef struct counter {
    uint64_t key;
    uint64_t n;
} counter;

typedef struct shard {
    pthread_mutex_t lock;
    /* key -> counter for registered numbers only, so a guest spraying
     * numbers cannot grow it; touched under this shard's lock */
    GHashTable *counts;
    uint64_t total;
    uint64_t unclaimed;
} __attribute__((aligned(64))) shard;

struct phc_dispatcher {
    shard shards[SHARDS];
    GHashTable *handlers; /* key -> handler; changed only with every shard held */
    handler fallback;
    phc_trace *trace;
};

uint64_t phc_nr_key(uint64_t nr, unsigned nr_bits)
{
    nr = phc_abi_mask(nr_bits, nr);
    uint64_t low = (uint32_t)nr;
    if (nr == low || nr == (uint64_t)(int64_t)(int32_t)low)
        return low;
    return nr;
}

phc_dispatcher *phc_dispatcher_new(void)
{
    phc_dispatcher *d = aligned_alloc(_Alignof(phc_dispatcher), sizeof(*d));
    if (!d)
        abort();
    *d = (phc_dispatcher){ 0 };
    for (unsigned i = 0; i < SHARDS; i++) {
        pthread_mutex_init(&d->shards[i].lock, NULL);
        d->shards[i].counts = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    }
    d->handlers = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    return d;
}

void phc_dispatcher_free(phc_dispatcher *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < SHARDS; i++) {
        pthread_mutex_destroy(&d->shards[i].lock);
        g_hash_table_destroy(d->shards[i].counts);
    }
    g_hash_table_destroy(d->handlers);
    free(d);
}

static void lock_all(phc_dispatcher *d)
{
    for (unsigned i = 0; i < SHARDS; i++)
        pthread_mutex_lock(&d->shards[i].lock);
}

static void unlock_all(phc_dispatcher *d)
{
    for (unsigned i = SHARDS; i-- > 0;)
        pthread_mutex_unlock(&d->shards[i].lock);
}

bool phc_dispatcher_register(phc_dispatcher *d, uint64_t nr, phc_handler_fn fn, void *opaque)
{
    handler *h = g_new(handler, 1);
    *h = (handler){ .key = phc_nr_key(nr, 64), .fn = fn, .opaque = opaque };
    lock_all(d);
    bool fresh = !g_hash_table_contains(d->handlers, &h->key);
    if (fresh)
        g_hash_table_insert(d->handlers, &h->key, h);
    unlock_all(d);
    if (!fresh)
        g_free(h);
    return fresh;
}

bool phc_dispatcher_unregister(phc_dispatcher *d, uint64_t nr)
{
    uint64_t key = phc_nr_key(nr, 64);
    lock_all(d);
    bool removed = g_hash_table_remove(d->handlers, &key);
    unlock_all(d);
    return removed;
}

void phc_dispatcher_set_fallback(phc_dispatcher *d, phc_handler_fn fn, void *opaque)
{
    lock_all(d);
    d->fallback = (handler){ .fn = fn, .opaque = opaque };
    unlock_all(d);
}

void phc_dispatcher_set_trace(phc_dispatcher *d, phc_trace *trace)
{
    lock_all(d);
    d->trace = trace;
    unlock_all(d);
}

static void count(shard *s, uint64_t key)
{
    counter *c = g_hash_table_lookup(s->counts, &key);
    if (!c) {
        c = g_new0(counter, 1);
        c->key = key;
        g_hash_table_insert(s->counts, &c->key, c);
    }
    c->n++;
}

phc_dispatch_result phc_dispatch(phc_dispatcher *d, phc_vcpu *cpu)
{
    phc_call call;
    phc_call_read(&call, cpu);
    uint64_t key = phc_nr_key(call.nr, cpu->abi->nr_bits);

    shard *s = &d->shards[cpu->index % SHARDS];
    pthread_mutex_lock(&s->lock);
    s->total++;
    const handler *h = g_hash_table_lookup(d->handlers, &key);
    if (h) {
        count(s, key);
    } else {
        s->unclaimed++;
        h = &d->fallback;
    }
    uint64_t value = 0;
    phc_verdict v = h->fn ? h->fn(cpu, &call, &value, h->opaque) : PHC_UNHANDLED;
    phc_trace *trace = d->trace;
    pthread_mutex_unlock(&s->lock);

    if (v == PHC_HANDLED)
        phc_vcpu_set_slot(cpu, PHC_SLOT_RET, value);
    call.handled = v != PHC_UNHANDLED;
    call.ret = phc_vcpu_get_slot(cpu, PHC_SLOT_RET);
    if (trace)
        phc_trace_write(trace, &call);
    return (phc_dispatch_result){ .verdict = v, .status = v == PHC_STOP ? value : 0 };
}

uint64_t phc_dispatcher_count(phc_dispatcher *d, uint64_t nr)
{
    uint64_t key = phc_nr_key(nr, 64), n = 0;
    lock_all(d);
    for (unsigned i = 0; i < SHARDS; i++) {
        const counter *c = g_hash_table_lookup(d->shards[i].counts, &key);
        n += c ? c->n : 0;
    }
    unlock_all(d);
    return n;
}

static uint64_t sum(phc_dispatcher *d, size_t field)
{
    uint64_t n = 0;
    lock_all(d);
    for (unsigned i = 0; i < SHARDS; i++)
        n += *(const uint64_t *)((const char *)&d->shards[i] + field);
    unlock_all(d);
    return n;
}

uint64_t phc_dispatcher_total(phc_dispatcher *d)
{
    return sum(d, offsetof(shard, total));
}

uint64_t phc_dispatcher_unclaimed(phc_dispatcher *d)
{
    return sum(d, offsetof(shard, unclaimed));
}
