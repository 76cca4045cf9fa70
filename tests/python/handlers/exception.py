# Handlers that raise: the test call (an error of the handler's own) and the
# console (a guest fault nobody caught). The guest goes on and reports the
# wrong answers in its exit status.
import phc


@phc.hypercall(0xcafebabe)
def test(cpu, a0, a1, a2, a3, a4, a5):
    raise ValueError("handler bug on purpose, a0=%#x" % a0)


@phc.hypercall(0x70480001)
def console(cpu, a0, a1, a2, a3, a4, a5):
    return len(cpu.read(0xfffff000, a1))
