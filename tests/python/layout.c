/* The C compiler's offsets of the fields python/phc/_ffi.py declares to
 * cffi, as JSON, for check_layout.py to compare. No sizes: the binding only
 * reads these structs through pointers, so fields added after the ones it
 * declares (phc_abi.entry) change nothing for it. */
#include <stddef.h>
#include <stdio.h>
#include <phc/dispatcher.h>

#define FIELD(type, f) printf("\"%s.%s\": %zu, ", #type, #f, offsetof(type, f))

int main(void)
{
    printf("{");
    FIELD(phc_abi, arch);
    FIELD(phc_abi, name);
    FIELD(phc_abi, reg_bits);
    FIELD(phc_abi, nr_bits);
    FIELD(phc_abi, endian);
    FIELD(phc_abi, gpr);
    FIELD(phc_abi, reg_name);
    FIELD(phc_abi, sentinel_asm);
    FIELD(phc_vcpu, ops);
    FIELD(phc_vcpu, index);
    FIELD(phc_vcpu, abi);
    FIELD(phc_call, seq);
    FIELD(phc_call, vcpu);
    FIELD(phc_call, abi);
    FIELD(phc_call, nr);
    FIELD(phc_call, args);
    FIELD(phc_call, ret);
    FIELD(phc_call, handled);
    printf("\"PHC_NARGS\": %d, \"PHC_SLOT_COUNT\": %d, \"PHC_HANDLED\": %d, \"PHC_UNHANDLED\": %d, "
           "\"PHC_STOP\": %d, \"PHC_BIG_ENDIAN\": %d}\n",
           PHC_NARGS, PHC_SLOT_COUNT, PHC_HANDLED, PHC_UNHANDLED, PHC_STOP, PHC_BIG_ENDIAN);
    return 0;
}
