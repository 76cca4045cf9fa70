/*
 * phc-run's side of the QEMU engine: start the patched qemu-system-* for
 * the row, with the same memory map Unicorn gives a bare guest (the "none"
 * machine: RAM from 0, the generic loader puts the ELF in and starts it at
 * its entry), or the machine Penguin boots Linux on; then wait for its end.
 *
 * A bare guest starts in the entry state every engine gives it
 * (docs/entry.md), worked out here and passed as PHC_ENTRY.
 *
 * The QEMU process loads the libphc this process runs (LD_LIBRARY_PATH),
 * and tells the exit call's status through a pipe (PHC_STATUS_FD), so a
 * guest's exit status is never confused with one of QEMU's own.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <phc/qemu.h>
#ifndef __has_feature
#define __has_feature(x) 0 /* gcc: __SANITIZE_*__ instead */
#endif
#include "accel/qemu/qemu-dir.h"
#include "../entry.h"

extern char **environ;

/* Per row: the QEMU target, the CPU of a bare guest, and the Linux machine
 * Penguin uses (NULL: none is built) with its CPU (NULL: the default). */
typedef struct qemu_row {
    const char *target, *bare_cpu, *machine, *linux_cpu;
} qemu_row;

/* x86: the "none" machine sets no APIC id, which the x86 CPU insists on.
 * ppc64: a bare guest runs on power8; a power9 on the "none" machine (no
 * firmware to set it up) takes a hypervisor ISI at its first fetch. */
static const qemu_row rows[PHC_ARCH_COUNT] = {
    [PHC_ARCH_X86_64] = { "x86_64", "qemu64,apic-id=0", "pc", NULL },
    [PHC_ARCH_I386] = { "x86_64", "qemu64,apic-id=0", "pc", NULL },
    [PHC_ARCH_ARM] = { "arm", "cortex-a15", "virt", "cortex-a15" },
    [PHC_ARCH_AARCH64] = { "aarch64", "cortex-a57", "virt", "cortex-a57" },
    [PHC_ARCH_MIPS] = { "mips", "24Kf", NULL, NULL },
    [PHC_ARCH_MIPSEL] = { "mipsel", "24Kf", "malta", NULL },
    [PHC_ARCH_MIPS64] = { "mips64", "MIPS64R2-generic", NULL, NULL },
    [PHC_ARCH_MIPS64EL] = { "mips64el", "MIPS64R2-generic", "malta", "MIPS64R2-generic" },
    [PHC_ARCH_PPC] = { "ppc", "g4", NULL, NULL },
    [PHC_ARCH_PPC64] = { "ppc64", "power8", "pseries", "power9" },
    [PHC_ARCH_RISCV32] = { "riscv32", "rv32", NULL, NULL },
    [PHC_ARCH_RISCV64] = { "riscv64", "rv64", NULL, NULL },
    [PHC_ARCH_LOONGARCH64] = { "loongarch64", "la464", NULL, NULL },
};

const char *phc_qemu_unsupported(phc_arch arch, bool linux_kernel)
{
    if ((unsigned)arch >= PHC_ARCH_COUNT || !rows[arch].target)
        return "the patched QEMU has no target for this architecture";
    if (linux_kernel && !rows[arch].machine)
        return "the patched QEMU is built without a Linux machine for this architecture";
    return NULL;
}

/* Boot-image magics (Documentation/arch/{x86/boot,arm64/booting,arm/booting}):
 * a kernel that is not an ELF must carry its architecture's. */
typedef struct image_magic {
    phc_arch arch;
    size_t offset;
    const char *bytes;
} image_magic;

static const image_magic magics[] = {
    { PHC_ARCH_X86_64, 0x202, "HdrS" },
    { PHC_ARCH_I386, 0x202, "HdrS" },
    { PHC_ARCH_AARCH64, 0x38, "ARM\x64" },
    { PHC_ARCH_ARM, 0x24, "\x18\x28\x6f\x01" },
};

bool phc_qemu_is_kernel_image(phc_arch arch, const char *path)
{
    uint8_t head[0x240];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof(head), f) : 0;
    if (f)
        fclose(f);
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
        const image_magic *m = &magics[i];
        if (m->arch == arch && n >= m->offset + 4 && memcmp(head + m->offset, m->bytes, 4) == 0)
            return true;
    }
    return false;
}

const char *phc_qemu_binary(phc_arch arch, char *buf, size_t size)
{
    const char *dir = getenv("PHC_QEMU_DIR");
    if (!dir || !*dir)
        dir = PHC_QEMU_CACHE_DIR;
    snprintf(buf, size, "%s/bin/qemu-system-%s", dir, rows[arch].target);
    return buf;
}

/* scripts/build-qemu.sh writes next to each binary the stamp of the glue
 * and phc headers it was built from; one built from other ones would
 * dispatch with another checkout's code, so it is refused, loudly. */
static bool built_from_our_glue(const char *binary, phc_run_result *res)
{
    char *path = g_strdup_printf("%s.stamp", binary);
    char *stamp = NULL;
    bool ok = g_file_get_contents(path, &stamp, NULL, NULL) && strcmp(g_strstrip(stamp), PHC_QEMU_STAMP) == 0;
    if (!ok)
        phc_run_result_set(res, PHC_END_ERROR,
                           "%s was built from other glue or phc headers (stamp %s, this phc wants %s): "
                           "run scripts/build-qemu.sh", binary, stamp ? stamp : "missing", PHC_QEMU_STAMP);
    g_free(stamp);
    g_free(path);
    return ok;
}

/* QEMU's option syntax doubles a comma inside a value. */
static char *escape_commas(const char *s)
{
    GString *out = g_string_new(NULL);
    for (; *s; s++) {
        if (*s == ',')
            g_string_append_c(out, ',');
        g_string_append_c(out, *s);
    }
    return g_string_free(out, FALSE);
}

static void add(GPtrArray *argv, const char *arg)
{
    g_ptr_array_add(argv, g_strdup(arg));
}

static GPtrArray *qemu_argv(const phc_qemu_guest *g, const char *binary)
{
    const qemu_row *r = &rows[g->abi->arch];
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    char *kernel = escape_commas(g->kernel);

    add(argv, binary);
    add(argv, "-accel");
    add(argv, "tcg");
    add(argv, "-m");
    g_ptr_array_add(argv, g_strdup_printf("%" PRIu64 "K", g->mem_size >> 10));
    if (g->linux_kernel) {
        add(argv, "-M");
        add(argv, r->machine);
        if (r->linux_cpu) {
            add(argv, "-cpu");
            add(argv, r->linux_cpu);
        }
        add(argv, "-smp");
        g_ptr_array_add(argv, g_strdup_printf("%u", g->smp));
        add(argv, "-kernel");
        add(argv, g->kernel);
        if (g->initrd) {
            add(argv, "-initrd");
            add(argv, g->initrd);
        }
        if (g->append) {
            add(argv, "-append");
            add(argv, g->append);
        }
        add(argv, "-serial");
        add(argv, "stdio");
        add(argv, "-no-reboot");
        /* firmware and option ROMs from Debian's qemu-system-data and
         * seabios (pc: SeaBIOS, linuxboot; pseries: SLOF): the build
         * installs none of its own */
        add(argv, "-L");
        add(argv, "/usr/share/qemu");
        add(argv, "-L");
        add(argv, "/usr/share/seabios");
    } else {
        add(argv, "-M");
        add(argv, "none");
        add(argv, "-cpu");
        add(argv, r->bare_cpu);
        add(argv, "-device");
        g_ptr_array_add(argv, g->raw ? g_strdup_printf("loader,file=%s,addr=%#" PRIx64 ",force-raw=on,cpu-num=0",
                                                       kernel, g->load_addr)
                                     : g_strdup_printf("loader,file=%s,cpu-num=0", kernel));
    }
    add(argv, "-nodefaults");
    add(argv, "-no-user-config");
    add(argv, "-display");
    add(argv, "none");
    add(argv, "-monitor");
    add(argv, "none");
    g_ptr_array_add(argv, NULL);
    g_free(kernel);
    return argv;
}

/* The directory of the libphc this process runs, for the QEMU process. */
static char *libphc_dir(void)
{
    Dl_info info;
    if (!dladdr((void *)phc_qemu_run, &info) || !info.dli_fname)
        return NULL;
    char *path = g_strdup(info.dli_fname);
    char *dir = g_strdup(dirname(path));
    g_free(path);
    return dir;
}

/* "pc sp-register sp [register value]...", hex: the glue applies it at reset. */
static char *entry_state(const phc_qemu_guest *g, phc_run_result *res)
{
    char err[512];
    phc_image img;
    int rc = g->raw ? phc_image_load_raw(g->kernel, g->load_addr, &img, err, sizeof(err))
                    : phc_image_load_elf(g->kernel, &img, err, sizeof(err));
    if (rc != 0) {
        phc_run_result_set(res, PHC_END_ERROR, "%s", err);
        return NULL;
    }
    phc_entry e;
    phc_entry_state(g->abi, &img, g->mem_size, 0, &e);
    phc_image_free(&img);
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "%" PRIx64 " %x %" PRIx64, e.pc, g->abi->entry.sp_gpr, e.sp);
    for (unsigned i = 0; i < e.nregs; i++)
        g_string_append_printf(out, " %x %" PRIx64, e.regs[i].gpr, e.regs[i].value);
    return g_string_free(out, FALSE);
}

static char **qemu_env(const phc_qemu_guest *g, int status_fd, const char *entry)
{
    char **env = g_get_environ();
    char *fd = g_strdup_printf("%d", status_fd);
    env = g_environ_setenv(env, "PHC_ARCH", g->abi->name, TRUE);
    env = g_environ_setenv(env, "PHC_BUILTINS", g->builtins ? "1" : "0", TRUE);
    env = g_environ_setenv(env, "PHC_STATUS_FD", fd, TRUE);
    env = g->trace ? g_environ_setenv(env, "PHC_TRACE", g->trace, TRUE) : g_environ_unsetenv(env, "PHC_TRACE");
    env = entry ? g_environ_setenv(env, "PHC_ENTRY", entry, TRUE) : g_environ_unsetenv(env, "PHC_ENTRY");
    char *dir = libphc_dir();
    if (dir) {
        const char *old = g_environ_getenv(env, "LD_LIBRARY_PATH");
        char *path = old && *old ? g_strdup_printf("%s:%s", dir, old) : g_strdup(dir);
        env = g_environ_setenv(env, "LD_LIBRARY_PATH", path, TRUE);
        g_free(path);
        g_free(dir);
    }
    g_free(fd);
    return env;
}

typedef struct child {
    pid_t pid;
} child;

static void stop_child(void *arg)
{
    kill(((child *)arg)->pid, SIGTERM);
}

void phc_qemu_run(const phc_qemu_guest *g, phc_run_result *res)
{
    char binary[4096];
    const char *why = phc_qemu_unsupported(g->abi->arch, g->linux_kernel);
    *res = (phc_run_result){ .end = PHC_END_ERROR };
    if (why) {
        phc_run_result_set(res, PHC_END_ERROR, "-accel tcg,engine=qemu -arch %s: %s", g->abi->name, why);
        return;
    }
    if (!g->linux_kernel && g->smp != 1) {
        phc_run_result_set(res, PHC_END_ERROR, "-smp %u: a bare guest on QEMU runs one vCPU", g->smp);
        return;
    }
    /* "no patched QEMU here" is what tests look for to skip */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || __has_feature(address_sanitizer) || \
    __has_feature(thread_sanitizer)
    phc_run_result_set(res, PHC_END_ERROR, "no patched QEMU here: QEMU is not instrumented and cannot load "
                       "this sanitizer build's libphc");
    return;
#endif
    phc_qemu_binary(g->abi->arch, binary, sizeof(binary));
    if (access(binary, X_OK) != 0) {
        phc_run_result_set(res, PHC_END_ERROR, "no patched QEMU here: %s: %s (build it with scripts/build-qemu.sh)",
                           binary, strerror(errno));
        return;
    }
    if (!built_from_our_glue(binary, res))
        return;

    char *entry = NULL;
    if (!g->linux_kernel && !(entry = entry_state(g, res)))
        return;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        phc_run_result_set(res, PHC_END_ERROR, "cannot make the status pipe: %s", strerror(errno));
        g_free(entry);
        return;
    }
    /* the write end alone goes to QEMU; dup2 onto itself clears CLOEXEC */
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], pipefd[1]);
    /* the runner blocks SIGINT and SIGTERM in every thread; QEMU must not */
    posix_spawnattr_t attr;
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);

    GPtrArray *argv = qemu_argv(g, binary);
    char **env = qemu_env(g, pipefd[1], entry);
    g_free(entry);
    child c = { 0 };
    int err = posix_spawn(&c.pid, binary, &actions, &attr, (char **)argv->pdata, env);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    g_ptr_array_free(argv, TRUE);
    g_strfreev(env);
    close(pipefd[1]);
    if (err) {
        close(pipefd[0]);
        phc_run_result_set(res, PHC_END_ERROR, "cannot start %s: %s", binary, strerror(err));
        return;
    }

    if (g->cancel)
        phc_cancel_set_kick(g->cancel, stop_child, &c);
    int wstatus = 0;
    while (waitpid(c.pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    if (g->cancel)
        phc_cancel_set_kick(g->cancel, NULL, NULL);
    uint8_t status;
    ssize_t n;
    while ((n = read(pipefd[0], &status, 1)) < 0 && errno == EINTR)
        ;
    close(pipefd[0]);

    phc_run_result own;
    if (n == 1) {
        own = (phc_run_result){ .end = PHC_END_EXIT, .status = status };
        phc_run_result_settle(res, &own, NULL);
    } else if (g->cancel && phc_cancel_requested(g->cancel, NULL)) {
        phc_run_result_settle(res, NULL, g->cancel);
    } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        phc_run_result_set(res, PHC_END_HALT, "the %s guest stopped QEMU without the exit call", g->abi->name);
    } else if (WIFEXITED(wstatus)) {
        phc_run_result_set(res, PHC_END_ERROR, "%s failed with status %d", binary, WEXITSTATUS(wstatus));
    } else {
        phc_run_result_set(res, PHC_END_ERROR, "%s was killed by signal %d", binary, WTERMSIG(wstatus));
    }
}
