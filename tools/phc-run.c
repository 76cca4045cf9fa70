/*
 * phc-run: load a guest, pick an accelerator, catch its hypercalls.
 * Flags follow QEMU (-accel, -kernel, -m, -smp); `--flag` works as `-flag`.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <phc/accel.h>
#include <phc/builtins.h>
#include <phc/qemu.h>
#include <phc/trace.h>
#include "phc-python.h"
#include "../accel/linux-guest.h"

/* Exit statuses for ends that are not the guest's own exit call. */
enum { EXIT_LIMIT = 124, EXIT_FAULT = 125, EXIT_HOST = 126, EXIT_SIGNAL = 130, EXIT_USAGE = 2 };

/* Weak: a build without Unicorn or without KVM headers lacks one of them. */
extern const phc_accel phc_accel_tcg __attribute__((weak));
extern const phc_accel phc_accel_kvm __attribute__((weak));
/* Weak too: a build without python3-embed has no --handlers. */
#pragma weak phc_python_load
#pragma weak phc_python_finish

enum { MAX_ACCEL_PROPS = 8 };

/* Which TCG engine: Unicorn in this process, or the patched QEMU. */
typedef enum engine { ENGINE_AUTO, ENGINE_UNICORN, ENGINE_QEMU } engine;

typedef struct options {
    const char *accel, *arch, *kernel, *trace;
    phc_accel_prop props[MAX_ACCEL_PROPS]; /* -accel NAME,KEY=VALUE,... */
    size_t nprops;
    engine engine;
    const char *initrd, *append; /* a Linux bzImage's initramfs and command line */
    uint64_t load_addr, mem_size, insn_limit;
    bool have_load_addr, builtins, summary;
    unsigned smp;
    double time_limit;
    const char **handlers; /* --handlers files, in order */
    size_t nhandlers;
} options;

static const char usage[] =
    "usage: phc-run -kernel FILE [options]\n"
    "Run a guest and catch its Penguin hypercalls.\n"
    "\n"
    "  -accel tcg|kvm       accelerator (default tcg)\n"
    "  -accel kvm,device=PATH  the KVM device (default /dev/kvm)\n"
    "  -accel tcg,engine=E  TCG engine: unicorn, or qemu (the patched QEMU; picked by\n"
    "                       itself for rows Unicorn cannot run and for Linux kernels)\n"
    "  -arch NAME           guest architecture; taken from the ELF header when omitted\n"
    "                       (%s)\n"
    "  -kernel FILE         guest: an ELF executable, or a raw binary with -load-addr,\n"
    "                       or a Linux kernel (x86_64 bzImage under -accel kvm; any\n"
    "                       row with a QEMU machine under -accel tcg)\n"
    "  -initrd FILE         the Linux kernel's initramfs\n"
    "  -append CMDLINE      the Linux kernel's command line, e.g. \"console=ttyS0\"\n"
    "  -load-addr ADDR      load FILE as a raw binary at ADDR and start there\n"
    "  -m SIZE              guest RAM from address 0, e.g. 64M (default 32M)\n"
    "  -smp N               vCPUs (default 1; more than 1 needs -accel kvm)\n"
    "  --trace FILE         write every hypercall to FILE as JSON Lines\n"
    "  --time-limit SEC     end the guest after SEC seconds (exit 124)\n"
    "  --insn-limit N       end the guest after N instructions (tcg only; slows it)\n"
    "  --no-builtins        register no built-in hypercall (test, console, exit)\n"
    "  --handlers FILE.py   Python hypercall handlers (docs/python.md); repeatable,\n"
    "                       over the built-ins\n"
    "  --summary            print a one-line summary of the run on stderr\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: the guest's exit-call status; 124 limit, 125 guest fault or halt,\n"
    "126 host error, 130 interrupted, 2 bad usage.\n";

static void die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void die(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("phc-run: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(status);
}

static uint64_t parse_number(const char *flag, const char *s, bool sized)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    unsigned shift = 0;
    if (sized && *end) {
        const char *units = "KMGT";
        const char *u = strchr(units, *end & ~0x20);
        if (!u || end[1])
            die(EXIT_USAGE, "%s: '%s' is not a size (e.g. 64M)", flag, s);
        shift = 10 * (unsigned)(u - units + 1);
        end++;
    }
    if (errno || end == s || *end || s[0] == '-' || (shift && v > (UINT64_MAX >> shift)))
        die(EXIT_USAGE, "%s: '%s' is not a valid number", flag, s);
    return (uint64_t)v << shift;
}

/* -accel NAME[,KEY=VALUE...]: the name, then properties the accelerator
 * checks (pick_accel). The strings stay in argv. */
static void parse_accel(options *o, char *arg)
{
    char *save = NULL;
    o->accel = strtok_r(arg, ",", &save);
    if (!o->accel)
        die(EXIT_USAGE, "-accel: no accelerator named (tcg or kvm)");
    o->nprops = 0;
    for (char *kv; (kv = strtok_r(NULL, ",", &save));) {
        char *eq = strchr(kv, '=');
        if (!eq || eq == kv || !eq[1])
            die(EXIT_USAGE, "-accel %s: '%s' is not KEY=VALUE", o->accel, kv);
        if (o->nprops == MAX_ACCEL_PROPS)
            die(EXIT_USAGE, "-accel %s: more than %d properties", o->accel, MAX_ACCEL_PROPS);
        *eq = '\0';
        o->props[o->nprops++] = (phc_accel_prop){ .key = kv, .value = eq + 1 };
    }
}

/* tcg's engine=unicorn|qemu is the runner's choice of engine, not a
 * property of the in-process frontend: take it out of the list. */
static void take_engine(options *o)
{
    size_t kept = 0;
    for (size_t i = 0; i < o->nprops; i++) {
        const phc_accel_prop *p = &o->props[i];
        if (strcmp(p->key, "engine") != 0) {
            o->props[kept++] = *p;
            continue;
        }
        if (strcmp(o->accel, "tcg") != 0)
            die(EXIT_USAGE, "-accel %s: engine= is a tcg property", o->accel);
        if (!strcmp(p->value, "qemu"))
            o->engine = ENGINE_QEMU;
        else if (!strcmp(p->value, "unicorn"))
            o->engine = ENGINE_UNICORN;
        else
            die(EXIT_USAGE, "-accel tcg: engine=%s is not an engine (qemu or unicorn)", p->value);
    }
    o->nprops = kept;
}

static options parse(int argc, char **argv)
{
    options o = { .accel = "tcg", .mem_size = 32ull << 20, .smp = 1, .builtins = true };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-')
            a++;
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKES(name) (strcmp(a, name) == 0 && (v ? (i++, true) : (die(EXIT_USAGE, "%s needs a value", name), false)))
        if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
            printf(usage, phc_abi_names());
            exit(0);
        } else if (!strcmp(a, "-no-builtins")) {
            o.builtins = false;
        } else if (!strcmp(a, "-summary")) {
            o.summary = true;
        } else if (TAKES("-accel")) {
            parse_accel(&o, argv[i]); /* v, writable */
            take_engine(&o);
        } else if (TAKES("-arch")) {
            o.arch = v;
        } else if (TAKES("-kernel")) {
            o.kernel = v;
        } else if (TAKES("-initrd")) {
            o.initrd = v;
        } else if (TAKES("-append")) {
            o.append = v;
        } else if (TAKES("-trace")) {
            o.trace = v;
        } else if (TAKES("-load-addr")) {
            o.load_addr = parse_number(a, v, false);
            o.have_load_addr = true;
        } else if (TAKES("-m")) {
            o.mem_size = parse_number(a, v, true);
        } else if (TAKES("-smp")) {
            uint64_t n = parse_number(a, v, false);
            if (n < 1 || n > 64)
                die(EXIT_USAGE, "-smp: %s vCPUs; 1 to 64 are supported", v);
            o.smp = (unsigned)n;
        } else if (TAKES("-insn-limit")) {
            o.insn_limit = parse_number(a, v, false);
        } else if (TAKES("-handlers")) {
            if (!o.handlers && !(o.handlers = calloc((size_t)argc, sizeof(*o.handlers))))
                die(EXIT_HOST, "out of memory");
            o.handlers[o.nhandlers++] = v;
        } else if (TAKES("-time-limit")) {
            char *end;
            o.time_limit = strtod(v, &end);
            if (end == v || *end || !(o.time_limit > 0 && o.time_limit < 1e7))
                die(EXIT_USAGE, "--time-limit: '%s' is not a number of seconds", v);
        } else {
            die(EXIT_USAGE, "unknown option '%s' (see --help)", argv[i]);
        }
#undef TAKES
    }
    if (!o.kernel)
        die(EXIT_USAGE, "no guest: give -kernel FILE (see --help)");
    if (o.mem_size < 4096 || o.mem_size % 4096)
        die(EXIT_USAGE, "-m: guest RAM must be a non-zero multiple of 4 KiB");
    return o;
}

static bool takes_prop(const phc_accel *a, const char *key)
{
    for (const char *const *k = a->prop_keys; k && *k; k++)
        if (!strcmp(*k, key))
            return true;
    return false;
}

static const phc_accel *pick_accel(const options *o)
{
    const char *name = o->accel;
    const phc_accel *a = !strcmp(name, "tcg") ? &phc_accel_tcg
                         : !strcmp(name, "kvm") ? &phc_accel_kvm
                                                : NULL;
    if (strcmp(name, "tcg") != 0 && strcmp(name, "kvm") != 0)
        die(EXIT_USAGE, "-accel: '%s' is not an accelerator (tcg or kvm)", name);
    if (!a)
        die(EXIT_HOST, "-accel %s: this build has no %s frontend", name, name);
    for (size_t i = 0; i < o->nprops; i++)
        if (!takes_prop(a, o->props[i].key))
            die(EXIT_USAGE, "-accel %s: unknown property '%s' (see --help)", name, o->props[i].key);
    return a;
}

/* True unless the file is readable and does not start with the ELF magic. */
static bool file_is_elf(const char *path)
{
    unsigned char magic[SELFMAG];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true; /* the ELF loader reports why */
    ssize_t n = read(fd, magic, sizeof(magic));
    close(fd);
    return n != (ssize_t)sizeof(magic) || memcmp(magic, ELFMAG, SELFMAG) == 0;
}

/* A -kernel that is not an ELF is a Linux bzImage: the KVM frontend checks
 * its header and boots it by the x86 boot protocol. */
static const phc_abi *load_linux(const options *o, const phc_abi *named, phc_image *kernel,
                                 phc_image *initrd, phc_linux_guest *lx)
{
    char err[512];
    const phc_abi *x86_64 = phc_abi_get(PHC_ARCH_X86_64);
    if (named && named != x86_64)
        die(EXIT_USAGE, "%s is not an ELF, so a Linux bzImage, which is -arch x86_64", o->kernel);
    if (strcmp(o->accel, "kvm") != 0)
        die(EXIT_USAGE, "%s is not an ELF executable; a Linux bzImage boots with -accel kvm only",
            o->kernel);
    if (phc_image_load_raw(o->kernel, 0, kernel, err, sizeof(err)) != 0 ||
        (o->initrd && phc_image_load_raw(o->initrd, 0, initrd, err, sizeof(err)) != 0))
        die(EXIT_USAGE, "%s", err);
    *lx = (phc_linux_guest){ .kernel = kernel->storage, .kernel_size = kernel->storage_len,
                             .initrd = initrd->storage, .initrd_size = initrd->storage_len,
                             .cmdline = o->append };
    return x86_64;
}

static const phc_abi *load_guest(const options *o, phc_image *img, phc_image *initrd,
                                 phc_linux_guest *lx)
{
    char err[512];
    const phc_abi *named = NULL;
    if (o->arch && !(named = phc_abi_by_name(o->arch)))
        die(EXIT_USAGE, "-arch: unknown architecture '%s' (one of: %s)", o->arch, phc_abi_names());
    if (!o->have_load_addr && !file_is_elf(o->kernel))
        return load_linux(o, named, img, initrd, lx);
    if (o->initrd || o->append)
        die(EXIT_USAGE, "-initrd and -append are for a Linux bzImage; %s is not one", o->kernel);
    if (o->have_load_addr) {
        if (!named)
            die(EXIT_USAGE, "a raw binary (-load-addr) needs -arch");
        if (phc_image_load_raw(o->kernel, o->load_addr, img, err, sizeof(err)) != 0)
            die(EXIT_USAGE, "%s", err);
        return named;
    }
    if (phc_image_load_elf(o->kernel, img, err, sizeof(err)) != 0)
        die(EXIT_USAGE, "%s", err);
    if (named && named != img->abi)
        die(EXIT_USAGE, "-arch %s does not match %s, which is an %s guest", named->name,
            o->kernel, img->abi->name);
    return img->abi;
}

/* --handlers: the Python files run before the guest starts, or one line and exit. */
static void load_handlers(const options *o, phc_dispatcher *d)
{
    char err[512];
    if (!phc_python_load)
        die(EXIT_HOST, "--handlers: this build has no Python (needs python3-embed)");
    if (phc_python_load(d, o->handlers, o->nhandlers, err, sizeof(err)) != 0)
        die(EXIT_USAGE, "%s", err);
}

/* Waits for SIGINT/SIGTERM or the time limit, whichever comes first. */
typedef struct watcher {
    int sigfd, donefd;
    double time_limit;
    phc_cancel *cancel;
} watcher;

static void *watch(void *arg)
{
    watcher *w = arg;
    struct pollfd fds[2] = { { .fd = w->sigfd, .events = POLLIN }, { .fd = w->donefd, .events = POLLIN } };
    int ms = w->time_limit > 0 ? (int)(w->time_limit * 1000 + 0.5) : -1;
    int n;
    while ((n = poll(fds, 2, ms)) < 0 && errno == EINTR)
        ;
    if (n == 0)
        phc_cancel_request(w->cancel, PHC_END_LIMIT);
    else if (n > 0 && (fds[0].revents & POLLIN))
        phc_cancel_request(w->cancel, PHC_END_SIGNAL);
    return NULL;
}

/* Block SIGINT and SIGTERM everywhere and start the thread that reads
 * them and keeps the time limit, turning either into a cancel request. */
static void start_watcher(watcher *w, pthread_t *thread, double time_limit, phc_cancel *cancel)
{
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    phc_cancel_init(cancel);
    *w = (watcher){ .sigfd = signalfd(-1, &sigs, SFD_CLOEXEC), .donefd = eventfd(0, EFD_CLOEXEC),
                    .time_limit = time_limit, .cancel = cancel };
    if (w->sigfd < 0 || w->donefd < 0 || pthread_create(thread, NULL, watch, w) != 0)
        die(EXIT_HOST, "cannot start the signal watcher: %s", strerror(errno));
}

static void stop_watcher(watcher *w, pthread_t thread)
{
    uint64_t one = 1;
    if (write(w->donefd, &one, sizeof(one)) != sizeof(one) || pthread_join(thread, NULL) != 0)
        die(EXIT_HOST, "cannot stop the signal watcher");
}

static int exit_status(const phc_run_result *res)
{
    switch (res->end) {
    case PHC_END_EXIT: return res->status & 0xff;
    case PHC_END_LIMIT: return EXIT_LIMIT;
    case PHC_END_SIGNAL: return EXIT_SIGNAL;
    case PHC_END_HALT:
    case PHC_END_FAULT: return EXIT_FAULT;
    default: return EXIT_HOST;
    }
}

/* A row Unicorn refuses, or a build without Unicorn:
 * -accel tcg takes QEMU for it. */
static bool unicorn_cannot(phc_arch arch)
{
    return !&phc_accel_tcg || phc_accel_tcg.unsupported(arch) != NULL;
}

/*
 * A Linux kernel (not an ELF, or given -initrd or -append), or a bare
 * guest for a row Unicorn cannot run, or engine=qemu: the patched QEMU
 * runs it in a process of its own, which holds the dispatcher.
 */
static bool qemu_runs(const options *o, phc_qemu_guest *g)
{
    char err[512];
    phc_image img;
    const phc_abi *named = NULL;

    if (strcmp(o->accel, "tcg") != 0 || o->engine == ENGINE_UNICORN)
        return false;
    if (o->arch && !(named = phc_abi_by_name(o->arch)))
        die(EXIT_USAGE, "-arch: unknown architecture '%s' (one of: %s)", o->arch, phc_abi_names());
    *g = (phc_qemu_guest){ .abi = named, .kernel = o->kernel, .initrd = o->initrd, .append = o->append,
                           .mem_size = o->mem_size, .smp = o->smp, .trace = o->trace,
                           .builtins = o->builtins };
    if (o->have_load_addr) {
        if (!named)
            die(EXIT_USAGE, "a raw binary (-load-addr) needs -arch");
        g->raw = true;
        g->load_addr = o->load_addr;
        return o->engine == ENGINE_QEMU || unicorn_cannot(named->arch);
    }
    if (!file_is_elf(o->kernel)) {
        g->linux_kernel = true;
        if (!g->abi)
            g->abi = phc_abi_get(PHC_ARCH_X86_64); /* a bzImage */
        if (!phc_qemu_is_kernel_image(g->abi->arch, o->kernel))
            die(EXIT_USAGE, "%s is not an ELF executable, nor a Linux kernel image for -arch %s", o->kernel,
                g->abi->name);
        return true;
    }
    if (o->initrd || o->append) {
        g->linux_kernel = true; /* an ELF vmlinux, as some architectures boot */
        if (!g->abi)
            die(EXIT_USAGE, "-initrd and -append boot %s as a Linux kernel: give its -arch", o->kernel);
        return true;
    }
    if (phc_image_load_elf(o->kernel, &img, err, sizeof(err)) != 0)
        die(EXIT_USAGE, "%s", err);
    if (named && named != img.abi)
        die(EXIT_USAGE, "-arch %s does not match %s, which is an %s guest", named->name, o->kernel,
            img.abi->name);
    g->abi = img.abi;
    uint64_t end = phc_image_end(&img);
    phc_image_free(&img);
    if (!(o->engine == ENGINE_QEMU || unicorn_cannot(g->abi->arch)))
        return false;
    if (end > o->mem_size)
        die(EXIT_USAGE, "%s needs guest RAM up to 0x%llx; -m gives only 0x%llx", o->kernel,
            (unsigned long long)end, (unsigned long long)o->mem_size);
    return true;
}

static int run_qemu(const options *o, const phc_qemu_guest *guest)
{
    phc_qemu_guest g = *guest;
    const char *why = phc_qemu_unsupported(g.abi->arch, g.linux_kernel);
    if (why)
        die(EXIT_HOST, "-accel tcg,engine=qemu -arch %s: %s", g.abi->name, why);
    if (!g.linux_kernel && o->smp != 1)
        die(EXIT_USAGE, "-smp %u: a bare guest on QEMU runs one vCPU", o->smp);
    if (o->insn_limit)
        die(EXIT_USAGE, "--insn-limit: the QEMU engine has no instruction limit (use --time-limit)");
    if (o->nhandlers)
        die(EXIT_USAGE, "--handlers: the QEMU engine runs built-in handlers only");
    if (o->nprops)
        die(EXIT_USAGE, "-accel tcg,engine=qemu: unknown property '%s'", o->props[0].key);
    /* Made here so a path that cannot be written is a usage error; QEMU
     * writes it again. */
    phc_trace *trace = NULL;
    if (o->trace && (!(trace = phc_trace_open(o->trace)) || phc_trace_close(trace) != 0))
        die(EXIT_USAGE, "--trace %s: %s", o->trace, strerror(errno));

    phc_cancel cancel;
    watcher w;
    pthread_t watcher_thread;
    start_watcher(&w, &watcher_thread, o->time_limit, &cancel);
    g.cancel = &cancel;
    fflush(stdout);
    phc_run_result res;
    phc_qemu_run(&g, &res);
    stop_watcher(&w, watcher_thread);
    if (o->summary)
        fprintf(stderr, "phc-run: %s on qemu: %s %d\n", g.abi->name, phc_end_name(res.end), exit_status(&res));
    if (res.end != PHC_END_EXIT)
        fprintf(stderr, "phc-run: %s: %s\n", phc_end_name(res.end), res.reason);
    return exit_status(&res);
}

int main(int argc, char **argv)
{
    options o = parse(argc, argv);
    phc_qemu_guest qemu_guest;
    if (qemu_runs(&o, &qemu_guest))
        return run_qemu(&o, &qemu_guest);
    const phc_accel *accel = pick_accel(&o);
    phc_image img, initrd = { 0 };
    phc_linux_guest lx = { 0 };
    const phc_abi *abi = load_guest(&o, &img, &initrd, &lx);
    const char *why = accel->unsupported(abi->arch);
    if (why)
        die(EXIT_HOST, "-accel %s -arch %s: %s", accel->name, abi->name, why);
    if (phc_image_end(&img) > o.mem_size)
        die(EXIT_USAGE, "%s needs guest RAM up to 0x%llx; -m gives only 0x%llx", o.kernel,
            (unsigned long long)phc_image_end(&img), (unsigned long long)o.mem_size);

    /* The trace first: a path that cannot be written ends the run before
     * anything is allocated that exit would leave behind. */
    phc_trace *trace = NULL;
    if (o.trace && !(trace = phc_trace_open(o.trace)))
        die(EXIT_USAGE, "--trace %s: %s", o.trace, strerror(errno));
    phc_dispatcher *d = phc_dispatcher_new();
    if (o.builtins)
        phc_builtins_register(d, PHC_BUILTIN_ALL, stdout);
    phc_dispatcher_set_trace(d, trace);
    if (o.nhandlers)
        load_handlers(&o, d);

    phc_cancel cancel;
    watcher w;
    pthread_t watcher_thread;
    start_watcher(&w, &watcher_thread, o.time_limit, &cancel);

    phc_run_config cfg = { .abi = abi, .image = &img, .mem_size = o.mem_size, .smp = o.smp,
                           .insn_limit = o.insn_limit, .dispatcher = d, .cancel = &cancel,
                           .console = stdout, .linux_guest = lx.kernel ? &lx : NULL,
                           .props = o.props, .nprops = o.nprops };
    phc_run_result res = { .end = PHC_END_ERROR };
    accel->run(&cfg, &res);

    stop_watcher(&w, watcher_thread);
    fflush(stdout);
    if (o.nhandlers)
        phc_python_finish(stderr);
    bool trace_ok = phc_trace_close(trace) == 0;
    if (o.summary)
        fprintf(stderr, "phc-run: %s on %s: %s %d, %llu hypercalls (%llu unclaimed)\n", abi->name,
                accel->name, phc_end_name(res.end), res.end == PHC_END_EXIT ? res.status & 0xff : exit_status(&res),
                (unsigned long long)phc_dispatcher_total(d), (unsigned long long)phc_dispatcher_unclaimed(d));
    if (res.end != PHC_END_EXIT)
        fprintf(stderr, "phc-run: %s: %s\n", phc_end_name(res.end), res.reason);
    phc_dispatcher_free(d);
    free(o.handlers);
    phc_image_free(&img);
    phc_image_free(&initrd);
    if (!trace_ok)
        die(EXIT_HOST, "--trace %s: writing the trace failed", o.trace);
    return exit_status(&res);
}
