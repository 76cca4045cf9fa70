"""DESIGN.md section 2, typed from its text: per row the register width,
the number's width, byte order, and the registers by NAME (nr, the
arguments DESIGN lists, ret). None: "then 0", nothing is read. Where DESIGN
lists fewer than six arguments the rest are unspecified."""

DESIGN = {
    "x86_64": dict(bits=64, nr_bits=32, order="little", nr="eax",
                   args=["rdi", "rsi", "rdx", "r10", "r8", "r9"], ret="rax"),
    "i386": dict(bits=32, nr_bits=32, order="little", nr="eax",
                 args=["ebx", "ecx", "edx", "esi", "edi", "ebp"], ret="eax"),
    "arm": dict(bits=32, nr_bits=32, order="little", nr="r7",
                args=["r0", "r1", "r2", "r3", "r4", "r5"], ret="r0"),
    "aarch64": dict(bits=64, nr_bits=64, order="little", nr="x8",
                    args=["x0", "x1", "x2", "x3", "x4", "x5"], ret="x0"),
    "ppc": dict(bits=32, nr_bits=32, order="big", nr="r0",
                args=["r3", "r4", "r5", "r6", "r7"], ret="r3"),
    "ppc64": dict(bits=64, nr_bits=64, order="big", nr="r0",
                  args=["r3", "r4", "r5", "r6", "r7"], ret="r3"),
    "riscv32": dict(bits=32, nr_bits=32, order="little", nr="a7",
                    args=["a0", "a1", "a2", "a3", "a4"], ret="a0"),
    "riscv64": dict(bits=64, nr_bits=64, order="little", nr="a7",
                    args=["a0", "a1", "a2", "a3", "a4"], ret="a0"),
    "loongarch64": dict(bits=64, nr_bits=64, order="little", nr="a7",
                        args=["a0", "a1", "a2", "a3", "a4"], ret="a0"),
}
for _name, _bits, _order in (("mips", 32, "big"), ("mipsel", 32, "little"),
                             ("mips64", 64, "big"), ("mips64el", 64, "little")):
    DESIGN[_name] = dict(bits=_bits, nr_bits=_bits, order=_order, nr="v0",
                         args=["a0", "a1", "a2", "a3", None, None], ret="v0")
