/*
 * /init of the test initramfs: makes Penguin hypercalls from Linux userspace
 * the way Penguin's guest tools do on x86-64 (iopl(3), then outl %eax,$0x88
 * with the number in EAX and the arguments in RDI RSI RDX R10), loads the
 * test module, and ends the machine with the exit call. The exit status is a
 * bit mask of what failed, so 0 means everything passed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_TEST 0xcafebabeu
#define NR_CONSOLE 0x70480001u
#define NR_EXIT 0x70480000u
#define TEST_ANSWER 13

/* Failure bits of the exit status. */
enum {
    FAILED_TEST_CALL = 1 << 0,
    FAILED_CONSOLE = 1 << 1,
    FAILED_MODULE = 1 << 2,
    NO_MODULE = 1 << 3, /* the initramfs holds no module (no kernel headers) */
    FAILED_IOPL = 1 << 4,
    FAILED_CROSSING = 1 << 5,
};

#define MODULE_PATH "/phc_test.ko"

static uint64_t hypercall(uint32_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    uint64_t ret = nr;
    register uint64_t r10 __asm__("r10") = a3;
    __asm__ volatile("outl %%eax, $0x88"
                     : "+a"(ret)
                     : "D"(a0), "S"(a1), "d"(a2), "r"(r10)
                     : "memory");
    return ret;
}

/* Diagnostics go through the console hypercall: no /dev/console needed. */
static uint64_t say(const char *text)
{
    return hypercall(NR_CONSOLE, (uintptr_t)text, strlen(text), 0, 0);
}

/*
 * A console write of a string that starts 20 bytes before the end of one
 * page and ends in the next: the handler must walk both pages (their frames
 * are unrelated). The text says where it starts, for the test to compare
 * with the address in the trace.
 */
static int write_across_pages(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *two = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (two == MAP_FAILED)
        return FAILED_CROSSING;
    char text[80];
    char *start = two + page - 20;
    int len = snprintf(text, sizeof(text), "phc-init: this line crosses a page boundary at %p\n",
                       (void *)(two + page));
    memcpy(start, text, (size_t)len); /* both pages are now present */
    int failed = hypercall(NR_CONSOLE, (uintptr_t)start, (uint64_t)len, 0, 0) != (uint64_t)len;
    munmap(two, 2 * (size_t)page);
    return failed ? FAILED_CROSSING : 0;
}

static int load_module(void)
{
    char line[160];
    int fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NO_MODULE;
    long rc = syscall(SYS_finit_module, fd, "", 0);
    close(fd);
    if (rc == 0)
        return 0;
    snprintf(line, sizeof(line), "phc-init: finit_module(%s) failed: %m\n", MODULE_PATH);
    say(line);
    return FAILED_MODULE;
}

int main(void)
{
    int failed = 0;
    if (iopl(3) != 0) {
        /* Without port access not even the exit call works: the kernel
         * panics when init ends, and the runner's limit ends the run. */
        return FAILED_IOPL;
    }

    if (hypercall(NR_TEST, 1, 2, 3, 4) != TEST_ANSWER)
        failed |= FAILED_TEST_CALL;

    /* Built at run time on the stack, so the page is present and the handler
     * must walk this process's page tables to find it. */
    char hello[96];
    int len = snprintf(hello, sizeof(hello), "phc-init: hello from pid %d in Linux userspace\n",
                       (int)getpid());
    if (hypercall(NR_CONSOLE, (uintptr_t)hello, (uint64_t)len, 0, 0) != (uint64_t)len)
        failed |= FAILED_CONSOLE;
    failed |= write_across_pages();

    failed |= load_module();

    char verdict[64];
    snprintf(verdict, sizeof(verdict), "phc-init: exit status %d\n", failed);
    say(verdict);
    hypercall(NR_EXIT, (uint64_t)failed, 0, 0, 0);
    /* Only reached if no exit handler is registered (--no-builtins). */
    for (;;)
        pause();
}
