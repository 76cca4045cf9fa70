/*
 * Accelerators behind one ops table: the runner picks one by name and hands
 * it a guest; each one funnels hypercalls into the same dispatcher.
 */
#ifndef PHC_ACCEL_H
#define PHC_ACCEL_H

#include <stdio.h>
#include <pthread.h>
#include <phc/dispatcher.h>
#include <phc/image.h>

typedef enum phc_end {
    PHC_END_EXIT,   /* the guest made the exit call: status is its own */
    PHC_END_HALT,   /* the guest halted with no way to wake (x86 HLT, IF=0) */
    PHC_END_LIMIT,  /* the instruction or time limit ran out */
    PHC_END_SIGNAL, /* the user interrupted the run (SIGINT, SIGTERM) */
    PHC_END_FAULT,  /* the guest did something the machine cannot go on from */
    PHC_END_ERROR,  /* the host side failed (set-up, KVM, engine) */
} phc_end;

const char *phc_end_name(phc_end end);

/*
 * A request to end a running guest, from any thread (signal waiter, time
 * watchdog). The accelerator installs a kick that makes its vCPUs notice.
 */
typedef struct phc_cancel {
    pthread_mutex_t lock;
    bool requested;
    phc_end why;
    void (*kick)(void *arg);
    void *kick_arg;
} phc_cancel;

void phc_cancel_init(phc_cancel *c);
void phc_cancel_request(phc_cancel *c, phc_end why);
/* Install (or with NULL remove) the kick; runs it at once if already requested. */
void phc_cancel_set_kick(phc_cancel *c, void (*kick)(void *), void *arg);
bool phc_cancel_requested(phc_cancel *c, phc_end *why);

/* One KEY=VALUE of -accel NAME,KEY=VALUE,...; each accelerator lists the
 * keys it takes, so the runner refuses any other before the guest starts. */
typedef struct phc_accel_prop {
    const char *key, *value;
} phc_accel_prop;

typedef struct phc_run_config {
    const phc_abi *abi;        /* the -arch row (x86: the mode at reset) */
    const phc_image *image;
    uint64_t mem_size;         /* guest RAM at guest physical 0 */
    unsigned smp;              /* vCPUs, 1 or more */
    uint64_t insn_limit;       /* 0: none (TCG only) */
    phc_dispatcher *dispatcher;
    phc_cancel *cancel;        /* time limit and signals arrive here */
    FILE *console;             /* guest serial output */
    /* non-NULL: a Linux kernel to boot instead of image (phc-run's
     * -kernel bzImage; the type is internal to phc, accel/linux-guest.h) */
    const struct phc_linux_guest *linux_guest;
    const phc_accel_prop *props; /* nprops accelerator properties */
    size_t nprops;
} phc_run_config;

/* The value of property @key, or @fallback when it was not given. */
const char *phc_run_config_prop(const phc_run_config *cfg, const char *key, const char *fallback);

typedef struct phc_run_result {
    phc_end end;
    int status;       /* PHC_END_EXIT: the guest's status & 0xff */
    char reason[256]; /* one line, for every end but a clean exit */
} phc_run_result;

typedef struct phc_accel {
    const char *name;
    const char *const *prop_keys; /* NULL-terminated: the -accel properties it takes */
    /* NULL if this accelerator can run @arch here, else a one-line reason. */
    const char *(*unsupported)(phc_arch arch);
    /* Runs the guest to its end; the result says how it ended. */
    void (*run)(const phc_run_config *cfg, phc_run_result *res);
} phc_accel;

extern const phc_accel phc_accel_tcg;
extern const phc_accel phc_accel_kvm;

/*
 * How a run ended once the vCPUs have stopped: @own if the machine ended it
 * itself (exit call, fault, halt), else the cancel request that stopped it,
 * else a host error: vCPUs that stop for no reason are a bug, not an end.
 */
void phc_run_result_settle(phc_run_result *res, const phc_run_result *own, phc_cancel *cancel);

/* Fill @res with an end and a printf-style reason. */
void phc_run_result_set(phc_run_result *res, phc_end end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
