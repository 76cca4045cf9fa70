/*
 * The Penguin dispatcher. Numbers are normalised once by the guest's width
 * (phc_nr_key), so a handler is registered once, not in four forms.
 *
 * Concurrency: a reader-sharded lock. Each vCPU takes only its own shard's
 * mutex (its own cache line) to look up and count a call, so vCPUs never
 * contend with each other; registration takes every shard, so it waits for
 * calls in flight and the handler table never changes under a reader.
 *
 * Counting: every number ever registered gets a slot, kept across
 * unregister and re-register; each shard counts into its own array of
 * slots, so a call costs one hash lookup and one increment on the caller's
 * own cache lines. Numbers nobody registered share one "unclaimed" count,
 * so a guest spraying numbers cannot grow host memory.
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
    guint slot;
} handler;

typedef struct shard {
    pthread_mutex_t lock;
    uint64_t *counts; /* by slot; grown with every shard locked */
    uint64_t total;
    uint64_t unclaimed;
} __attribute__((aligned(64))) shard;

struct phc_dispatcher {
    shard shards[SHARDS];
    GHashTable *handlers; /* key -> handler; changed only with every shard held */
    GHashTable *slots;    /* key -> slot + 1, for every number ever registered */
    guint nslots;
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
    for (unsigned i = 0; i < SHARDS; i++)
        pthread_mutex_init(&d->shards[i].lock, NULL);
    d->handlers = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    d->slots = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    return d;
}

void phc_dispatcher_free(phc_dispatcher *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < SHARDS; i++) {
        pthread_mutex_destroy(&d->shards[i].lock);
        g_free(d->shards[i].counts);
    }
    g_hash_table_destroy(d->handlers);
    g_hash_table_destroy(d->slots);
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

/* The key's counter slot, made on first registration; every shard held. */
static guint slot_of(phc_dispatcher *d, uint64_t key)
{
    guint slot = GPOINTER_TO_UINT(g_hash_table_lookup(d->slots, &key));
    if (slot)
        return slot - 1;
    slot = d->nslots++;
    g_hash_table_insert(d->slots, g_memdup2(&key, sizeof(key)), GUINT_TO_POINTER(slot + 1));
    for (unsigned i = 0; i < SHARDS; i++) {
        d->shards[i].counts = g_renew(uint64_t, d->shards[i].counts, d->nslots);
        d->shards[i].counts[slot] = 0;
    }
    return slot;
}

bool phc_dispatcher_register(phc_dispatcher *d, uint64_t nr, phc_handler_fn fn, void *opaque)
{
    handler *h = g_new(handler, 1);
    *h = (handler){ .key = phc_nr_key(nr, 64), .fn = fn, .opaque = opaque };
    lock_all(d);
    bool fresh = !g_hash_table_contains(d->handlers, &h->key);
    if (fresh) {
        h->slot = slot_of(d, h->key);
        g_hash_table_insert(d->handlers, &h->key, h);
    }
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
        s->counts[h->slot]++;
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
    guint slot = GPOINTER_TO_UINT(g_hash_table_lookup(d->slots, &key));
    for (unsigned i = 0; slot && i < SHARDS; i++)
        n += d->shards[i].counts[slot - 1];
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
