/*
 * x86: the sentinel is port semantics, not bytes. The guest driver does
 * `outl %eax, $0x88`; a KVM exit reports only (direction, port, size, count),
 * so `out %eax, %dx` with DX = 0x88 is the same event and must be the same
 * call under TCG. Byte and word OUTs to 0x88, neighbouring ports, INs and
 * repeated string OUTs are ordinary port IO.
 *
 * The register set follows the CPU mode at the call: 64-bit code (CS.L = 1)
 * uses the x86-64 row, anything else the i386 row. The number is EAX, the
 * 32 bits the OUT writes, in both modes.
 */
#include "target.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11 };

static const phc_target_row rows[] = {
    {
        .abi = {
            .arch = PHC_ARCH_X86_64, .name = "x86_64", .reg_bits = 64, .nr_bits = 32,
            .endian = PHC_LITTLE_ENDIAN,
            .gpr = { RAX, RDI, RSI, RDX, R10, R8, R9, RAX },
            .reg_name = { "eax", "rdi", "rsi", "rdx", "r10", "r8", "r9", "rax" },
            .sentinel_asm = "outl %eax, $0x88",
            .entry = { .sp_gpr = RSP, .frame = 8 },
        },
        .elf_machine = EM_X86_64,
    },
    {
        .abi = {
            .arch = PHC_ARCH_I386, .name = "i386", .reg_bits = 32, .nr_bits = 32,
            .endian = PHC_LITTLE_ENDIAN,
            .gpr = { RAX, RBX, RCX, RDX, RSI, RDI, RBP, RAX },
            .reg_name = { "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "eax" },
            .sentinel_asm = "outl %eax, $0x88",
            .entry = { .sp_gpr = RSP, .frame = 4 },
        },
        .elf_machine = EM_386,
    },
};

const phc_target phc_target_x86 = {
    .name = "x86", PHC_TARGET_ROWS(rows), .insn_align = 1,
};

bool phc_x86_io_is_hypercall(const phc_io_event *io)
{
    return io->dir == PHC_IO_OUT && io->port == PHC_X86_HYPERCALL_PORT &&
           io->size == 4 && io->count == 1;
}
