/*
 * phc_accel_tcg: finds the engine entry for a row (x86.c's and arm.c's
 * lists, else scan.c's entries), refuses a run no entry can take, and
 * hands the rest to tcg_run.
 */
#include <pthread.h>
#include <stdio.h>
#include "tcg.h"
#include "../../target-hooks/target.h"

static const tcg_arch_list *const engine_files[] = { &tcg_x86_arches, &tcg_arm_arches };

static const tcg_arch *entry_for(phc_arch arch)
{
    for (size_t f = 0; f < sizeof(engine_files) / sizeof(engine_files[0]); f++)
        for (size_t i = 0; i < engine_files[f]->n; i++)
            if (engine_files[f]->arches[i].arch == arch)
                return &engine_files[f]->arches[i];
    return tcg_scan_entry(arch);
}

/* "no TCG engine here runs <target>", for every row no engine file lists */
static char no_engine[PHC_ARCH_COUNT][120];
static pthread_once_t no_engine_once = PTHREAD_ONCE_INIT;

static void word_no_engine(void)
{
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const char *target = phc_target_of(a)->name;
        snprintf(no_engine[a], sizeof(no_engine[a]), "no TCG engine here runs %s (Unicorn 2.0.1 has no %s target)",
                 target, target);
    }
}

static const char *tcg_unsupported(phc_arch arch)
{
    if ((unsigned)arch >= PHC_ARCH_COUNT)
        return "the TCG frontend does not know this architecture";
    const tcg_arch *a = entry_for(arch);
    if (!a) {
        pthread_once(&no_engine_once, word_no_engine);
        return no_engine[arch];
    }
    if (a->refusal)
        return a->refusal;
    uc_engine *uc;
    if (tcg_open_engine(a, &uc) != UC_ERR_OK)
        return "this Unicorn build cannot open an engine for this architecture";
    uc_close(uc);
    return NULL;
}

void tcg_accel_run(const phc_run_config *cfg, phc_run_result *res, tcg_stats *stats)
{
    *res = (phc_run_result){ .end = PHC_END_ERROR };
    if (stats)
        *stats = (tcg_stats){ 0 };
    const char *why = tcg_unsupported(cfg->abi->arch);
    if (why) {
        phc_run_result_set(res, PHC_END_ERROR, "-accel tcg -arch %s: %s", cfg->abi->name, why);
        return;
    }
    if (cfg->linux_guest) {
        phc_run_result_set(res, PHC_END_ERROR, "-accel tcg cannot boot a Linux bzImage; use -accel kvm");
        return;
    }
    if (cfg->smp > 1) {
        phc_run_result_set(res, PHC_END_ERROR,
                           "-smp %u: the TCG frontend runs one vCPU (one Unicorn engine is one CPU)", cfg->smp);
        return;
    }
    tcg_run(entry_for(cfg->abi->arch), cfg, res, stats);
}

static void run(const phc_run_config *cfg, phc_run_result *res)
{
    tcg_accel_run(cfg, res, NULL);
}

const phc_accel phc_accel_tcg = {
    .name = "tcg",
    .unsupported = tcg_unsupported,
    .run = run,
};
