/*
 * kvm/x86/linux-boot.c against a real bzImage (argv[1], Debian's kernel) and
 * against corrupt ones; with argv[2..] (the vmlinux inside it, unpacked by
 * Python's lzma, its entry and its segments as readelf lists them) also the
 * host-side unpacking. The expected values are read from the file at the
 * offsets Documentation/arch/x86/boot.rst gives, not through the structures
 * the loader uses, so a wrong struct or offset in the loader shows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <glib.h>
#include "linux-boot.h"

#define MiB (1ull << 20)

static unsigned failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static uint32_t le(const uint8_t *p, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t le64(const uint8_t *p)
{
    return le(p, 4) | (uint64_t)le(p + 4, 4) << 32;
}

/* Guest RAM as the VMM has it: zero pages, only touched ones cost memory. */
static uint8_t *ram_new(uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return p;
}

/* Loading must fail with a one-line reason containing @want. */
static void expect_error(const char *what, const uint8_t *kernel, size_t size, uint64_t ram_size,
                         const uint8_t *initrd, size_t initrd_size, const char *cmdline,
                         const char *want)
{
    uint8_t *ram = ram_new(ram_size);
    phc_linux_guest g = { kernel, size, initrd, initrd_size, cmdline };
    kvm_x86_linux_entry e;
    char err[256] = "";
    int rc = kvm_x86_linux_load(ram, ram_size, &g, &e, err, sizeof(err));
    CHECK(rc == -1, "%s: accepted", what);
    CHECK(strstr(err, want), "%s: error '%s' does not say '%s'", what, err, want);
    CHECK(!strchr(err, '\n'), "%s: error '%s' is not one line", what, err);
    munmap(ram, ram_size);
}

/* A minimal well-formed image: set-up sectors then a payload, fields per boot.rst. */
static uint8_t *synthetic(size_t *size, uint16_t version, uint8_t xloadflags)
{
    const unsigned setup_sects = 3, payload = 4096;
    *size = (setup_sects + 1) * 512 + payload;
    uint8_t *k = g_malloc0(*size);
    k[0x1f1] = setup_sects;
    memcpy(k + 0x1f4, &(uint32_t){ payload / 16 }, 4);
    memcpy(k + 0x1fe, &(uint16_t){ 0xaa55 }, 2);
    k[0x201] = 0x66; /* header runs to 0x268 */
    memcpy(k + 0x202, "HdrS", 4);
    memcpy(k + 0x206, &version, 2);
    k[0x211] = 0x01; /* LOADED_HIGH */
    memcpy(k + 0x214, &(uint32_t){ 0x100000 }, 4);
    memcpy(k + 0x22c, &(uint32_t){ 0x7fffffff }, 4);
    memcpy(k + 0x230, &(uint32_t){ 0x200000 }, 4);
    k[0x234] = 1;
    k[0x236] = xloadflags;
    memcpy(k + 0x238, &(uint32_t){ 255 }, 4);
    memcpy(k + 0x258, &(uint64_t){ 0x1000000 }, 8);
    memcpy(k + 0x260, &(uint32_t){ 0x200000 }, 4);
    for (unsigned i = 0; i < payload; i++)
        k[(setup_sects + 1) * 512 + i] = (uint8_t)(i * 7 + 1);
    return k;
}

/* Everything a loaded guest must show, checked against the raw file. */
static void check_loaded(const char *what, const uint8_t *k, size_t size, uint64_t ram_size)
{
    static const char cmdline[] = "console=ttyS0 panic=-1 phc.test=1";
    size_t initrd_size = 3 * 4096 + 123;
    uint8_t *initrd = g_malloc(initrd_size);
    for (size_t i = 0; i < initrd_size; i++)
        initrd[i] = (uint8_t)(i ^ (i >> 8));
    uint8_t *ram = ram_new(ram_size);
    phc_linux_guest g = { k, size, initrd, initrd_size, cmdline };
    kvm_x86_linux_entry e;
    char err[256] = "";
    int rc = kvm_x86_linux_load(ram, ram_size, &g, &e, err, sizeof(err));
    CHECK(rc == 0, "%s: load failed: %s", what, err);
    if (rc != 0)
        goto out;

    unsigned setup_sects = k[0x1f1] ? k[0x1f1] : 4;
    size_t setup = (setup_sects + 1) * 512;
    uint64_t syssize = (uint64_t)le(k + 0x1f4, 4) * 16;
    uint16_t version = le(k + 0x206, 2);
    bool kernel64 = version >= 0x020c && (le(k + 0x236, 2) & 1);
    CHECK(e.protocol == version, "%s: protocol 0x%x, file says 0x%x", what, e.protocol, version);
    CHECK(e.mode == (kernel64 ? KVM_X86_LINUX_ENTRY_64 : KVM_X86_LINUX_ENTRY_32), "%s: entry mode", what);
    /* An unpacked kernel is checked against readelf in check_unpacked(). */
    CHECK(e.unpacked || e.ip == (kernel64 ? 0x100200u : 0x100000u), "%s: entry 0x%llx", what,
          (unsigned long long)e.ip);
    CHECK(e.unpacked || memcmp(ram + 0x100000, k + setup, syssize) == 0, "%s: kernel bytes differ",
          what);

    const uint8_t *bp = ram + e.boot_params;
    CHECK(e.boot_params % 4096 == 0 && e.boot_params < 0x9f000, "%s: zero page at 0x%llx", what,
          (unsigned long long)e.boot_params);
    CHECK(memcmp(bp + 0x202, "HdrS", 4) == 0, "%s: zero page has no set-up header", what);
    CHECK(bp[0x1f1] == k[0x1f1] && le(bp + 0x206, 2) == version, "%s: header not copied", what);
    CHECK(bp[0x210] == 0xff, "%s: type_of_loader 0x%x", what, bp[0x210]);
    uint32_t cmd_ptr = le(bp + 0x228, 4);
    CHECK(cmd_ptr && cmd_ptr + sizeof(cmdline) < 0xa0000 &&
              strcmp((const char *)ram + cmd_ptr, cmdline) == 0,
          "%s: command line at 0x%x is not ours", what, cmd_ptr);

    uint32_t rd = le(bp + 0x218, 4), rd_size = le(bp + 0x21c, 4);
    uint64_t rd_max = (uint64_t)le(k + 0x22c, 4) + 1;
    uint64_t run_at = MAX(0x100000ull, le64(k + 0x258)) + le(k + 0x260, 4);
    CHECK(rd_size == initrd_size && rd % 4096 == 0, "%s: ramdisk 0x%x+%u", what, rd, rd_size);
    CHECK(rd >= run_at && rd + rd_size <= MIN(ram_size, rd_max),
          "%s: ramdisk 0x%x overlaps the decompressor (to 0x%llx) or leaves RAM", what, rd,
          (unsigned long long)run_at);
    CHECK(rd + rd_size <= ram_size && memcmp(ram + rd, initrd, initrd_size) == 0,
          "%s: ramdisk bytes differ", what);

    /* e820 (boot.rst: count at 0x1e8, 20-byte entries at 0x2d0): RAM at 0
     * and from 1 MiB to the end, nothing usable in the 640K-1M hole. */
    unsigned n = bp[0x1e8];
    uint64_t usable = 0;
    bool hole_clean = true;
    for (unsigned i = 0; i < n && i < 128; i++) {
        const uint8_t *ent = bp + 0x2d0 + 20 * i;
        uint64_t addr = le64(ent), len = le64(ent + 8);
        if (le(ent + 16, 4) != 1)
            continue;
        usable += len;
        if (addr < 0x100000 && addr + len > 0xa0000)
            hole_clean = false;
        CHECK(addr + len <= ram_size, "%s: e820 RAM past the end", what);
    }
    CHECK(n >= 2 && hole_clean, "%s: e820 has %u entries, hole usable: %d", what, n, !hole_clean);
    CHECK(usable >= ram_size - 0x61000 && usable <= ram_size, "%s: e820 RAM %llu of %llu", what,
          (unsigned long long)usable, (unsigned long long)ram_size);
out:
    munmap(ram, ram_size);
    g_free(initrd);
}

static void test_synthetic(void)
{
    size_t size;
    uint8_t *k = synthetic(&size, 0x020f, 0x01);
    char err[256];
    CHECK(kvm_x86_linux_check(k, size, err, sizeof(err)) == 0, "synthetic: %s", err);
    check_loaded("synthetic 64-bit", k, size, 64 * MiB);
    g_free(k);

    k = synthetic(&size, 0x020a, 0);
    check_loaded("synthetic 2.10 32-bit", k, size, 64 * MiB);
    g_free(k);
}

/* Every way a header can be wrong: each is one error line, no crash. */
static void test_corrupt(void)
{
    size_t size;
    uint8_t *good = synthetic(&size, 0x020f, 0x01);
    uint8_t *k = g_malloc(size);

#define MUTATE(what, offset, bytes, value, want)                                                   \
    do {                                                                                           \
        memcpy(k, good, size);                                                                     \
        memcpy(k + (offset), &(__typeof__(value)){ value }, bytes);                                \
        expect_error(what, k, size, 64 * MiB, NULL, 0, NULL, want);                                \
    } while (0)
    MUTATE("no boot flag", 0x1fe, 2, (uint16_t)0, "not a bzImage");
    MUTATE("no HdrS", 0x202, 4, (uint32_t)0x53726449, "not a bzImage");
    MUTATE("protocol 2.09", 0x206, 2, (uint16_t)0x0209, "too old");
    MUTATE("low-loaded zImage", 0x211, 1, (uint8_t)0, "LOADED_HIGH");
    MUTATE("set-up past the end", 0x1f1, 1, (uint8_t)200, "set-up bytes");
    MUTATE("syssize 0", 0x1f4, 4, (uint32_t)0, "kernel bytes");
    MUTATE("syssize past the end", 0x1f4, 4, (uint32_t)0xffffffff, "kernel bytes");
    MUTATE("init_size too small", 0x260, 4, (uint32_t)16, "init_size");
    MUTATE("alignment 3", 0x230, 4, (uint32_t)3, "kernel_alignment");
    MUTATE("alignment 0", 0x230, 4, (uint32_t)0, "kernel_alignment");
    MUTATE("cmdline_size 0", 0x238, 4, (uint32_t)0, "cmdline_size");
    MUTATE("decompressor past RAM", 0x260, 4, (uint32_t)0xfff00000, "needs RAM up to");
    MUTATE("pref_address past RAM", 0x258, 8, (uint64_t)0x80000000, "needs RAM up to");
    MUTATE("pref_address past 3 GiB", 0x258, 8, (uint64_t)1 << 62, "beyond any guest RAM");
    MUTATE("pref_address wrapping", 0x258, 8, (uint64_t)-0x100000, "beyond any guest RAM");
#undef MUTATE
    memcpy(k, good, size);
    k[0x236] = 0;    /* no 64-bit entry ... */
    k[0x216] = 0x20; /* ... and the 32-bit one at 2 MiB */
    expect_error("32-bit entry elsewhere", k, size, 64 * MiB, NULL, 0, NULL, "only 0x100000");

    /* Truncations: every length up to past the header, and the payload cut. */
    for (size_t len = 0; len < 0x300; len += 7)
        expect_error("truncated", good, len, 64 * MiB, NULL, 0, NULL, "");
    expect_error("payload cut", good, size - 17, 64 * MiB, NULL, 0, NULL, "kernel bytes");

    char *long_line = g_strnfill(256, 'x');
    expect_error("command line over cmdline_size", good, size, 64 * MiB, NULL, 0, long_line,
                 "command line of 256 bytes");
    g_free(long_line);
    static const uint8_t rd[8192];
    expect_error("initramfs over RAM", good, size, 18 * MiB + 4096, rd, sizeof(rd), NULL,
                 "does not fit");
    expect_error("RAM into the APIC window", good, size, 3 * 1024 * MiB + 4096, NULL, 0, NULL,
                 "at most 3072 MiB");
    g_free(k);
    g_free(good);
}

/* Random damage to a header: any verdict, but a defined one. Loading (and
 * so unpacking) only the synthetic image keeps this fast. */
static void test_fuzz(const char *what, const uint8_t *image, size_t size, bool load)
{
    uint8_t *k = g_memdup2(image, size);
    uint8_t *ram = load ? ram_new(64 * MiB) : NULL;
    GRand *rng = g_rand_new_with_seed(0x70480001);
    unsigned accepted = 0, rounds = load ? 2000 : 300;
    for (unsigned i = 0; i < rounds; i++) {
        memcpy(k, image, 0x300);
        for (int flips = g_rand_int_range(rng, 1, 6); flips > 0; flips--)
            k[g_rand_int_range(rng, 0x1f1, 0x268)] ^= (uint8_t)g_rand_int_range(rng, 1, 256);
        phc_linux_guest g = { k, size, NULL, 0, "console=ttyS0" };
        kvm_x86_linux_entry e;
        char err[256] = "";
        int rc = load ? kvm_x86_linux_load(ram, 64 * MiB, &g, &e, err, sizeof(err))
                      : kvm_x86_linux_check(k, size, err, sizeof(err));
        if (rc == 0)
            accepted++;
        else
            CHECK(err[0] && !strchr(err, '\n'), "%s fuzz %u: bad error '%s'", what, i, err);
    }
    printf("%s: %u damaged headers, %u still accepted, none crashed\n", what, rounds, accepted);
    g_rand_free(rng);
    if (ram)
        munmap(ram, 64 * MiB);
    g_free(k);
}

/* The host unpacked the kernel: every PT_LOAD segment (as readelf listed it,
 * "paddr:offset:filesz:memsz" in hex) is in RAM, bss zeroed, entry as given. */
static void check_unpacked(const uint8_t *k, size_t size, const char *vmlinux_path,
                           const char *entry_hex, char **segs, int nsegs)
{
    gchar *elf;
    gsize elf_size;
    if (!g_file_get_contents(vmlinux_path, &elf, &elf_size, NULL)) {
        CHECK(0, "cannot read %s", vmlinux_path);
        return;
    }
    uint64_t ram_size = 256 * MiB;
    uint8_t *ram = ram_new(ram_size);
    phc_linux_guest g = { k, size, NULL, 0, "console=ttyS0" };
    kvm_x86_linux_entry e;
    char err[256] = "";
    CHECK(kvm_x86_linux_load(ram, ram_size, &g, &e, err, sizeof(err)) == 0, "unpacked load: %s", err);
    CHECK(e.unpacked && e.mode == KVM_X86_LINUX_ENTRY_64, "the kernel was not unpacked on the host");
    CHECK(e.ip == g_ascii_strtoull(entry_hex, NULL, 16), "entry 0x%llx, readelf says %s",
          (unsigned long long)e.ip, entry_hex);
    for (int i = 0; i < nsegs; i++) {
        uint64_t paddr, offset, filesz, memsz;
        if (sscanf(segs[i], "%" SCNx64 ":%" SCNx64 ":%" SCNx64 ":%" SCNx64, &paddr, &offset, &filesz,
                   &memsz) != 4 || paddr + memsz > ram_size || offset + filesz > elf_size) {
            CHECK(0, "bad segment argument %s", segs[i]);
            continue;
        }
        CHECK(memcmp(ram + paddr, elf + offset, filesz) == 0, "segment at 0x%" PRIx64 " differs",
              paddr);
        bool zero = true;
        for (uint64_t b = filesz; b < memsz && zero; b++)
            zero = ram[paddr + b] == 0;
        CHECK(zero, "segment at 0x%" PRIx64 ": bss not zeroed", paddr);
    }
    printf("unpacked on the host: %d segments match readelf, entry %s\n", nsegs, entry_hex);
    munmap(ram, ram_size);
    g_free(elf);
}

/* Damage that only the unpacker sees: each a one-line error. */
static void test_unpack_corrupt(const uint8_t *real, size_t size)
{
    uint8_t *k = g_memdup2(real, size);
    unsigned setup = (real[0x1f1] + 1) * 512;
    uint32_t off = le(real + 0x248, 4), len = le(real + 0x24c, 4);

    memcpy(k + 0x24c, &(uint32_t){ (uint32_t)size }, 4);
    expect_error("payload past the end", k, size, 256 * MiB, NULL, 0, NULL, "outside the file");
    memcpy(k, real, size);
    memcpy(k + setup + off + len - 4, &(uint32_t){ 0xfffffff0 }, 4);
    expect_error("unpacked size too big", k, size, 256 * MiB, NULL, 0, NULL, "unpacks to");
    memcpy(k, real, size);
    k[setup + off + len / 2] ^= 0x55;
    expect_error("XZ stream damaged", k, size, 256 * MiB, NULL, 0, NULL, "does not unpack");
    g_free(k);
}

static void test_real(const char *path, int argc, char **argv)
{
    gchar *data;
    gsize size;
    GError *error = NULL;
    if (!g_file_get_contents(path, &data, &size, &error)) {
        CHECK(0, "%s", error->message);
        g_error_free(error);
        return;
    }
    const uint8_t *k = (const uint8_t *)data;
    char err[256];
    CHECK(kvm_x86_linux_is_bzimage(k, size), "%s: not recognised as a bzImage", path);
    CHECK(kvm_x86_linux_check(k, size, err, sizeof(err)) == 0, "%s: %s", path, err);
    printf("%s: protocol %u.%02u, init_size %u MiB\n", path, k[0x207], k[0x206],
           le(k + 0x260, 4) >> 20);
    check_loaded(path, k, size, 256 * MiB);
    /* Too little RAM for this kernel's decompressor: a clear refusal. */
    expect_error("real kernel in 32 MiB", k, size, 32 * MiB, NULL, 0, NULL, "needs RAM up to");
    test_fuzz("real header", k, size, false);
    if (argc >= 2) {
        check_unpacked(k, size, argv[0], argv[1], argv + 2, argc - 2);
        test_unpack_corrupt(k, size);
    }
    g_free(data);
}

int main(int argc, char **argv)
{
    test_synthetic();
    test_corrupt();
    size_t synthetic_size;
    uint8_t *synthetic_image = synthetic(&synthetic_size, 0x020f, 0x01);
    test_fuzz("synthetic header", synthetic_image, synthetic_size, true);
    g_free(synthetic_image);
    if (argc > 1)
        test_real(argv[1], argc - 2, argv + 2);
    else
        fprintf(stderr, "NOTE: no bzImage given: synthetic headers only\n");
    if (failures) {
        fprintf(stderr, "%u check(s) failed\n", failures);
        return 1;
    }
    puts("linux-boot: all checks passed");
    return 0;
}
