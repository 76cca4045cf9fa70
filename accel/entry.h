/*
 * The entry state every engine gives a guest (docs/entry.md): the same
 * registers at the first instruction under TCG and KVM, worked out here
 * from the ABI row and the image so no engine has its own idea of it.
 */
#ifndef PHC_ACCEL_ENTRY_H
#define PHC_ACCEL_ENTRY_H

#include <phc/accel.h>

/* vCPU n's stack ends this far below vCPU n-1's. */
#define PHC_ENTRY_STACK_STRIDE 0x10000u

typedef struct phc_entry_reg {
    uint8_t gpr; /* ISA number, as in the ABI row */
    uint64_t value;
} phc_entry_reg;

typedef struct phc_entry {
    uint64_t pc;
    uint64_t sp;           /* for the row's entry.sp_gpr */
    unsigned nregs;
    phc_entry_reg regs[2]; /* others: the row's addr_gpr and toc_gpr */
} phc_entry;

/*
 * The entry state of vCPU @vcpu of a guest whose RAM ends at @top (the end
 * of the RAM the guest owns: below anything the machine keeps at the top).
 * Every register not named here starts as the engine always had it.
 */
void phc_entry_state(const phc_abi *abi, const phc_image *img, uint64_t top, unsigned vcpu,
                     phc_entry *e);

#endif

/*
 * A fault before the guest's first hypercall is most likely a guest that
 * never got going: append the likely cause (no stack, wrong load address
 * or entry) to @res's one line, from the vCPU's @pc and @sp at the fault
 * when @known (a triple fault leaves only the reset state: not known).
 * Leaves every other result alone.
 */
void phc_entry_explain_fault(phc_run_result *res, const phc_run_config *cfg, bool known, uint64_t pc,
                             uint64_t sp);
