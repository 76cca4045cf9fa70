/* The runner's built-in handlers: round trip, console, exit. */
#include <phc/builtins.h>

static phc_verdict test_call(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    (void)cpu, (void)call, (void)opaque;
    *value = PHC_TEST_ANSWER;
    return PHC_HANDLED;
}

static phc_verdict console_write(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    uint8_t buf[PHC_CONSOLE_MAX];
    uint64_t len = call->args[1];
    if (len > sizeof(buf)) {
        *value = PHC_EINVAL;
    } else if (phc_vcpu_read(cpu, call->args[0], buf, len) != 0) {
        *value = PHC_EFAULT;
    } else {
        fwrite(buf, 1, len, opaque);
        fflush(opaque);
        *value = len;
    }
    return PHC_HANDLED;
}

static phc_verdict exit_call(phc_vcpu *cpu, const phc_call *call, uint64_t *value, void *opaque)
{
    (void)cpu, (void)opaque;
    *value = call->args[0] & 0xff;
    return PHC_STOP;
}

bool phc_builtins_register(phc_dispatcher *d, unsigned which, FILE *console)
{
    bool ok = true;
    if (which & PHC_BUILTIN_TEST)
        ok &= phc_dispatcher_register(d, PHC_NR_TEST, test_call, NULL);
    if (which & PHC_BUILTIN_CONSOLE)
        ok &= phc_dispatcher_register(d, PHC_NR_CONSOLE, console_write, console);
    if (which & PHC_BUILTIN_EXIT)
        ok &= phc_dispatcher_register(d, PHC_NR_EXIT, exit_call, NULL);
    return ok;
}
