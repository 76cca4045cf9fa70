/*
 * The board's device tree, decoded by dtc (argv[1], Debian's
 * device-tree-compiler) as an independent oracle: every node and property
 * the board promises is there with the value the board config implies, and
 * no other node is. Also: bad configs and a small buffer fail cleanly.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "board.h"
#include "check.h"


/* The decoded tree as "path|prop|value" lines ("path|" for a node). */
typedef struct dts {
    char **item;
    size_t n;
} dts;

static void dts_add(dts *d, const char *path, const char *prop, const char *value)
{
    size_t len = strlen(path) + strlen(prop) + strlen(value) + 3;
    d->item = realloc(d->item, (d->n + 1) * sizeof(*d->item));
    d->item[d->n] = malloc(len);
    snprintf(d->item[d->n++], len, "%s|%s%s%s", path, prop, *prop ? "|" : "", value);
}

static void dts_free(dts *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->item[i]);
    free(d->item);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = 0;
    return s;
}

/* Run dtc on the blob and read its source back into @d; false if dtc failed. */
static bool decode(const char *dtc, const void *blob, size_t size, dts *d)
{
    char path[] = "/tmp/phc-fdt-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, blob, size) != (ssize_t)size) {
        perror("blob");
        return false;
    }
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "'%s' -q -I dtb -O dts '%s'", dtc, path);
    FILE *p = popen(cmd, "r");
    char line[1024], where[512] = "";
    *d = (dts){ 0 };
    while (p && fgets(line, sizeof(line), p)) {
        char *s = trim(line);
        size_t n = strlen(s);
        if (!n || !strcmp(s, "/dts-v1/;"))
            continue;
        if (n >= 2 && !strcmp(s + n - 2, " {")) {
            s[n - 2] = 0;
            if (!strcmp(s, "/"))
                strcpy(where, "/");
            else
                snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s",
                         strcmp(where, "/") ? "/" : "", s);
            dts_add(d, where, "", "");
        } else if (!strcmp(s, "};")) {
            char *slash = strrchr(where, '/');
            if (slash == where)
                where[1] = 0;
            if (slash > where)
                *slash = 0;
        } else if (s[n - 1] == ';') {
            s[n - 1] = 0;
            char *eq = strstr(s, " = ");
            if (eq) {
                *eq = 0;
                dts_add(d, where, s, eq + 3);
            } else {
                dts_add(d, where, s, "");
            }
        }
    }
    int rc = p ? pclose(p) : -1;
    unlink(path);
    return rc == 0 && d->n > 0;
}

static bool has(const dts *d, const char *item)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->item[i], item))
            return true;
    return false;
}

static bool listed(const char *const *list, size_t n, const char *item)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], item))
            return true;
    return false;
}

/* Everything in @common and @own is there, and every node there is in one. */
static void expect(const dts *d, const char *const *common, size_t ncommon,
                   const char *const *own, size_t nown, const char *what)
{
    for (size_t i = 0; i < ncommon + nown; i++) {
        const char *want = i < ncommon ? common[i] : own[i - ncommon];
        CHECK(has(d, want), "%s: dtc shows no %s", what, want);
    }
    for (size_t i = 0; i < d->n; i++) {
        const char *bar = strchr(d->item[i], '|');
        if (!bar[1])
            CHECK(listed(common, ncommon, d->item[i]) || listed(own, nown, d->item[i]),
                  "%s: unexpected node %s", what, d->item[i]);
    }
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const common[] = {
    "/|",
    "/|compatible|\"penguin,phc-kvm-arm64\"",
    "/|#address-cells|<0x02>",
    "/|#size-cells|<0x02>",
    "/|interrupt-parent|<0x01>",
    "/cpus|",
    "/cpus|#address-cells|<0x01>",
    "/cpus|#size-cells|<0x00>",
    "/cpus/cpu@0|",
    "/cpus/cpu@0|device_type|\"cpu\"",
    "/cpus/cpu@0|compatible|\"arm,armv8\"",
    "/cpus/cpu@0|reg|<0x00>",
    "/cpus/cpu@0|enable-method|\"psci\"",
    "/psci|",
    "/psci|compatible|\"arm,psci-0.2\"",
    "/psci|method|\"hvc\"",
    "/intc@f0000000|",
    "/intc@f0000000|compatible|\"arm,gic-v3\"",
    "/intc@f0000000|interrupt-controller|",
    "/intc@f0000000|#interrupt-cells|<0x03>",
    "/intc@f0000000|phandle|<0x01>",
    "/timer|",
    "/timer|compatible|\"arm,armv8-timer\"",
    "/timer|interrupts|<0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>",
    "/timer|always-on|",
    "/apb-pclk|",
    "/apb-pclk|compatible|\"fixed-clock\"",
    "/apb-pclk|#clock-cells|<0x00>",
    "/apb-pclk|clock-frequency|<0x16e3600>",
    "/apb-pclk|phandle|<0x02>",
    "/pl011@f1000000|",
    "/pl011@f1000000|compatible|\"arm,pl011\\0arm,primecell\"",
    "/pl011@f1000000|reg|<0x00 0xf1000000 0x00 0x1000>",
    "/pl011@f1000000|interrupts|<0x00 0x01 0x04>",
    "/pl011@f1000000|clocks|<0x02 0x02>",
    "/pl011@f1000000|clock-names|\"uartclk\\0apb_pclk\"",
    "/chosen|",
    "/chosen|stdout-path|\"/pl011@f1000000\"",
    "/penguin-hypercall|",
    "/penguin-hypercall|compatible|\"penguin,hypercall\"",
    "/penguin-hypercall|method|\"hvc\"",
    "/penguin-hypercall|function-id-base|<0xc6005048>",
    "/penguin-hypercall|function-id-count|<0x01>",
    "/penguin-hypercall|arg0-register|<0x06>",
    "/memory@0|",
    "/memory@0|device_type|\"memory\"",
};

static void small_board(const char *dtc)
{
    static uint8_t blob[KVM_ARM64_FDT_MAX];
    char err[256];
    kvm_arm64_board b = { .ram_size = 32u << 20, .ncpus = 1,
                          .bootargs = "console=ttyAMA0 igloo.x=1" };
    CHECK(kvm_arm64_fdt_build(&b, blob, sizeof(blob), err, sizeof(err)) == 0, "build: %s", err);
    dts d;
    CHECK(decode(dtc, blob, sizeof(blob), &d), "dtc could not decode the blob");
    static const char *const own[] = {
        "/memory@0|reg|<0x00 0x00 0x00 0x2000000>",
        "/intc@f0000000|reg|<0x00 0xf0000000 0x00 0x10000 0x00 0xf0010000 0x00 0x20000>",
        "/chosen|bootargs|\"console=ttyAMA0 igloo.x=1\"",
    };
    expect(&d, common, N(common), own, N(own), "1 vCPU");
    dts_free(&d);
}

static void big_board(const char *dtc)
{
    static uint8_t blob[KVM_ARM64_FDT_MAX];
    char err[256];
    kvm_arm64_board b = { .ram_size = KVM_ARM64_MMIO_BASE, .ncpus = 17, .bootargs = NULL };
    CHECK(kvm_arm64_fdt_build(&b, blob, sizeof(blob), err, sizeof(err)) == 0, "build: %s", err);
    dts d;
    CHECK(decode(dtc, blob, sizeof(blob), &d), "dtc could not decode the blob");
    /* KVM numbers vCPU 16 as Aff1 = 1, Aff0 = 0. */
    static const char *const own[] = {
        "/memory@0|reg|<0x00 0x00 0x00 0xf0000000>",
        "/intc@f0000000|reg|<0x00 0xf0000000 0x00 0x10000 0x00 0xf0010000 0x00 0x220000>",
        "/chosen|bootargs|[00]", /* dtc shows an empty string as its one NUL byte */
        "/cpus/cpu@f|", "/cpus/cpu@f|reg|<0x0f>",
        "/cpus/cpu@100|", "/cpus/cpu@100|reg|<0x100>", "/cpus/cpu@100|enable-method|\"psci\"",
        "/cpus/cpu@1|", "/cpus/cpu@2|", "/cpus/cpu@3|", "/cpus/cpu@4|", "/cpus/cpu@5|",
        "/cpus/cpu@6|", "/cpus/cpu@7|", "/cpus/cpu@8|", "/cpus/cpu@9|", "/cpus/cpu@a|",
        "/cpus/cpu@b|", "/cpus/cpu@c|", "/cpus/cpu@d|", "/cpus/cpu@e|",
    };
    expect(&d, common, N(common), own, N(own), "17 vCPUs");
    dts_free(&d);
}

static void bad_configs(void)
{
    static uint8_t blob[KVM_ARM64_FDT_MAX];
    const kvm_arm64_board bad[] = {
        { .ram_size = 32u << 20, .ncpus = 0 },
        { .ram_size = 32u << 20, .ncpus = KVM_ARM64_MAX_CPUS + 1 },
        { .ram_size = 0, .ncpus = 1 },
        { .ram_size = KVM_ARM64_MMIO_BASE + 1, .ncpus = 1 },
    };
    for (size_t i = 0; i < N(bad); i++) {
        char err[256] = "";
        CHECK(kvm_arm64_fdt_build(&bad[i], blob, sizeof(blob), err, sizeof(err)) == -1 && *err,
              "bad config %zu accepted", i);
    }
    char err[256] = "";
    kvm_arm64_board ok = { .ram_size = 32u << 20, .ncpus = 1 };
    CHECK(kvm_arm64_fdt_build(&ok, blob, 256, err, sizeof(err)) == -1 && strstr(err, "NOSPACE"),
          "a 256-byte buffer: %s", err);
    ok.ncpus = KVM_ARM64_MAX_CPUS;
    CHECK(kvm_arm64_fdt_build(&ok, blob, sizeof(blob), err, sizeof(err)) == 0,
          "the largest board does not fit KVM_ARM64_FDT_MAX: %s", err);
}

int main(int argc, char **argv)
{
    CHECK(kvm_arm64_mpidr(0) == 0 && kvm_arm64_mpidr(15) == 0xf && kvm_arm64_mpidr(16) == 0x100 &&
              kvm_arm64_mpidr(0x1234) == 0x12304,
          "MPIDR affinity");
    bad_configs();
    if (argc < 2 || access(argv[1], X_OK) != 0) {
        fprintf(stderr, "SKIP fdt-test: dtc not found (install device-tree-compiler)\n");
        return check_failures ? 1 : 77;
    }
    small_board(argv[1]);
    big_board(argv[1]);
    if (check_failures)
        return 1;
    printf("fdt: dtc decodes every node and property\n");
    return 0;
}
