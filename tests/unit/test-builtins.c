/*
 * The runner's built-in hypercalls through the dispatcher: the round trip,
 * console writes with every kind of bad pointer and length a guest can
 * pass, and exit. A guest's values never reach memory it does not have.
 */
#include <stdlib.h>
#include <string.h>
#include <phc/builtins.h>
#include "check.h"
#include "fake-vcpu.h"

#define MEM_BASE UINT64_C(0x10000)

/* Memory holds 'a'..'z' repeating from MEM_BASE. */
static uint8_t mem_byte(uint64_t offset)
{
    return (uint8_t)('a' + offset % 26);
}

static char *console_buf;
static size_t console_len;

/* One call on a fresh vCPU of @arch; returns the return register. */
static uint64_t call(phc_dispatcher *d, phc_arch arch, uint64_t nr, uint64_t a0, uint64_t a1,
                     phc_dispatch_result *res)
{
    static fake_vcpu f;
    fake_vcpu_init(&f, phc_abi_get(arch), 0, MEM_BASE);
    for (size_t i = 0; i < FAKE_MEM; i++)
        f.mem[i] = mem_byte(i);
    *fake_slot(&f, PHC_SLOT_NR) = nr;
    *fake_slot(&f, PHC_SLOT_ARG0) = a0;
    *fake_slot(&f, PHC_SLOT_ARG1) = a1;
    *res = phc_dispatch(d, &f.base);
    return *fake_slot(&f, PHC_SLOT_RET);
}

/* A console write of (a0, a1) must return @want_ret and print @want_len
 * bytes of memory from a0 (as the guest's width sees it). */
static void check_console(phc_dispatcher *d, FILE *console, phc_arch arch, uint64_t a0, uint64_t a1,
                          uint64_t want_ret, size_t want_len)
{
    const phc_abi *abi = phc_abi_get(arch);
    uint64_t offset = phc_abi_mask(abi->reg_bits, a0) - MEM_BASE;
    phc_dispatch_result res;
    long before = ftell(console);
    uint64_t ret = call(d, arch, PHC_NR_CONSOLE, a0, a1, &res);
    fflush(console);
    CHECK(res.verdict == PHC_HANDLED, "%s console(0x%" PRIx64 ", 0x%" PRIx64 "): verdict %d", abi->name, a0,
          a1, res.verdict);
    CHECK_EQ(ret, phc_abi_mask(abi->reg_bits, want_ret), abi->name);
    size_t wrote = console_len - (size_t)before;
    CHECK(wrote == want_len, "%s console(0x%" PRIx64 ", %" PRIu64 "): wrote %zu bytes, want %zu", abi->name,
          a0, a1, wrote, want_len);
    for (size_t i = 0; i < wrote && i < want_len; i++)
        if ((uint8_t)console_buf[before + (long)i] != mem_byte(offset + i)) {
            CHECK(false, "%s console(0x%" PRIx64 "): byte %zu is '%c'", abi->name, a0, i, console_buf[before + (long)i]);
            break;
        }
}

int main(void)
{
    FILE *console = open_memstream(&console_buf, &console_len);
    phc_dispatcher *d = phc_dispatcher_new();
    CHECK(phc_builtins_register(d, PHC_BUILTIN_ALL, console), "register built-ins");
    CHECK(!phc_builtins_register(d, PHC_BUILTIN_TEST, console), "built-ins registered twice");

    phc_dispatch_result res;
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const phc_abi *abi = phc_abi_get((phc_arch)a);
        CHECK_EQ(call(d, abi->arch, 0xcafebabe, 1, 2, &res), 13, abi->name);
        CHECK(res.verdict == PHC_HANDLED, "%s: 0xcafebabe verdict", abi->name);

        check_console(d, console, abi->arch, MEM_BASE, 5, 5, 5);
        check_console(d, console, abi->arch, MEM_BASE + 25, 3, 3, 3);
        check_console(d, console, abi->arch, MEM_BASE, 0, 0, 0);
        /* the last bytes of memory, and one past them */
        check_console(d, console, abi->arch, MEM_BASE + FAKE_MEM - 1, 1, 1, 1);
        check_console(d, console, abi->arch, MEM_BASE + FAKE_MEM - 1, 2, PHC_EFAULT, 0);
        check_console(d, console, abi->arch, MEM_BASE - 1, 2, PHC_EFAULT, 0);
        check_console(d, console, abi->arch, 0, 4, PHC_EFAULT, 0);
        /* the longest write allowed, and one byte more */
        check_console(d, console, abi->arch, MEM_BASE, PHC_CONSOLE_MAX, PHC_CONSOLE_MAX, PHC_CONSOLE_MAX);
        check_console(d, console, abi->arch, MEM_BASE, PHC_CONSOLE_MAX + 1, PHC_EINVAL, 0);
        check_console(d, console, abi->arch, MEM_BASE, UINT64_MAX, PHC_EINVAL, 0);
        /* an address whose end wraps around the address space */
        check_console(d, console, abi->arch, UINT64_MAX - 1, 16, PHC_EFAULT, 0);

        call(d, abi->arch, PHC_NR_EXIT, 0x1234, 0, &res);
        CHECK(res.verdict == PHC_STOP, "%s: exit verdict %d", abi->name, res.verdict);
        CHECK_EQ(res.status, 0x34, abi->name);
    }

    /* 32-bit guests: address and length are their low 32 bits */
    check_console(d, console, PHC_ARCH_ARM, UINT64_C(0x100000000) | MEM_BASE, 2, 2, 2);
    check_console(d, console, PHC_ARCH_MIPS, MEM_BASE, UINT64_C(0x100000003), 3, 3);
    /* 64-bit guests see all 64 bits: the same values are far out of range */
    check_console(d, console, PHC_ARCH_AARCH64, UINT64_C(0x100000000) | MEM_BASE, 2, PHC_EFAULT, 0);
    check_console(d, console, PHC_ARCH_AARCH64, MEM_BASE, UINT64_C(0x100000003), PHC_EINVAL, 0);

    /* only what was asked for is registered */
    phc_dispatcher *some = phc_dispatcher_new();
    CHECK(phc_builtins_register(some, PHC_BUILTIN_EXIT, console), "register exit only");
    uint64_t ret = call(some, PHC_ARCH_RISCV64, 0xcafebabe, 0x77, 0, &res);
    CHECK(res.verdict == PHC_UNHANDLED, "0xcafebabe handled without PHC_BUILTIN_TEST");
    CHECK_EQ(ret, 0x77, "riscv64 a0 (the return register) left alone");
    phc_dispatcher_free(some);

    phc_dispatcher_free(d);
    fclose(console);
    free(console_buf);
    return check_report("test-builtins");
}
