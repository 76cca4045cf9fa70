# bench-python: the built-in test call (0xcafebabe -> 13) as a Python handler.
import phc


@phc.hypercall(0xcafebabe)
def test(cpu, a0, a1, a2, a3, a4, a5):
    return 13
