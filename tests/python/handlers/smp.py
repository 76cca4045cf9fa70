# tests/kvm/guests/smp64.S on two or more vCPUs: every call is checked
# against the vCPU that made it, calls arrive in order per vCPU, and the
# first call of all waits inside its handler (time.sleep lets the GIL go)
# until another vCPU's handler has run meanwhile: two handlers in flight at
# once. The
# exit call is taken over to judge it all.
import threading
import time

import phc

CALLS = 2000
count = {}
errors = []
inside = set()
waiting = []
overlapped = threading.Event()


@phc.hypercall(0x4b564d10)
def counted(cpu, a0, a1, a2, a3, a4, a5):
    me = cpu.index
    if a0 != me or a2 != (me << 32 | a1) or a3 != 0x5a5a ^ me or a1 != count.get(me, 0):
        errors.append("vCPU %d: call %#x %#x %#x %#x" % (me, a0, a1, a2, a3))
    count[me] = count.get(me, 0) + 1
    inside.add(me)
    try:
        if len(inside) > 1:
            overlapped.set()
        if not waiting:
            waiting.append(me)
            deadline = time.monotonic() + 20
            while not overlapped.is_set() and time.monotonic() < deadline:
                time.sleep(0.001)
    finally:
        inside.discard(me)
    return a1


@phc.hypercall(0x70480000)
def exit_call(cpu, a0, a1, a2, a3, a4, a5):
    cpus = sorted(count)
    if errors or any(count[c] != CALLS for c in cpus) or len(cpus) < 2:
        print("smp: errors %s, calls per vCPU %s" % (errors[:3], count))
        phc.stop(1)
    if not overlapped.is_set():
        print("smp: no two handlers were ever in flight at once")
        phc.stop(2)
    print("smp: %d vCPUs, %d calls each, handlers overlapped" % (len(cpus), CALLS))
    phc.stop(a0)
