/* The call record: what one hypercall was, the same from every frontend. */
#ifndef PHC_CALL_H
#define PHC_CALL_H

#include <phc/vcpu.h>

typedef struct phc_call {
    uint64_t seq;  /* the trace's line number, from 0: assigned when the call is
                    * written, after its handler ran (a handler sees 0) */
    unsigned vcpu;
    const phc_abi *abi;
    uint64_t nr;   /* masked to the row's number width */
    uint64_t args[PHC_NARGS];
    uint64_t ret;  /* the return register after the call */
    bool handled;
} phc_call;

/* Fill nr and args from the vCPU through its ABI row (seq, ret left 0). */
void phc_call_read(phc_call *call, phc_vcpu *cpu);

#endif
