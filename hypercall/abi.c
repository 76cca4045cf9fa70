/* The ABI rows of every target, by arch and by name. */
#include <pthread.h>
#include <string.h>
#include "../target-hooks/target.h"

const phc_target *phc_target_of(phc_arch arch)
{
    return (unsigned)arch < PHC_ARCH_COUNT ? phc_target_rows[arch].target : NULL;
}

const phc_abi *phc_abi_get(phc_arch arch)
{
    if ((unsigned)arch >= PHC_ARCH_COUNT)
        return NULL;
    const phc_target_ref *r = &phc_target_rows[arch];
    /* a meson.build line naming more rows than the file has: no row */
    return r->row < r->target->nrows ? &r->target->rows[r->row].abi : NULL;
}

const phc_abi *phc_abi_by_name(const char *name)
{
    for (unsigned i = 0; i < PHC_ARCH_COUNT; i++)
        if (strcmp(phc_abi_get(i)->name, name) == 0)
            return phc_abi_get(i);
    return NULL;
}

static char names[256];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void list_names(void)
{
    size_t n = 0;
    for (unsigned i = 0; i < PHC_ARCH_COUNT; i++) {
        const char *name = phc_abi_get(i)->name;
        size_t len = strlen(name);
        if (n + len + 2 > sizeof(names))
            break;
        if (i)
            names[n++] = ' ';
        memcpy(names + n, name, len + 1);
        n += len;
    }
}

const char *phc_abi_names(void)
{
    pthread_once(&names_once, list_names);
    return names;
}
