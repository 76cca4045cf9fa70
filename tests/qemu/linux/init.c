/*
 * /init of the QEMU Linux boots: Penguin hypercalls from Linux userspace on
 * every architecture with a Linux machine, built static with Debian's cross
 * gcc. The sentinels and registers are DESIGN.md section 2's (the ABI row
 * of the architecture); the test compares the trace with them.
 *
 * It makes the test call, a console write of a buffer that crosses a page
 * boundary (the handler must walk this process's page tables for both
 * pages), and the exit call with a bit mask of what failed (0: all passed).
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NR_TEST 0xcafebabeUL
#define NR_CONSOLE 0x70480001UL
#define NR_EXIT 0x70480000UL
#define TEST_ANSWER 13

enum { FAILED_TEST_CALL = 1 << 0, FAILED_CONSOLE = 1 << 1, FAILED_MMAP = 1 << 2 };

typedef unsigned long reg;

static reg hypercall(reg nr, reg a0, reg a1, reg a2, reg a3)
{
#if defined(__x86_64__)
    register reg r10 __asm__("r10") = a3;
    reg ret = nr;
    __asm__ volatile("outl %%eax, $0x88" : "+a"(ret) : "D"(a0), "S"(a1), "d"(a2), "r"(r10) : "memory");
    return ret;
#elif defined(__aarch64__)
    register reg x8 __asm__("x8") = nr, x0 __asm__("x0") = a0, x1 __asm__("x1") = a1,
                 x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;
    __asm__ volatile("msr S0_0_c5_c0_0, xzr" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
    return x0;
#elif defined(__arm__)
    register reg r7 __asm__("r7") = nr, r0 __asm__("r0") = a0, r1 __asm__("r1") = a1,
                 r2 __asm__("r2") = a2, r3 __asm__("r3") = a3;
    __asm__ volatile("mcr p7, 0, r0, c0, c0, 0" : "+r"(r0) : "r"(r7), "r"(r1), "r"(r2), "r"(r3) : "memory");
    return r0;
#elif defined(__mips__)
    register reg v0 __asm__("$2") = nr, a0r __asm__("$4") = a0, a1r __asm__("$5") = a1,
                 a2r __asm__("$6") = a2, a3r __asm__("$7") = a3;
    __asm__ volatile("movz $0, $0, $0" : "+r"(v0) : "r"(a0r), "r"(a1r), "r"(a2r), "r"(a3r) : "memory");
    return v0;
#elif defined(__powerpc__)
    register reg r0 __asm__("r0") = nr, r3 __asm__("r3") = a0, r4 __asm__("r4") = a1,
                 r5 __asm__("r5") = a2, r6 __asm__("r6") = a3;
    __asm__ volatile("xori 10, 10, 0" : "+r"(r3) : "r"(r0), "r"(r4), "r"(r5), "r"(r6) : "memory");
    return r3;
#else
#error "no Penguin hypercall for this architecture"
#endif
}

int main(void)
{
    static const char line[] = "phc-init: hello across a page boundary\n";
    int failed = 0;

    if (hypercall(NR_TEST, 1, 2, 3, 4) != TEST_ANSWER)
        failed |= FAILED_TEST_CALL;

    long page = sysconf(_SC_PAGESIZE);
    char *two = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (two == MAP_FAILED) {
        failed |= FAILED_MMAP;
    } else {
        char *buf = two + page - 16; /* 16 bytes on the first page, the rest on the second */
        memcpy(buf, line, sizeof(line) - 1);
        if (hypercall(NR_CONSOLE, (reg)buf, sizeof(line) - 1, 0, 0) != sizeof(line) - 1)
            failed |= FAILED_CONSOLE;
    }

    hypercall(NR_EXIT, (reg)failed, 0, 0, 0);
    for (;;)
        pause();
}
