#!/usr/bin/env python3
"""The ABI rows against DESIGN.md section 2, register by register NAME.

  abi_oracle.py PROBE

design_abi.py is typed from DESIGN.md's text (names, widths, byte order).
The rows' own register names (reg_name) are resolved the same way.
Each name becomes a register number by assembling an instruction that
writes it and reading the destination field out of the encoding, so the
name-to-number step is the assembler's, not ours. The library's rows come
from `probe abi`.
"""
import functools
import sys

from design_abi import DESIGN
from toolchain import Gnu, LlvmMc, main_wrapper, run


def x86_number(mode):
    """`not REG` is F7 /2: ModRM.rm is the register, REX.B its top bit."""
    tool = Gnu("x86_64-linux-gnu", "binutils-x86-64-linux-gnu", [])

    def number(name):
        code = tool.assemble([f"not %{name}"], [f"--{mode}"])
        rex = code[0] if 0x40 <= code[0] <= 0x4F else 0
        body = code[1:] if rex else code
        if body[0] != 0xF7 or body[1] >> 3 != 0x1A:
            raise RuntimeError(f"unexpected encoding of 'not %{name}': {code.hex()}")
        return (rex & 1) << 3 | body[1] & 7
    return number


def word_field(tool, flags, spell, order, shift, prologue=()):
    """Assemble spell(name), one 4-byte instruction, and take a 5-bit field."""
    def number(name):
        code = tool.assemble([*prologue, spell(name)], flags)
        return int.from_bytes(code[:4], order) >> shift & 31
    return number


MIPS = {"mips": ("mips-linux-gnu", "-mips32"), "mipsel": ("mipsel-linux-gnu", "-mips32"),
        "mips64": ("mips64-linux-gnuabi64", "-mips64"),
        "mips64el": ("mips64el-linux-gnuabi64", "-mips64")}


def resolver(arch, order):
    """name -> ISA register number, by the arch's assembler."""
    if arch == "x86_64":
        return x86_number("64")
    if arch == "i386":
        return x86_number("32")
    if arch == "arm":  # mov Rd, #0: Rd is bits 15:12
        tool = Gnu("arm-linux-gnueabi", "binutils-arm-linux-gnueabi", [])
        return lambda n: int.from_bytes(tool.assemble([f"mov {n}, #0"])[:4], order) >> 12 & 15
    if arch == "aarch64":  # movz Xd, #0: Rd is bits 4:0
        return word_field(Gnu("aarch64-linux-gnu", "binutils-aarch64-linux-gnu", []), [],
                          lambda n: f"movz {n}, #0", order, 0)
    if arch in MIPS:  # addu rd, $0, $0: rd is bits 15:11
        prefix, isa = MIPS[arch]
        return word_field(Gnu(prefix, f"binutils-{prefix}", []), [isa],
                          lambda n: f"addu ${n}, $0, $0", order, 11)
    if arch in ("ppc", "ppc64"):  # li rD, 0 (addi): rD is bits 25:21
        prefix = "powerpc-linux-gnu" if arch == "ppc" else "powerpc64-linux-gnu"
        return word_field(Gnu(prefix, f"binutils-{prefix}", []), ["-mregnames"],
                          lambda n: f"li {n}, 0", order, 21)
    if arch in ("riscv32", "riscv64"):  # addi rd, zero, 0: rd is bits 11:7
        flags = ["-march=rv32i", "-mabi=ilp32"] if arch == "riscv32" else ["-march=rv64i", "-mabi=lp64"]
        return word_field(Gnu("riscv64-linux-gnu", "binutils-riscv64-linux-gnu", []), flags,
                          lambda n: f"addi {n}, zero, 0", order, 7)
    if arch == "loongarch64":  # addi.d rd, $zero, 0: rd is bits 4:0
        return word_field(LlvmMc("loongarch64"), [], lambda n: f"addi.d ${n}, $zero, 0", order, 0)
    raise KeyError(arch)


def library_rows(probe):
    rows = {}
    for line in run([probe, "abi"]).splitlines():
        f = line.split()
        rows[f[0]] = dict(bits=int(f[1]), nr_bits=int(f[2]), order=f[3],
                          gpr=[None if g == "-" else int(g) for g in f[4:12]], names=f[13:21])
    return rows


def check(probe):
    lib = library_rows(probe)
    failures = []
    if set(lib) != set(DESIGN):
        failures.append(f"rows: library {sorted(lib)}, DESIGN {sorted(DESIGN)}")
    for arch, want in DESIGN.items():
        if arch not in lib:
            continue
        row = lib[arch]
        for key in ("bits", "nr_bits", "order"):
            if row[key] != want[key]:
                failures.append(f"{arch}: {key} {row[key]}, DESIGN says {want[key]}")
        number = functools.lru_cache(maxsize=None)(resolver(arch, want["order"]))
        slots = ["nr"] + [f"arg{i}" for i in range(6)] + ["ret"]
        names = [want["nr"], *want["args"], *[None] * (6 - len(want["args"])), want["ret"]]
        resolved = [number(n) if n else None for n in names]
        for i, (slot, name, reg) in enumerate(zip(slots, names, resolved)):
            unspecified = 1 + len(want["args"]) <= i < 7
            if unspecified:
                others = [g for j, g in enumerate(row["gpr"][1:7], 1) if j != i and g is not None]
                if row["gpr"][i] is not None and row["gpr"][i] in others + [row["gpr"][0]]:
                    failures.append(f"{arch} {slot}: register {row['gpr'][i]} used twice")
            elif row["gpr"][i] != reg:
                failures.append(f"{arch} {slot}: library register {row['gpr'][i]}, "
                                f"DESIGN's {name or 'none'} is {reg}")
        # the row's own register names must name the registers it uses
        for slot, name, gpr in zip(slots, row["names"], row["gpr"]):
            if gpr is not None and number(name) != gpr:
                failures.append(f"{arch} {slot}: the row calls register {gpr} {name!r}, "
                                f"which the assembler reads as {number(name)}")
        print(f"{arch}: " + " ".join(f"{s}={n}({r})" for s, n, r in zip(slots, names, resolved) if n))
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    return not failures


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main_wrapper(lambda: check(sys.argv[1]))
