/* The Penguin hypercall ABI: one row per guest architecture and mode. */
#ifndef PHC_ABI_H
#define PHC_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* phc_arch: PHC_ARCH_X86_64 .. PHC_ARCH_COUNT, one per ABI row below. */
#include <phc/arch.h>

/* The registers a hypercall touches, named by role rather than by register. */
typedef enum phc_slot {
    PHC_SLOT_NR,
    PHC_SLOT_ARG0,
    PHC_SLOT_ARG1,
    PHC_SLOT_ARG2,
    PHC_SLOT_ARG3,
    PHC_SLOT_ARG4,
    PHC_SLOT_ARG5,
    PHC_SLOT_RET,
    PHC_SLOT_COUNT
} phc_slot;

#define PHC_NARGS 6
#define PHC_ARG_SLOT(i) ((phc_slot)(PHC_SLOT_ARG0 + (i)))

/* Slot mapped to no register: reads as zero, writes are ignored. */
#define PHC_GPR_NONE 0xff

typedef enum phc_endian { PHC_LITTLE_ENDIAN, PHC_BIG_ENDIAN } phc_endian;

/*
 * How a vCPU starts (docs/entry.md): as if its entry were a C function
 * called, with no arguments, from address 0 by a caller whose stack ends at
 * the top of RAM. Register numbers as in the row; 0 in addr_gpr and toc_gpr
 * means none (no row needs register 0 there).
 */
typedef struct phc_entry_abi {
    uint8_t sp_gpr;   /* the stack pointer (aarch64: 31, meaning SP) */
    uint8_t frame;    /* bytes of the caller's frame between sp and the top:
                       * a return address, or the header or argument save
                       * area the row's calling convention keeps there */
    uint8_t addr_gpr; /* gets the entry address (position-independent code
                       * that finds its globals from it) */
    uint8_t toc_gpr;  /* gets the image's TOC pointer (phc_image.toc, read
                       * from the entry's function descriptor) */
} phc_entry_abi;

/*
 * One ABI row. Registers are architectural general-register numbers as the
 * ISA numbers them (x86: rax=0 rcx=1 rdx=2 rbx=3 rsp=4 rbp=5 rsi=6 rdi=7
 * r8..r15=8..15; every other ISA: its own r0/x0.. numbering), so a frontend
 * only needs a table from ISA number to engine register, never an ABI list.
 */
typedef struct phc_abi {
    phc_arch arch;
    const char *name;      /* "i386": the -arch name and the trace name */
    unsigned reg_bits;     /* width of the registers the ABI reads: 32 or 64 */
    unsigned nr_bits;      /* width of the hypercall number (x86-64: 32, EAX) */
    phc_endian endian;
    uint8_t gpr[PHC_SLOT_COUNT];
    const char *reg_name[PHC_SLOT_COUNT];
    const char *sentinel_asm; /* the sentinel as its assembler spells it */
    phc_entry_abi entry;
} phc_abi;

const phc_abi *phc_abi_get(phc_arch arch);
/* NULL for an unknown name. */
const phc_abi *phc_abi_by_name(const char *name);
/* Space-separated list of every -arch name, for help and error messages. */
const char *phc_abi_names(void);

static inline uint64_t phc_abi_mask(unsigned bits, uint64_t v)
{
    return bits >= 64 ? v : v & ((UINT64_C(1) << bits) - 1);
}

#endif
