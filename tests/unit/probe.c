/*
 * A command-line window on the library for the Python oracles: they produce
 * the expected answers with independent tools (assemblers, disassemblers,
 * DESIGN.md's text) and ask this program what the library says.
 *
 *   probe match ARCH ISA FILE   one line per 4-byte slot of FILE: the length
 *                               phc_sentinel_match returns there
 *   probe word ARCH ISA         phc_sentinel_word, the row's sentinel_asm
 *                               and phc_sentinel_bytes
 *   probe x86io in|out PORT SIZE COUNT    1 if a hypercall, else 0
 *   probe abi                   every ABI row, one line each
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe-args.h"

static int usage(void)
{
    fputs("usage: probe match ARCH ISA FILE | word ARCH ISA | "
          "x86io in|out PORT SIZE COUNT | abi\n", stderr);
    return 2;
}

static int cmd_match(phc_arch arch, phc_isa isa, const char *path)
{
    size_t len;
    uint8_t *code = probe_read_file(path, &len);
    if (!code)
        return 2;
    /* Each slot sees the rest of the file, as a frontend sees the rest of
     * a block: the matcher must decide from the first four bytes alone. */
    for (size_t off = 0; off + 4 <= len; off += 4)
        printf("%zu\n", phc_sentinel_match(arch, isa, code + off, len - off));
    free(code);
    return 0;
}

static int cmd_word(phc_arch arch, phc_isa isa)
{
    uint8_t b[4];
    size_t n = phc_sentinel_bytes(arch, isa, b);
    printf("word 0x%08x\n", phc_sentinel_word(arch, isa));
    printf("asm %s\n", phc_abi_get(arch)->sentinel_asm);
    printf("bytes");
    for (size_t i = 0; i < n; i++)
        printf(" %02x", b[i]);
    printf("\n");
    return 0;
}

static int cmd_x86io(char **argv)
{
    phc_io_event io;
    unsigned long port, size, count;
    if (strcmp(argv[0], "in") == 0)
        io.dir = PHC_IO_IN;
    else if (strcmp(argv[0], "out") == 0)
        io.dir = PHC_IO_OUT;
    else
        return usage();
    if (!probe_parse_ulong(argv[1], 0xffff, &port) || !probe_parse_ulong(argv[2], 0xff, &size) ||
        !probe_parse_ulong(argv[3], UINT32_MAX, &count))
        return usage();
    io.port = (uint16_t)port;
    io.size = (uint8_t)size;
    io.count = (uint32_t)count;
    printf("%d\n", phc_x86_io_is_hypercall(&io));
    return 0;
}

static const char *endian_name(phc_endian e)
{
    return e == PHC_BIG_ENDIAN ? "big" : "little";
}

static int cmd_abi(void)
{
    /* name reg_bits nr_bits endian, then the eight slots as ISA numbers
     * ("-" for none) in phc_slot order: nr arg0..arg5 ret, then "|" and
     * the row's names for the same eight */
    for (unsigned a = 0; a < PHC_ARCH_COUNT; a++) {
        const phc_abi *abi = phc_abi_get((phc_arch)a);
        printf("%s %u %u %s", abi->name, abi->reg_bits, abi->nr_bits, endian_name(abi->endian));
        for (unsigned s = 0; s < PHC_SLOT_COUNT; s++) {
            if (abi->gpr[s] == PHC_GPR_NONE)
                printf(" -");
            else
                printf(" %u", abi->gpr[s]);
        }
        printf(" |");
        for (unsigned s = 0; s < PHC_SLOT_COUNT; s++)
            printf(" %s", abi->reg_name[s]);
        printf("\n");
    }
    return 0;
}

int main(int argc, char **argv)
{
    phc_arch arch;
    phc_isa isa;
    if (argc == 5 && strcmp(argv[1], "match") == 0 && probe_parse_target(argv[2], argv[3], &arch, &isa))
        return cmd_match(arch, isa, argv[4]);
    if (argc == 4 && strcmp(argv[1], "word") == 0 && probe_parse_target(argv[2], argv[3], &arch, &isa))
        return cmd_word(arch, isa);
    if (argc == 6 && strcmp(argv[1], "x86io") == 0)
        return cmd_x86io(argv + 2);
    if (argc == 2 && strcmp(argv[1], "abi") == 0)
        return cmd_abi();
    return usage();
}
