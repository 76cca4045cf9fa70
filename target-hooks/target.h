/*
 * One descriptor per architecture: what phc knows about it apart from any
 * engine. Each target-hooks/<arch>.c defines one phc_target; the table of
 * them, and the public enum phc_arch, are made from the list in
 * target-hooks/meson.build (see docs/adding-an-architecture.md).
 */
#ifndef PHC_TARGET_HOOKS_TARGET_H
#define PHC_TARGET_HOOKS_TARGET_H

#include <elf.h>
#include <phc/sentinel.h>

/*
 * A sentinel that is one 32-bit instruction word. @halfwords: the word is two
 * 16-bit units in memory, first unit high (T32), each in the row's byte order.
 */
typedef struct phc_target_sentinel {
    uint32_t word;
    bool halfwords;
} phc_target_sentinel;

/*
 * Where a row's ELF entry may be a function descriptor rather than code:
 * an entry inside @section is {code address, TOC pointer}, two words of the
 * row's width and byte order, which the program's loader follows. A file
 * whose e_flags & flags_mask equal flags_none has no descriptors.
 */
typedef struct phc_target_entry_desc {
    const char *section; /* NULL: the row's ELF entry is always code */
    uint32_t flags_mask;
    uint32_t flags_none;
} phc_target_entry_desc;

/*
 * How Unicorn, the TCG frontend's engine (accel/tcg/), runs a row whose
 * sentinel it executes as a no-op: the frontend's scanner (scan.c) finds
 * the sentinel in translated code. Unicorn's own ids, given through
 * PHC_TARGET_UNICORN. Rows Unicorn stops on by itself have their own
 * engine file there (x86.c, arm.c) instead.
 */
typedef struct phc_target_unicorn {
    /* non-NULL: Unicorn cannot run the row, and this says why; the rest
     * is unused */
    const char *refusal;
    int arch, mode; /* uc_arch, uc_mode */
    bool pick_cpu;  /* set cpu_model (UC_CPU_*) instead of Unicorn's default */
    int cpu_model;
    int pc_reg;
    int gpr0;           /* Unicorn's id of ISA register 0; register n < 32 is gpr0 + n */
    unsigned reg_bytes; /* width Unicorn reads and writes for a GPR: 4 or 8 */
} phc_target_unicorn;

/* In a row: its phc_target_unicorn from designated initializers, or
 * nothing in a build without Unicorn, whose ids it names. */
#ifdef PHC_HAVE_UNICORN
#include <unicorn/unicorn.h>
#define PHC_TARGET_UNICORN(...) .unicorn = &(const phc_target_unicorn){ __VA_ARGS__ },
#else
#define PHC_TARGET_UNICORN(...)
#endif

/* One ABI row and the ELF header fields that announce a program for it. */
typedef struct phc_target_row {
    phc_abi abi;
    uint16_t elf_machine; /* e_machine */
    uint8_t elf_class;    /* ELFCLASS32 or ELFCLASS64; 0: either */
    uint8_t elf_data;     /* ELFDATA2LSB or ELFDATA2MSB; 0: either */
    phc_target_entry_desc elf_entry_desc;
    const phc_target_unicorn *unicorn; /* NULL: none (see above) */
} phc_target_row;

typedef struct phc_target {
    const char *name; /* for people, in messages: "AArch64" */
    /* its rows, in phc_arch order (the order of its line in the list) */
    const phc_target_row *rows;
    unsigned nrows;
    /* the sentinel in each instruction-set state; none at all: x86, whose
     * sentinel is port semantics (phc_x86_io_is_hypercall) */
    const phc_target_sentinel *sentinel[PHC_ISA_T32 + 1];
    unsigned insn_align; /* bytes between possible instruction starts */
} phc_target;

/* Every target, in the list's order (generated: targets.c). */
extern const phc_target *const phc_targets[];
extern const unsigned phc_ntargets;

/* The target an ABI row belongs to, and the row's place in it. */
typedef struct phc_target_ref {
    const phc_target *target;
    unsigned row;
} phc_target_ref;

/* Indexed by phc_arch (generated: targets.c). */
extern const phc_target_ref phc_target_rows[PHC_ARCH_COUNT];

/* aarch64 (target-hooks/aarch64.c): where an HVC call carries a0. */
extern const unsigned phc_target_aarch64_hvc_arg0_gpr;

/* NULL for an arch outside the enum. */
const phc_target *phc_target_of(phc_arch arch);

#define PHC_TARGET_ROWS(r) .rows = (r), .nrows = sizeof(r) / sizeof((r)[0])

#endif
