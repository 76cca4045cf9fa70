/* What each target-hooks file exports: its ABI rows and its sentinel. */
#ifndef PHC_TARGET_H
#define PHC_TARGET_H

#include <phc/sentinel.h>

extern const phc_abi phc_abi_x86_64, phc_abi_i386;
extern const phc_abi phc_abi_arm;
extern const phc_abi phc_abi_aarch64;
extern const phc_abi phc_abi_mips, phc_abi_mipsel, phc_abi_mips64, phc_abi_mips64el;
extern const phc_abi phc_abi_ppc, phc_abi_ppc64;
extern const phc_abi phc_abi_riscv32, phc_abi_riscv64;
extern const phc_abi phc_abi_loongarch64;

/*
 * A sentinel that is one 32-bit instruction word. @halfwords: the word is two
 * 16-bit units in memory, first unit high (T32), each in the row's byte order.
 */
typedef struct phc_word_sentinel {
    uint32_t word;
    bool halfwords;
} phc_word_sentinel;

extern const phc_word_sentinel phc_sentinel_arm_a32, phc_sentinel_arm_t32;
extern const phc_word_sentinel phc_sentinel_aarch64;
extern const phc_word_sentinel phc_sentinel_mips;
extern const phc_word_sentinel phc_sentinel_ppc;
extern const phc_word_sentinel phc_sentinel_riscv;
extern const phc_word_sentinel phc_sentinel_loongarch;

#endif
