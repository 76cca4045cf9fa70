# The contrast to bundled.py's None: an int claims the unregistered number
# and lands in the return register, which the guest reports.
import phc


@phc.hypercall(0x0badc0de)
def claimed(cpu, a0, a1, a2, a3, a4, a5):
    return 0
