/* The entry state: a C function called from address 0 (docs/entry.md). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "entry.h"

/* Every ABI here wants at most 16-byte stack alignment at a call. */
#define STACK_ALIGN 16u

void phc_entry_state(const phc_abi *abi, const phc_image *img, uint64_t top, unsigned vcpu,
                     phc_entry *e)
{
    const phc_entry_abi *row = &abi->entry;
    uint64_t below = (uint64_t)vcpu * PHC_ENTRY_STACK_STRIDE;
    top &= ~(uint64_t)(STACK_ALIGN - 1);
    if (below >= top)
        below = 0; /* RAM too small for a stack per vCPU: they share the top one */
    *e = (phc_entry){ .pc = img->entry, .sp = top - below - row->frame };
    if (row->addr_gpr)
        e->regs[e->nregs++] = (phc_entry_reg){ row->addr_gpr, img->entry };
    if (row->toc_gpr)
        e->regs[e->nregs++] = (phc_entry_reg){ row->toc_gpr, img->toc };
}

static bool in_image(const phc_image *img, uint64_t addr)
{
    for (size_t i = 0; img && i < img->nsegs; i++)
        if (addr >= img->segs[i].addr && addr - img->segs[i].addr < img->segs[i].memsz)
            return true;
    return false;
}

void phc_entry_explain_fault(phc_run_result *res, const phc_run_config *cfg, bool known, uint64_t pc,
                             uint64_t sp)
{
    if (res->end != PHC_END_FAULT || cfg->linux_guest || !cfg->image ||
        phc_dispatcher_total(cfg->dispatcher) != 0)
        return;
    size_t used = strlen(res->reason);
    char *tail = res->reason + used;
    size_t room = sizeof(res->reason) - used;
    if (!known)
        snprintf(tail, room, "; before any hypercall: docs/entry.md lists the usual causes");
    else if (sp == 0 || sp > cfg->mem_size)
        snprintf(tail, room, "; before any hypercall, with sp %#" PRIx64 " outside RAM: no stack? "
                 "(docs/entry.md)", sp);
    else if (!in_image(cfg->image, pc))
        snprintf(tail, room, "; before any hypercall, at a pc outside the image: wrong load "
                 "address or entry point? (docs/entry.md)");
    else
        snprintf(tail, room, "; before any hypercall: docs/entry.md lists the usual causes");
}
