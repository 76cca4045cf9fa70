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

const phc_abi phc_abi_x86_64 = {
    .arch = PHC_ARCH_X86_64, .name = "x86_64", .reg_bits = 64, .nr_bits = 32,
    .endian = PHC_LITTLE_ENDIAN,
    .gpr = { RAX, RDI, RSI, RDX, R10, R8, R9, RAX },
    .reg_name = { "eax", "rdi", "rsi", "rdx", "r10", "r8", "r9", "rax" },
    .sentinel_asm = "outl %eax, $0x88",
};

const phc_abi phc_abi_i386 = {
    .arch = PHC_ARCH_I386, .name = "i386", .reg_bits = 32, .nr_bits = 32,
    .endian = PHC_LITTLE_ENDIAN,
    .gpr = { RAX, RBX, RCX, RDX, RSI, RDI, RBP, RAX },
    .reg_name = { "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "eax" },
    .sentinel_asm = "outl %eax, $0x88",
};

bool phc_x86_io_is_hypercall(const phc_io_event *io)
{
    return io->dir == PHC_IO_OUT && io->port == PHC_X86_HYPERCALL_PORT &&
           io->size == 4 && io->count == 1;
}
