/*
 * Runs one guest through the TCG frontend (tcg_accel_run) with the built-ins
 * and a recording handler for the mechanism tests' own numbers, then checks
 * how it ended, which calls were dispatched and how many sentinel hooks the
 * frontend placed.
 *
 *   tcg-guest GUEST.elf [--status N] [--calls NR,NR,...] [--args NR:A0:A1:A2:A3]
 *             [--hooks N] [--insn-limit N] [--seconds N] [--end exit|limit|fault|...]
 *
 * A watchdog ends the run through phc_cancel after --seconds (default 20),
 * so a guest whose exit call is missed fails quickly, and a test can ask
 * for the time limit on purpose.
 *
 * Numbers from MECH_NR_FIRST to MECH_NR_LAST are recorded and answered with
 * nr + MECH_ANSWER_OFFSET; every call to any of them is listed in order and
 * must equal --calls exactly. No call may go unclaimed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <phc/builtins.h>
#include "../../accel/tcg/tcg.h"
#include "mech.h"

#define MAX_CALLS 64

typedef struct record {
    unsigned n;
    uint64_t nr[MAX_CALLS];
    uint64_t args[MAX_CALLS][4];
} record;

static phc_verdict on_mech(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    (void)cpu;
    record *r = opaque;
    if (r->n < MAX_CALLS) {
        r->nr[r->n] = call->nr;
        memcpy(r->args[r->n], call->args, sizeof(r->args[0]));
    }
    r->n++;
    *value = call->nr + MECH_ANSWER_OFFSET;
    return PHC_HANDLED;
}

typedef struct watchdog {
    phc_cancel *cancel;
    unsigned seconds;
} watchdog;

static void *watch(void *arg)
{
    watchdog *w = arg;
    sleep(w->seconds);
    phc_cancel_request(w->cancel, PHC_END_LIMIT);
    return NULL;
}

static int fail(const char *fmt, const char *what)
{
    fprintf(stderr, "tcg-guest: FAIL ");
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    return 1;
}

/* "a,b,c" -> numbers; returns the count. */
static unsigned parse_list(const char *s, uint64_t *out, unsigned max)
{
    unsigned n = 0;
    while (*s && n < max) {
        char *end;
        out[n++] = strtoull(s, &end, 0);
        s = *end == ',' ? end + 1 : end;
        if (end == s && *s)
            break;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: tcg-guest GUEST.elf [options]\n");
        return 2;
    }
    const char *elf = argv[1], *calls = NULL, *end_want = "exit";
    long status_want = 0, hooks_want = -1;
    uint64_t insn_limit = 0;
    unsigned seconds = 20;
    const char *args_want[8];
    unsigned nargs_want = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--status")) status_want = strtol(v, NULL, 0);
        else if (!strcmp(k, "--calls")) calls = v;
        else if (!strcmp(k, "--args") && nargs_want < 8) args_want[nargs_want++] = v;
        else if (!strcmp(k, "--hooks")) hooks_want = strtol(v, NULL, 0);
        else if (!strcmp(k, "--insn-limit")) insn_limit = strtoull(v, NULL, 0);
        else if (!strcmp(k, "--end")) end_want = v;
        else if (!strcmp(k, "--seconds")) seconds = (unsigned)strtoul(v, NULL, 0);
        else return fail("unknown option %s", k);
    }

    phc_image img;
    char err[256];
    if (phc_image_load_elf(elf, &img, err, sizeof(err)))
        return fail("%s", err);
    phc_dispatcher *d = phc_dispatcher_new();
    record rec = { 0 };
    phc_builtins_register(d, PHC_BUILTIN_ALL, stdout);
    for (uint64_t nr = MECH_NR_FIRST; nr <= MECH_NR_LAST; nr++)
        phc_dispatcher_register(d, nr, on_mech, &rec);

    phc_cancel cancel;
    phc_cancel_init(&cancel);
    watchdog w = { &cancel, seconds };
    pthread_t dog;
    pthread_create(&dog, NULL, watch, &w);

    phc_run_config cfg = {
        .abi = img.abi, .image = &img, .mem_size = 32u << 20, .smp = 1,
        .insn_limit = insn_limit, .dispatcher = d, .cancel = &cancel, .console = stdout,
    };
    phc_run_result res;
    tcg_stats stats;
    tcg_accel_run(&cfg, &res, &stats);
    /* The watchdog points into this frame: end it before the frame goes
     * (a slow exit, e.g. under ASan's leak check, let it fire after main). */
    pthread_cancel(dog);
    pthread_join(dog, NULL);
    fflush(stdout);
    printf("end %s status %d (%s); %u calls recorded; %u code hooks; %" PRIu64 " starts; %" PRIu64
           " blocks scanned\n",
           phc_end_name(res.end), res.status, res.reason, rec.n, stats.code_hooks, stats.starts,
           stats.blocks_scanned);
    for (unsigned i = 0; i < rec.n && i < MAX_CALLS; i++)
        printf("  call %#" PRIx64 " args %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64 "\n", rec.nr[i],
               rec.args[i][0], rec.args[i][1], rec.args[i][2], rec.args[i][3]);

    int bad = 0;
    char what[64];
    if (strcmp(phc_end_name(res.end), end_want))
        bad |= fail("the run ended as %s", phc_end_name(res.end));
    if (res.end == PHC_END_EXIT && res.status != status_want) {
        snprintf(what, sizeof(what), "%d, want %ld", res.status, status_want);
        bad |= fail("exit status %s", what);
    }
    if (phc_dispatcher_unclaimed(d))
        bad |= fail("%s", "a call nobody registered was dispatched");
    if (calls) {
        uint64_t want[MAX_CALLS];
        unsigned n = parse_list(calls, want, MAX_CALLS);
        bool same = n == rec.n;
        for (unsigned i = 0; same && i < n; i++)
            same = want[i] == rec.nr[i];
        if (!same)
            bad |= fail("the recorded calls are not %s", calls);
    }
    for (unsigned a = 0; a < nargs_want; a++) {
        uint64_t want[5];
        bool found = false;
        unsigned n = 0;
        for (const char *s = args_want[a]; *s && n < 5; n++) {
            char *e;
            want[n] = strtoull(s, &e, 0);
            s = *e == ':' ? e + 1 : e;
        }
        for (unsigned i = 0; n == 5 && i < rec.n && i < MAX_CALLS; i++)
            found |= rec.nr[i] == want[0] && !memcmp(rec.args[i], want + 1, sizeof(rec.args[i]));
        if (!found)
            bad |= fail("no call with nr:args %s", args_want[a]);
    }
    if (hooks_want >= 0 && stats.code_hooks != (unsigned)hooks_want) {
        snprintf(what, sizeof(what), "%u, want %ld", stats.code_hooks, hooks_want);
        bad |= fail("code hooks %s", what);
    }
    phc_dispatcher_free(d);
    phc_image_free(&img);
    return bad;
}
