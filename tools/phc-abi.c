/* phc-abi: print the hypercall ABI table and every sentinel's bytes. */
#include <stdio.h>
#include <phc/sentinel.h>

static void print_bytes(const phc_abi *abi, phc_isa isa)
{
    uint8_t b[4];
    phc_sentinel_bytes(abi->arch, isa, b);
    printf(" %s 0x%08x = %02x %02x %02x %02x", isa == PHC_ISA_T32 ? "T32" : "word",
           phc_sentinel_word(abi->arch, isa), b[0], b[1], b[2], b[3]);
}

int main(void)
{
    printf("%-12s %-4s %-5s %-34s %-4s %s\n", "arch", "bits", "nr", "args", "ret", "sentinel");
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const phc_abi *abi = phc_abi_get(a);
        char args[64];
        int n = 0;
        for (unsigned i = 0; i < PHC_NARGS; i++)
            n += snprintf(args + n, sizeof(args) - n, "%s%s", i ? " " : "", abi->reg_name[PHC_ARG_SLOT(i)]);
        printf("%-12s %-4u %-5s %-34s %-4s %s:", abi->name, abi->reg_bits, abi->reg_name[PHC_SLOT_NR],
               args, abi->reg_name[PHC_SLOT_RET], abi->sentinel_asm);
        if (a == PHC_ARCH_X86_64 || a == PHC_ARCH_I386) {
            printf(" OUT port 0x%x, size 4, count 1 (e7 88)", PHC_X86_HYPERCALL_PORT);
        } else {
            print_bytes(abi, PHC_ISA_A32);
            if (a == PHC_ARCH_ARM)
                print_bytes(abi, PHC_ISA_T32);
        }
        putchar('\n');
    }
    return 0;
}
