#!/usr/bin/env python3
"""Build guest.c for one ABI row with Debian's cross compiler, check it with
the matching disassembler, and run it under every engine here that runs
the row.

guest.c is a freestanding C guest whose _start is a plain C function and
whose only hypercall code is <phc/guest.h>. Checks:
- the disassembler (an independent oracle) finds the row's sentinel exactly
  once per call site in the source, and nothing else that is one;
- under each engine: exit status 0 (the guest's own checks: answers, an
  unregistered call, a chain of real stack frames, the console), its
  greeting on the console, and a trace holding the four calls with every
  argument the row carries (the rest 0), and the stack at the top of RAM
  (docs/entry.md).

Exit codes: 0 pass, 1 fail, 77 skip (with the reason on stderr).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GNU_LINK = ["-Wl,-Ttext-segment=0x10000", "-Wl,-e,_start", "-Wl,--build-id=none"]
X86_OUT = "out %eax,$0x88"
ARM_MCR = "mcr 7, 0, r0, cr0, cr0, {0}"
MIPS_MOVZ = "movz zero,zero,zero"
PPC_XORI = "xori r10,r10,0"
RISCV_XORI = "xor zero,zero,0"

# row: (-arch, compiler and its flags, disassembler, the sentinel as it
# prints it, argument registers the row carries, engines that run it here
# without a KVM host; x86 under KVM is its own test, through kvm_host_run).
# One compiler covers both byte orders or widths where it can.
ROWS = {
    "x86_64": ("x86_64", ["gcc", "-m64"] + GNU_LINK, "x86_64-linux-gnu-objdump", X86_OUT, 6, ["tcg"]),
    "i386": ("i386", ["gcc", "-m32"] + GNU_LINK, "x86_64-linux-gnu-objdump", X86_OUT, 6, ["tcg"]),
    "arm": ("arm", ["arm-linux-gnueabi-gcc", "-marm"] + GNU_LINK, "arm-linux-gnueabi-objdump", ARM_MCR, 6,
            ["tcg"]),
    "arm-thumb": ("arm", ["arm-linux-gnueabi-gcc", "-mthumb", "-march=armv7-a"] + GNU_LINK,
                  "arm-linux-gnueabi-objdump", ARM_MCR, 6, ["tcg"]),
    "aarch64": ("aarch64", ["aarch64-linux-gnu-gcc"] + GNU_LINK, "aarch64-linux-gnu-objdump",
                "msr s0_0_c5_c0_0, xzr", 6, ["tcg"]),
    # The HVC form runs only under ARM64 KVM (tests/arm64/system).
    "aarch64-hvc": ("aarch64", ["aarch64-linux-gnu-gcc", "-DPHC_HYPERCALL_HVC"] + GNU_LINK,
                    "aarch64-linux-gnu-objdump", "hvc #0x0", 6, []),
    "mips": ("mips", ["mips-linux-gnu-gcc", "-EB"] + GNU_LINK, "mips-linux-gnu-objdump", MIPS_MOVZ, 4, ["tcg"]),
    "mipsel": ("mipsel", ["mips-linux-gnu-gcc", "-EL"] + GNU_LINK, "mipsel-linux-gnu-objdump", MIPS_MOVZ, 4,
               ["tcg"]),
    # Unicorn cannot run MIPS64: -accel tcg takes the patched QEMU.
    "mips64": ("mips64", ["mips-linux-gnu-gcc", "-EB", "-mabi=64", "-march=mips64r2"] + GNU_LINK,
               "mips64-linux-gnuabi64-objdump", MIPS_MOVZ, 4, ["tcg"]),
    "mips64el": ("mips64el", ["mips-linux-gnu-gcc", "-EL", "-mabi=64", "-march=mips64r2"] + GNU_LINK,
                 "mips64el-linux-gnuabi64-objdump", MIPS_MOVZ, 4, ["tcg"]),
    "ppc": ("ppc", ["powerpc64-linux-gnu-gcc", "-m32"] + GNU_LINK, "powerpc-linux-gnu-objdump", PPC_XORI, 6,
            ["tcg"]),
    # Unicorn 2.0.1 raises an exception on std/ld/rld* (docs/entry.md): QEMU.
    "ppc64": ("ppc64", ["powerpc64-linux-gnu-gcc", "-m64"] + GNU_LINK, "powerpc64-linux-gnu-objdump",
              PPC_XORI, 6, ["tcg,engine=qemu"]),
    "riscv64": ("riscv64", ["riscv64-linux-gnu-gcc"] + GNU_LINK, "riscv64-linux-gnu-objdump", RISCV_XORI, 6,
                ["tcg"]),
    "riscv32": ("riscv32", ["riscv64-linux-gnu-gcc", "-march=rv32imac_zicsr", "-mabi=ilp32"] + GNU_LINK,
                "riscv64-linux-gnu-objdump", RISCV_XORI, 6, ["tcg"]),
    # No engine here runs LoongArch, and ld.lld-16 cannot link LoongArch
    # relocations (Debian 12 has no LoongArch GNU ld): checked as an object.
    "loongarch64": ("loongarch64",
                    ["clang-16", "--target=loongarch64-linux-gnu", "-c", "-Wno-unused-command-line-argument"],
                    "llvm-objdump-16", "cpucfg $zero, $zero", 6, []),
}

CFLAGS = ["-O2", "-ffreestanding", "-nostdlib", "-static", "-Wall", "-Wextra", "-Werror"]
MEM = 32 << 20  # phc-run's default -m
NR_TEST, NR_CONSOLE, NR_EXIT, NR_UNREGISTERED = 0xCAFEBABE, 0x70480001, 0x70480000, 0x0BADC0DE
ARGS = [0x1A000000 + 0x10101 * i for i in range(6)]
GREETING = "hello from a C guest\n"
CALL_SITES = 4  # phc_hypercall calls in guest.c


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def skip(msg):
    print(f"SKIP: {msg}", file=sys.stderr)
    sys.exit(77)


def build(row, include, out):
    cc = ROWS[row][1]
    if not shutil.which(cc[0]):
        skip(f"{cc[0]} is not installed (scripts/setup.sh installs it)")
    cmd = cc + CFLAGS + ["-I", include, os.path.join(HERE, "guest.c"), "-o", out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)}:\n{r.stderr}")


def check_disassembly(row, elf):
    objdump, sentinel = ROWS[row][2], ROWS[row][3]
    if not shutil.which(objdump):
        skip(f"{objdump} is not installed")
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", elf], capture_output=True, text=True,
                         check=True).stdout
    insns = [" ".join(re.split(r"\s(?://|#\s|@\s|<)", m.group(1))[0].split())
             for m in map(re.compile(r"^\s*[0-9a-f]+:\s+(\S.*)$").match, out.splitlines()) if m]
    found = insns.count(sentinel)
    if found != CALL_SITES:
        fail(f"{objdump}: {found} x '{sentinel}', want one per call site ({CALL_SITES})")
    # nothing else that could be taken for a call: other port IO, coprocessor moves
    kind = sentinel.split()[0]
    others = sorted({i for i in insns if i.split()[0] == kind and i != sentinel})
    if kind in ("out", "mcr", "hvc", "cpucfg") and others:
        fail(f"{objdump}: other '{kind}' instructions besides the sentinel: {others}")


def expected_args(row, first):
    n = ROWS[row][4]
    return [first] + ARGS[1:n] + [0] * (6 - n)


def check_trace(row, path):
    arch = ROWS[row][0]
    with open(path) as f:
        calls = [json.loads(line) for line in f]
    if [int(c["nr"], 16) & 0xFFFFFFFF for c in calls] != [NR_TEST, NR_UNREGISTERED, NR_CONSOLE, NR_EXIT]:
        fail(f"trace numbers {[c['nr'] for c in calls]}")
    if any(c["arch"] != arch for c in calls):
        fail(f"trace rows {[c['arch'] for c in calls]}, want {arch}")
    test, probe, console, end = calls
    if [int(a, 16) for a in test["args"]] != expected_args(row, ARGS[0]) or int(test["ret"], 16) != 13:
        fail(f"test call traced as {test}")
    where = int(probe["args"][0], 16)
    # _start's local sits in its own frame, just below the entry stack
    # pointer at the top of RAM
    if not MEM - 4096 <= where < MEM:
        fail(f"_start's local at {where:#x}: the stack is not at the top of RAM ({MEM:#x})")
    if [int(a, 16) for a in probe["args"]] != expected_args(row, where) or probe["handled"]:
        fail(f"unregistered call traced as {probe}")
    if int(console["args"][1], 16) != len(GREETING) or int(console["ret"], 16) != len(GREETING):
        fail(f"console call traced as {console}")
    if int(end["args"][0], 16) != 0:
        fail(f"the guest's own checks failed: status {end['args'][0]}")


def run(row, engine, phc_run, elf, tmp):
    trace = os.path.join(tmp, f"{engine.split(',')[0]}.jsonl")
    cmd = [phc_run, "-accel", engine, "-kernel", elf, "--trace", trace, "--time-limit", "30"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode == 126 and "no patched QEMU here" in r.stderr:
        skip(f"built and disassembly checked, but not run: the patched QEMU is not built here "
             f"({r.stderr.strip()})")
    if r.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    if r.stdout != GREETING:
        fail(f"{' '.join(cmd)}: console {r.stdout!r}")
    check_trace(row, trace)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--row", required=True, choices=sorted(ROWS))
    p.add_argument("--include", required=True, help="the directory holding phc/guest.h")
    p.add_argument("--phc-run", required=True)
    p.add_argument("--engine", action="append", choices=["tcg", "kvm", "tcg,engine=qemu"],
                   help="run under this engine (repeatable); default: every engine here that runs the row")
    args = p.parse_args()
    engines = args.engine or ROWS[args.row][5]
    with tempfile.TemporaryDirectory() as tmp:
        elf = os.path.join(tmp, f"{args.row}.elf")
        build(args.row, args.include, elf)
        check_disassembly(args.row, elf)
        for engine in engines:
            run(args.row, engine, args.phc_run, elf, tmp)
    ran = ", ".join(engines) or "no engine here"
    print(f"{args.row}: built, disassembly checked, ran under {ran}")


if __name__ == "__main__":
    main()
