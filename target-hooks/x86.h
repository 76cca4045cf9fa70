/*
 * x86 facts both engines need (internal): the control-register and EFER
 * bits they read or set, and the rule for which ABI row is in force.
 */
#ifndef PHC_TARGET_HOOKS_X86_H
#define PHC_TARGET_HOOKS_X86_H

#include <phc/abi.h>

#define MSR_EFER 0xC0000080u
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)

/* Long mode is active (a 64-bit or a compatibility-mode code segment). */
static inline bool phc_target_x86_long_mode(uint64_t efer)
{
    return efer & EFER_LMA;
}

/* 64-bit code: long mode active and the code segment's L bit set. */
static inline bool phc_target_x86_code64(uint64_t efer, bool cs_l)
{
    return phc_target_x86_long_mode(efer) && cs_l;
}

/* The row in force at a call follows the CPU mode, not the image: 64-bit
 * code uses the x86_64 row, anything else (legacy, compatibility or real
 * mode) the i386 row. */
static inline const phc_abi *phc_target_x86_row(bool code64)
{
    return phc_abi_get(code64 ? PHC_ARCH_X86_64 : PHC_ARCH_I386);
}

#endif
