/*
 * /init of the ARM64 KVM-in-TCG check: inside an emulated arm64 host with
 * EL2, run phc-run -accel kvm on each guest, print each exit status and
 * trace on the console for run.py to read, and power off.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void run(const char *name, char *const argv[], const char *trace)
{
    pid_t pid;
    int status = -1;
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) == 0 &&
        waitpid(pid, &status, 0) == pid)
        status = WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
    printf("PHC-RESULT %s %d\n", name, status);
    FILE *f = trace ? fopen(trace, "r") : NULL;
    char line[1024];
    while (f && fgets(line, sizeof(line), f))
        printf("PHC-TRACE %s %s", name, line);
    if (f)
        fclose(f);
    fflush(stdout);
}

int main(void)
{
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
    printf("PHC-KVM %s\n", access("/dev/kvm", R_OK | W_OK) == 0 ? "yes" : "no");
    fflush(stdout);

    char *hvc[] = { "/phc-run", "-accel", "kvm", "-arch", "aarch64", "-kernel", "/guest-hvc.elf",
                    "--trace", "/tmp/hvc.jsonl", "--time-limit", "60", NULL };
    run("hvc", hvc, "/tmp/hvc.jsonl");
    char *smp[] = { "/phc-run", "-accel", "kvm", "-arch", "aarch64", "-smp", "2", "-kernel",
                    "/guest-hvc.elf", "--time-limit", "60", NULL };
    run("hvc-smp2", smp, NULL);
    char *smp2[] = { "/phc-run", "-accel", "kvm", "-arch", "aarch64", "-smp", "2", "-kernel",
                     "/smp.elf", "--trace", "/tmp/smp.jsonl", "--time-limit", "60", NULL };
    run("smp", smp2, "/tmp/smp.jsonl");
    char *mmu[] = { "/phc-run", "-accel", "kvm", "-arch", "aarch64", "-kernel", "/mmu.elf",
                    "--time-limit", "60", NULL };
    run("mmu", mmu, NULL);
    char *undef[] = { "/phc-run", "-accel", "kvm", "-arch", "aarch64", "-kernel", "/undef.elf",
                      "--trace", "/tmp/undef.jsonl", "--time-limit", "60", NULL };
    run("undef", undef, "/tmp/undef.jsonl");
    char *msr[] = { "/phc-run", "-accel", "kvm", "-arch", "aarch64", "-kernel", "/guest-msr.elf",
                    "--time-limit", "10", NULL };
    run("msr", msr, NULL);
    char *cguest[] = { "/phc-run", "-accel", "kvm", "-kernel", "/cguest-hvc.elf", "--trace",
                       "/tmp/cguest.jsonl", "--time-limit", "60", NULL };
    run("cguest", cguest, "/tmp/cguest.jsonl");
    printf("PHC-DONE\n");
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
