# tests/kvm/guests/mem{32,64}.S against Python: the console re-done over the
# built-in (reads, -EINVAL past 4096 bytes, -EFAULT on a fault) and the poke
# the guest checks in its own memory (a write, and a faulting one that must
# change nothing).
import sys

import phc

EINVAL = -22


@phc.hypercall(0x70480001)
def console(cpu, a0, a1, a2, a3, a4, a5):
    if a1 > 4096:
        return EINVAL
    try:
        text = cpu.read(a0, a1)
    except phc.GuestFault:
        return phc.EFAULT
    sys.stdout.write(text.decode())
    return len(text)


@phc.hypercall(0x4b564d02)
def poke(cpu, a0, a1, a2, a3, a4, a5):
    try:
        cpu.write(a0, b"KVM!"[:a1])
    except phc.GuestFault:
        return phc.EFAULT
    return 0
