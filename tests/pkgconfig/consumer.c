/* A program outside the project that links libphc found by pkg-config. */
#include <stdio.h>
#include <string.h>
#include <phc/dispatcher.h>
#include <phc/sentinel.h>

int main(void)
{
    phc_dispatcher *d = phc_dispatcher_new();
    bool ok = d && phc_abi_by_name("mipsel") &&
              phc_sentinel_word(PHC_ARCH_MIPSEL, PHC_ISA_DEFAULT) == 0x0000000a;
    phc_dispatcher_free(d);
    puts(ok ? "consumer ok" : "consumer broken");
    return ok ? 0 : 1;
}
