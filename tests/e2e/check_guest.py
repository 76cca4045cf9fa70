#!/usr/bin/env python3
"""Run one bundled guest under `phc-run -accel tcg|kvm` and check what it did.

The expectation comes from the guest's source (tests/guests/*.S), never from
a run: the numbers, arguments and failure bits are read from guest.h, the
console line is "hello from <guest name>", the console call's address is the
guest's `message` symbol in its ELF symbol table, and two facts per
architecture are written below from the ABI table (DESIGN.md section 2).

Every guest makes the same five calls in this order: the test call, the
console call, an unregistered number, the test call through a sentinel it
wrote at run time, and exit. Its near misses run between the second and the
third with the NEAR_ARG* arguments loaded, so a near miss taken for a
hypercall would show up as an extra record carrying them.

The same expectation holds under every accelerator, so the x86 guests
passing under both TCG and KVM means both see the same hypercalls.

Exit codes: 0 pass, 1 fail, 77 skip (with the reason on stderr).
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

SKIP = 77

# An unhandled call leaves the return register as it was: on these rows the
# answer shares the number's register (x86 EAX/RAX, MIPS v0), so it still
# holds the number; on every other row it is the first argument register.
RET_IS_NUMBER = {"x86_64", "i386", "mips", "mipsel", "mips64", "mips64el"}

# ppc.S loads 32-bit values with lis/ori, which sign-extends bit 31 on PPC64.
SIGN_EXTENDING_LOADS = {"ppc64"}


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def read_defines(header):
    """The `#define NAME number` lines of guest.h."""
    defines = {}
    pattern = re.compile(r"^#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)\s*$")
    with open(header, encoding="ascii") as f:
        for line in f:
            m = pattern.match(line)
            if m:
                defines[m.group(1)] = int(m.group(2), 0)
    return defines


def elf_symbol(path, wanted):
    """Value of symbol @wanted in the ELF's symbol table, or None."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        fail(f"{path} is not an ELF file")
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(end + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x3A)
        sh_fmt, sym_fmt = end + "IIQQQQIIQQ", end + "IBBHQQ"
    else:
        shoff, = struct.unpack_from(end + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x2E)
        sh_fmt, sym_fmt = end + "IIIIIIIIII", end + "IIIBBH"
    sections = [struct.unpack_from(sh_fmt, data, shoff + i * shentsize) for i in range(shnum)]
    for sh in sections:
        sh_type, sh_offset, sh_size, sh_link, sh_entsize = sh[1], sh[4], sh[5], sh[6], sh[9]
        if sh_type != 2:  # SHT_SYMTAB
            continue
        strtab = sections[sh_link][4]
        for off in range(sh_offset, sh_offset + sh_size, sh_entsize):
            sym = struct.unpack_from(sym_fmt, data, off)
            name_off, value = sym[0], (sym[4] if is64 else sym[1])
            name_end = data.index(b"\0", strtab + name_off)
            if data[strtab + name_off:name_end].decode() == wanted:
                return value
    return None


def expected_trace(arch, name, elf, d):
    """The five records the guest's source makes, as (nr, args, ret, handled)."""
    def loaded(value):
        if arch in SIGN_EXTENDING_LOADS and value & 0x80000000:
            return value | 0xFFFFFFFF00000000
        return value

    message = elf_symbol(elf, "message")
    if message is None:
        fail(f"{elf} has no `message` symbol")
    length = len(f"hello from {name}\n")

    def call(nr, args, answer=None, handled=True):
        """A call; with no answer the return register keeps its value."""
        nr, args = loaded(nr), [loaded(a) for a in args] + [0, 0]
        if answer is None:
            answer = nr if arch in RET_IS_NUMBER else args[0]
        return (nr, args, answer, handled)

    def four(prefix):
        return [d[f"{prefix}_ARG{i}"] for i in range(4)]

    return [
        call(d["NR_TEST"], four("TEST"), d["TEST_ANSWER"]),
        call(d["NR_CONSOLE"], [message, length, 0, 0], length),
        call(d["NR_UNREGISTERED"], four("UNREG"), handled=False),
        call(d["NR_TEST"], four("RUNTIME"), d["TEST_ANSWER"]),
        # exit is handled (it stops the guest) and writes no answer
        call(d["NR_EXIT"], [0, 0, 0, 0]),
    ]


def parse_trace(path):
    records = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            try:
                rec = json.loads(line)
                records.append({
                    "seq": rec["seq"], "vcpu": rec["vcpu"], "arch": rec["arch"],
                    "nr": int(rec["nr"], 16), "args": [int(a, 16) for a in rec["args"]],
                    "ret": int(rec["ret"], 16), "handled": rec["handled"],
                })
            except (ValueError, KeyError, TypeError) as e:
                fail(f"trace line {lineno} is not a call record ({e}): {line.rstrip()}")
    return records


def show(rec):
    args = ", ".join(hex(a) for a in rec["args"])
    return (f"seq {rec['seq']} vcpu {rec['vcpu']} {rec['arch']} nr {hex(rec['nr'])} "
            f"args [{args}] ret {hex(rec['ret'])} handled {rec['handled']}")


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        fail(f"{' '.join(cmd)} still running after 120 s")


def check_runs(args, d):
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "trace.jsonl")
        proc = run([args.runner, "-accel", args.accel, "-arch", args.arch, "-kernel", args.elf,
                    "--trace", trace, "--time-limit", "60"])
        records = parse_trace(trace) if os.path.exists(trace) else []

    if proc.returncode == 126 and "no patched QEMU here" in proc.stderr:
        print(f"SKIP: the patched QEMU is not built here: {proc.stderr.strip()}", file=sys.stderr)
        sys.exit(SKIP)
    if proc.returncode != 0:
        bits = {v: k for k, v in d.items() if k.startswith("FAIL_")}
        if proc.returncode > 0 and proc.returncode & ~sum(bits) == 0:
            failed = [name for bit, name in sorted(bits.items()) if proc.returncode & bit]
            fail(f"the guest's own checks failed (status {proc.returncode}): {', '.join(failed)}")
        fail(f"phc-run exited {proc.returncode}: {proc.stderr.strip()!r}")

    line = f"hello from {args.name}"
    if proc.stdout.splitlines().count(line) != 1:
        fail(f"console line {line!r} not printed exactly once; stdout: {proc.stdout!r}")

    near = [r for r in records if r["args"][:4] == [d[f"NEAR_ARG{i}"] for i in range(4)]]
    if near:
        fail("a near miss was dispatched as a hypercall:\n  " + "\n  ".join(map(show, near)))

    expected = [
        {"seq": seq, "vcpu": 0, "arch": args.arch, "nr": nr, "args": a, "ret": ret, "handled": h}
        for seq, (nr, a, ret, h) in enumerate(expected_trace(args.arch, args.name, args.elf, d))
    ]
    if records != expected:
        fail("trace differs from the guest's source\nexpected:\n  "
             + "\n  ".join(map(show, expected)) + "\ngot:\n  " + "\n  ".join(map(show, records)))
    print(f"{args.name} under {args.accel}: exit 0, console line, {len(records)} calls as in "
          "the source, no near miss")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runner", help="the phc-run executable")
    p.add_argument("--accel", default="tcg", choices=["tcg", "kvm", "tcg,engine=qemu", "tcg,engine=unicorn"])
    p.add_argument("--elf", help="the guest")
    p.add_argument("--arch", help="its -arch name (the ABI row)")
    p.add_argument("--name", help="the guest's own name, as on its console line")
    p.add_argument("--header", help="tests/guests/guest.h")
    p.add_argument("--skip", metavar="REASON", help="skip the test, saying why")
    args = p.parse_args()
    if args.skip:
        print(f"SKIP: {args.skip}", file=sys.stderr)
        sys.exit(SKIP)
    if args.accel == "kvm":
        try:
            os.close(os.open("/dev/kvm", os.O_RDWR))
        except OSError as e:
            print(f"SKIP: cannot open /dev/kvm ({e.strerror}): no KVM test here", file=sys.stderr)
            sys.exit(SKIP)
    check_runs(args, read_defines(args.header))


if __name__ == "__main__":
    main()
