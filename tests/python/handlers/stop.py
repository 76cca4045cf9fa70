# phc.stop() at the first call: the guest ends there with this status.
import phc


@phc.hypercall(0xcafebabe)
def test(cpu, a0, a1, a2, a3, a4, a5):
    phc.stop(42)
