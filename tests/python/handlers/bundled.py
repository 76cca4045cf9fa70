# The bundled guests' calls answered in Python (tests/guests/guest.h): the
# test call, the console over the built-in, and the unregistered number
# claimed and then declined. Each check the guest cannot see itself ends in
# a wrong answer, which the guest turns into a failure bit.
import phc

UNMAPPED = 0xfffff000  # above every test guest's RAM, on every row


@phc.hypercall(0xcafebabe)
def test(cpu, a0, a1, a2, a3, a4, a5):
    try:
        cpu.read(UNMAPPED, 4)
    except phc.GuestFault as fault:
        if (fault.addr, fault.size, fault.write) != (UNMAPPED, 4, False):
            return 0
    else:
        return 0
    return 13


@phc.hypercall(0x70480001)
def console(cpu, a0, a1, a2, a3, a4, a5):
    text = cpu.read(a0, a1)
    # A write lands where reads see it, and a faulting one raises.
    cpu.write(a0, text[::-1])
    if cpu.read(a0, a1) != text[::-1]:
        return 0
    cpu.write(a0, text)
    try:
        cpu.write(UNMAPPED, b"x")
        return 0
    except phc.GuestFault:
        pass
    print("python console on vCPU %d (%s, %d-bit, %s endian): %s"
          % (cpu.index, cpu.arch, cpu.bits, cpu.endian, text.decode()), end="", flush=True)
    return len(text)


@phc.hypercall(0x0badc0de)
def unregistered(cpu, a0):
    return None  # unclaimed: the guest checks its register is untouched
