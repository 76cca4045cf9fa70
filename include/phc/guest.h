/*
 * <phc/guest.h>: the guest side of the Penguin hypercall ABI (docs/abi.md,
 * docs/guest.md). One call, phc_hypercall(nr, a0..a5), that executes
 * exactly the sentinel of the architecture it is compiled for, with the
 * number and arguments in that row's registers, and returns the row's
 * answer register.
 *
 * Needs nothing but the compiler (GCC or Clang inline assembly): usable in
 * freestanding code (-ffreestanding -nostdlib), in Linux userspace and in
 * a Linux kernel module alike.
 *
 * - Rows with fewer than six argument registers ignore the extra arguments:
 *   MIPS passes a0..a3 only (the host reads the fifth and sixth as 0).
 * - The call changes only the answer register and whatever memory the
 *   host's handler writes; it is a compiler barrier for memory.
 * - An unhandled number leaves the answer register as it was: the number
 *   on x86 and MIPS (the register that carried it), a0 everywhere else.
 * - AArch64 has two forms, chosen at compile time: the MSR sentinel, which
 *   TCG engines catch, or, with PHC_HYPERCALL_HVC defined before this
 *   header is included, the SMCCC HVC that phc's ARM64 KVM VMM takes
 *   (docs/kvm-arm64.md). The MSR form is UNDEFINED under KVM.
 * - x86 uses port IO, which Linux userspace may not do until it is given
 *   the port: call phc_hypercall_allow_port() once (needs CAP_SYS_RAWIO).
 * - ARM32 code must be A32 or Thumb-2: Thumb-1 has no coprocessor moves.
 */
#ifndef PHC_GUEST_H
#define PHC_GUEST_H

#include <phc/numbers.h>

/* The function ID of the AArch64 HVC form (SMCCC fast call, 64-bit
 * convention, vendor hypervisor service, 0x5048 "PH"). */
#define PHC_HVC_FUNCTION_ID 0xc6005048ul

#define PHC_HC_ARGS unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2, \
                    unsigned long a3, unsigned long a4, unsigned long a5

#if defined(__x86_64__)

/* outl %eax, $0x88: number in eax, a0..a5 in rdi rsi rdx r10 r8 r9, answer
 * in rax. Only the 32-bit OUT is a call: the number is eax's 32 bits. */
static inline unsigned long phc_hypercall(PHC_HC_ARGS)
{
    register unsigned long r10 __asm__("r10") = a3;
    register unsigned long r8 __asm__("r8") = a4;
    register unsigned long r9 __asm__("r9") = a5;
    unsigned long ret = nr;
    __asm__ __volatile__("outl %%eax, $0x88"
                         : "+a"(ret)
                         : "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                         : "memory");
    return ret;
}

#elif defined(__i386__)

/*
 * The same OUT with the 32-bit register set: a0..a5 in ebx ecx edx esi edi
 * ebp. ebp may be the frame pointer, so a5 goes there only around the OUT:
 * pushed first (its operand is read before the push moves esp), then ebp
 * is saved and loaded from the stack and restored after.
 */
static inline unsigned long phc_hypercall(PHC_HC_ARGS)
{
    unsigned long ret = nr;
    __asm__ __volatile__("pushl %[a5]\n\t"
                         "pushl %%ebp\n\t"
                         "movl 4(%%esp), %%ebp\n\t"
                         "outl %%eax, $0x88\n\t"
                         "popl %%ebp\n\t"
                         "addl $4, %%esp"
                         : "+a"(ret)
                         : "b"(a0), "c"(a1), "d"(a2), "S"(a3), "D"(a4), [a5] "g"(a5)
                         : "memory");
    return ret;
}

#elif defined(__arm__)

#if defined(__thumb__) && !defined(__thumb2__)
#error "<phc/guest.h>: the ARM32 sentinel (mcr p7) needs A32 or Thumb-2 code; build with -marm or a Thumb-2 -march"
#endif

/*
 * mcr p7, 0, r0, c0, c0, 0: number in r7, a0..a5 in r0..r5, answer in r0.
 * r7 is the Thumb frame pointer, so it is loaded only around the sentinel
 * and restored from a scratch register after.
 */
static inline unsigned long phc_hypercall(PHC_HC_ARGS)
{
    register unsigned long r0 __asm__("r0") = a0;
    register unsigned long r1 __asm__("r1") = a1;
    register unsigned long r2 __asm__("r2") = a2;
    register unsigned long r3 __asm__("r3") = a3;
    register unsigned long r4 __asm__("r4") = a4;
    register unsigned long r5 __asm__("r5") = a5;
    unsigned long saved;
    __asm__ __volatile__("mov %0, r7\n\t"
                         "mov r7, %1\n\t"
                         "mcr p7, 0, r0, c0, c0, 0\n\t"
                         "mov r7, %0"
                         : "=&r"(saved), "+r"(nr), "+r"(r0)
                         : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5)
                         : "memory");
    return r0;
}

#elif defined(__aarch64__)

/* Number in x8, a0..a5 in x0..x5, answer in x0. The HVC form moves a0 to
 * x6 and puts the function ID in x0; the host moves it back, so the call
 * is the same call (docs/kvm-arm64.md). */
static inline unsigned long phc_hypercall(PHC_HC_ARGS)
{
#ifdef PHC_HYPERCALL_HVC
    register unsigned long x0 __asm__("x0") = PHC_HVC_FUNCTION_ID;
    register unsigned long x6 __asm__("x6") = a0;
#define PHC_HC_INSN "hvc #0"
#define PHC_HC_X6 , "r"(x6)
#else
    register unsigned long x0 __asm__("x0") = a0;
#define PHC_HC_INSN "msr S0_0_c5_c0_0, xzr"
#define PHC_HC_X6
#endif
    register unsigned long x1 __asm__("x1") = a1;
    register unsigned long x2 __asm__("x2") = a2;
    register unsigned long x3 __asm__("x3") = a3;
    register unsigned long x4 __asm__("x4") = a4;
    register unsigned long x5 __asm__("x5") = a5;
    register unsigned long x8 __asm__("x8") = nr;
    __asm__ __volatile__(PHC_HC_INSN
                         : "+r"(x0)
                         : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x8) PHC_HC_X6
                         : "memory");
#undef PHC_HC_INSN
#undef PHC_HC_X6
    return x0;
}

#elif defined(__mips__)

#if defined(__mips16) || defined(__mips_micromips)
#error "<phc/guest.h>: the MIPS sentinel is a 32-bit MIPS instruction; build without -mips16/-mmicromips"
#endif

/* movz $0, $0, $0: number in v0, a0..a3 in a0..a3 (a4, a5 are ignored:
 * the row has no fifth or sixth register), answer in v0. */
static inline unsigned long phc_hypercall(PHC_HC_ARGS)
{
    register unsigned long v0 __asm__("$2") = nr;
    register unsigned long r4 __asm__("$4") = a0;
    register unsigned long r5 __asm__("$5") = a1;
    register unsigned long r6 __asm__("$6") = a2;
    register unsigned long r7 __asm__("$7") = a3;
    (void)a4, (void)a5;
    __asm__ __volatile__("movz $0, $0, $0" : "+r"(v0) : "r"(r4), "r"(r5), "r"(r6), "r"(r7) : "memory");
    return v0;
}

#elif defined(__powerpc__)

/* xori 10, 10, 0: number in r0, a0..a5 in r3..r8, answer in r3. */
static inline unsigned long phc_hypercall(PHC_HC_ARGS)
{
    register unsigned long r0 __asm__("r0") = nr;
    register unsigned long r3 __asm__("r3") = a0;
    register unsigned long r4 __asm__("r4") = a1;
    register unsigned long r5 __asm__("r5") = a2;
    register unsigned long r6 __asm__("r6") = a3;
    register unsigned long r7 __asm__("r7") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    __asm__ __volatile__("xori 10, 10, 0"
                         : "+r"(r3)
                         : "r"(r0), "r"(r4), "r"(r5), "r"(r6), "r"(r7), "r"(r8)
                         : "memory");
    return r3;
}

#elif defined(__riscv) || defined(__loongarch__)

/* RISC-V `xori x0, x0, 0`, LoongArch `cpucfg $r0, $r0`: number in a7,
 * a0..a5 in a0..a5, answer in a0 (LoongArch a0 = $r4, a7 = $r11). */
#ifdef __riscv
#define PHC_HC_INSN "xori x0, x0, 0"
#define PHC_HC_REG(riscv, loongarch) __asm__(riscv)
#else
#define PHC_HC_INSN "cpucfg $r0, $r0"
#define PHC_HC_REG(riscv, loongarch) __asm__(loongarch)
#endif
static inline unsigned long phc_hypercall(PHC_HC_ARGS)
{
    register unsigned long r_a7 PHC_HC_REG("a7", "$r11") = nr;
    register unsigned long r_a0 PHC_HC_REG("a0", "$r4") = a0;
    register unsigned long r_a1 PHC_HC_REG("a1", "$r5") = a1;
    register unsigned long r_a2 PHC_HC_REG("a2", "$r6") = a2;
    register unsigned long r_a3 PHC_HC_REG("a3", "$r7") = a3;
    register unsigned long r_a4 PHC_HC_REG("a4", "$r8") = a4;
    register unsigned long r_a5 PHC_HC_REG("a5", "$r9") = a5;
    __asm__ __volatile__(PHC_HC_INSN
                         : "+r"(r_a0)
                         : "r"(r_a7), "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5)
                         : "memory");
    return r_a0;
}
#undef PHC_HC_INSN
#undef PHC_HC_REG

#else
#error "<phc/guest.h>: no Penguin hypercall ABI row for this architecture"
#endif

#undef PHC_HC_ARGS

#if (defined(__x86_64__) || defined(__i386__)) && defined(__linux__) && !defined(__KERNEL__) && \
    __STDC_HOSTED__
#include <sys/io.h>
/* Linux userspace: let this process (and its threads) write the hypercall
 * port. 0 on success, -1 with errno (EPERM without CAP_SYS_RAWIO). iopl(3)
 * also works, and opens every port. */
static inline int phc_hypercall_allow_port(void)
{
    return ioperm(PHC_X86_HYPERCALL_PORT, 4, 1);
}
#endif

#endif
