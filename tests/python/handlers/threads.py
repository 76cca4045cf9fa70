# tests/python/threads.c: calls from several host threads at once, on fake
# vCPUs. The answer mixes the arguments with a byte the handler reads from
# the caller's memory and writes back changed, so a mixed-up vCPU shows.
import phc


@phc.hypercall(0x4b564d10)
def mix(cpu, a0, a1, a2):
    if cpu.index != a0:
        raise ValueError("vCPU %d got vCPU %d's call" % (cpu.index, a0))
    seen = cpu.read(a2, 1)[0]
    cpu.write(a2, bytes([(seen + 1) & 0xff]))
    return a0 << 32 | a1 << 8 | seen
