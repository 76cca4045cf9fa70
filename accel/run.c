/* What every accelerator shares: how a run ends and how it is asked to end. */
#include <stdarg.h>
#include <string.h>
#include <phc/accel.h>

const char *phc_end_name(phc_end end)
{
    static const char *const names[] = {
        [PHC_END_EXIT] = "exit",     [PHC_END_HALT] = "halt",   [PHC_END_LIMIT] = "limit",
        [PHC_END_SIGNAL] = "signal", [PHC_END_FAULT] = "fault", [PHC_END_ERROR] = "error",
    };
    return (unsigned)end <= PHC_END_ERROR ? names[end] : "?";
}

const char *phc_run_config_prop(const phc_run_config *cfg, const char *key, const char *fallback)
{
    for (size_t i = cfg->nprops; i-- > 0;) /* the last one given wins, as in QEMU */
        if (!strcmp(cfg->props[i].key, key))
            return cfg->props[i].value;
    return fallback;
}

void phc_run_result_set(phc_run_result *res, phc_end end, const char *fmt, ...)
{
    va_list ap;
    res->end = end;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
    va_end(ap);
}

void phc_cancel_init(phc_cancel *c)
{
    *c = (phc_cancel){ .why = PHC_END_LIMIT };
    pthread_mutex_init(&c->lock, NULL);
}

void phc_cancel_request(phc_cancel *c, phc_end why)
{
    pthread_mutex_lock(&c->lock);
    if (!c->requested) {
        c->requested = true;
        c->why = why;
    }
    if (c->kick)
        c->kick(c->kick_arg);
    pthread_mutex_unlock(&c->lock);
}

void phc_cancel_set_kick(phc_cancel *c, void (*kick)(void *), void *arg)
{
    pthread_mutex_lock(&c->lock);
    c->kick = kick;
    c->kick_arg = arg;
    if (kick && c->requested)
        kick(arg);
    pthread_mutex_unlock(&c->lock);
}

bool phc_cancel_requested(phc_cancel *c, phc_end *why)
{
    pthread_mutex_lock(&c->lock);
    bool r = c->requested;
    if (r && why)
        *why = c->why;
    pthread_mutex_unlock(&c->lock);
    return r;
}

void phc_run_result_settle(phc_run_result *res, const phc_run_result *own, phc_cancel *cancel)
{
    phc_end why;
    if (own)
        *res = *own;
    else if (cancel && phc_cancel_requested(cancel, &why))
        phc_run_result_set(res, why, why == PHC_END_SIGNAL ? "interrupted by a signal" : "the time limit ran out");
    else
        phc_run_result_set(res, PHC_END_ERROR, "the vCPUs stopped without a reason");
}
