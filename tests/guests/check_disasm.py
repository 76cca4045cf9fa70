#!/usr/bin/env python3
"""Check a built guest against its source with the cross disassembler.

The disassembler (Debian's *-objdump, or llvm-objdump-16 for LoongArch) is
an independent oracle: the guest's code must hold the sentinel exactly as
many times as the source makes a call with it, and every near miss the
source lists for its architecture (DESIGN.md section 3) must be there as
that instruction, not something the assembler turned it into. This is the
only check the LoongArch guest gets, since no engine here runs it.

Exit codes: 0 pass, 1 fail, 77 skip (with the reason on stderr).
"""
import argparse
import re
import subprocess
import sys

X86_NEAR = ["out %al,$0x88", "out %ax,$0x88", "out %eax,$0x89", "out %eax,$0x8a",
            "out %eax,$0x8b", "out %al,(%dx)", "out %ax,(%dx)", "out %eax,(%dx)",
            "in $0x88,%al", "in $0x88,%ax", "in $0x88,%eax", "in (%dx),%eax"]
ARM_NEAR = ["mcrne 7, 0, r0, cr0, cr0, {0}", "mcrne 7, 0, r0, cr0, cr0, {1}",
            "mrcne 7, 0, r0, cr0, cr0, {0}", "mrc 15, 0, sl, cr0, cr0, {0}",
            "mcr 15, 0, r9, cr7, cr5, {4}", "mcr 15, 0, r9, cr7, cr10, {5}",
            "mcr 15, 0, r9, cr7, cr10, {4}"]
MIPS_NEAR = ["movn zero,zero,zero", "movn zero,t0,t1", "movz zero,t0,t1", "movz zero,zero,t1",
             "movz zero,t0,zero", "movz t2,zero,zero", "mfc0 zero,c0_status", "mfc0 zero,c0_prid"]
PPC_NEAR = ["xori r10,r10,1", "xori r11,r11,0", "xori r10,r11,0", "xori r11,r10,0",
            "xoris r10,r10,0"]
RISCV_NEAR = ["xor zero,zero,1", "not zero,zero", "xor t0,zero,0", "xor zero,t0,0",
              "xor t0,t0,0"]

# Per guest: the sentinel as the disassembler spells it, how many times the
# source executes it from _start (test, console, unregistered, exit; the
# LoongArch guest keeps its trampoline template in .text too), the near misses.
GUESTS = {
    "x86_64": ("out %eax,$0x88", 4, X86_NEAR + ["rep outsl %ds:(%rsi),(%dx)"]),
    "i386": ("out %eax,$0x88", 4, X86_NEAR + ["rep outsl %ds:(%esi),(%dx)"]),
    "arm": ("mcr 7, 0, r0, cr0, cr0, {0}", 4, ARM_NEAR),
    "arm-thumb": ("mcr 7, 0, r0, cr0, cr0, {0}", 4, ARM_NEAR),
    "aarch64": ("msr s0_0_c5_c0_0, xzr", 4,
                ["nop", "hint #0x7f", "isb", "msr daifset, #0x0", "ic iallu",
                 "mrs x10, midr_el1", "mrs x10, tpidr_el1", "msr tpidr_el1, x10"]),
    "mips": ("movz zero,zero,zero", 4, MIPS_NEAR),
    "mipsel": ("movz zero,zero,zero", 4, MIPS_NEAR),
    "mips64": ("movz zero,zero,zero", 4, MIPS_NEAR + ["dmfc0 zero,c0_status"]),
    "mips64el": ("movz zero,zero,zero", 4, MIPS_NEAR + ["dmfc0 zero,c0_status"]),
    "ppc": ("xori r10,r10,0", 4, PPC_NEAR),
    "ppc64": ("xori r10,r10,0", 4, PPC_NEAR),
    "riscv32": ("xor zero,zero,0", 4, RISCV_NEAR),
    "riscv64": ("xor zero,zero,0", 4, RISCV_NEAR),
    "loongarch64": ("cpucfg $zero, $zero", 5,
                    ["cpucfg $zero, $t0", "cpucfg $t0, $zero", "cpucfg $t0, $t0"]),
}

INSN = re.compile(r"^\s*[0-9a-f]+:\s+(\S.*)$")


def normalise(text):
    """One space between fields; trailing comments (// # @ <symbol>) dropped."""
    return " ".join(re.split(r"\s(?://|#\s|@\s|<)", text)[0].split())


def instructions(objdump, elf):
    """Every decoded instruction of the guest's code, normalised."""
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", elf], capture_output=True,
                         text=True, check=True).stdout
    return [normalise(m.group(1)) for m in map(INSN.match, out.splitlines()) if m]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--objdump", help="the guest architecture's disassembler")
    p.add_argument("--elf")
    p.add_argument("--name", choices=sorted(GUESTS))
    p.add_argument("--skip", metavar="REASON")
    args = p.parse_args()
    if args.skip:
        print(f"SKIP: {args.skip}", file=sys.stderr)
        sys.exit(77)

    sentinel, calls, near = GUESTS[args.name]
    insns = instructions(args.objdump, args.elf)
    problems = []
    found = insns.count(normalise(sentinel))
    if found != calls:
        problems.append(f"sentinel `{sentinel}` decoded {found} times, the source has {calls}")
    problems += [f"near miss `{n}` is not in the code" for n in near if normalise(n) not in insns]
    if problems:
        print("FAIL: " + "\n      ".join(problems), file=sys.stderr)
        sys.exit(1)
    print(f"{args.name}: {calls} sentinels and {len(near)} near misses decode as in the source")


if __name__ == "__main__":
    main()
