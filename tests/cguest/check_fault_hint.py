#!/usr/bin/env python3
"""A fault before the guest's first hypercall names its likely cause.

Three x86_64 guests, assembled here with GNU as and ld: one that clears its
stack pointer and pushes (the line must say "no stack?"), one that jumps
out of its image and RAM ("wrong load address or entry point?"), and one
that makes a hypercall first and then faults the same way as the first (no
hint: it got going). Under KVM the first two triple-fault, which leaves no
registers to read: the line gives the general hint. Each must end as a fault, exit 125, one line.

Exit codes: 0 pass, 1 fail, 77 skip (with the reason on stderr).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

PROLOGUE = ".text\n.globl _start\n_start:\n"
HINT = "before any hypercall"
# Under KVM both faults are triple faults (no IDT), after which the
# registers are the reset state: only the general hint can be given.
KVM_HINT = HINT + ": docs/entry.md lists the usual causes"
GUESTS = {
    "no-stack": ("xor %esp, %esp\npush %rax\n", {"tcg": "outside RAM: no stack?", "kvm": KVM_HINT}),
    "outside-image": ("mov $0x40000000, %eax\njmp *%rax\n",
                      {"tcg": "wrong load address or entry point?", "kvm": KVM_HINT}),
    "after-a-call": ("mov $0xcafebabe, %eax\nout %eax, $0x88\nxor %esp, %esp\npush %rax\n", {}),
}


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--phc-run", required=True)
    p.add_argument("--accel", required=True, choices=["tcg", "kvm"])
    args = p.parse_args()
    for tool in ["x86_64-linux-gnu-as", "x86_64-linux-gnu-ld"]:
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed", file=sys.stderr)
            sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (code, wants) in GUESTS.items():
            want = wants.get(args.accel)
            src, obj, elf = (os.path.join(tmp, name + ext) for ext in (".s", ".o", ".elf"))
            with open(src, "w") as f:
                f.write(PROLOGUE + code)
            subprocess.run(["x86_64-linux-gnu-as", "--64", src, "-o", obj], check=True)
            subprocess.run(["x86_64-linux-gnu-ld", "-Ttext=0x10000", "-e", "_start", obj, "-o", elf],
                           check=True)
            r = subprocess.run([args.phc_run, "-accel", args.accel, "-kernel", elf, "--time-limit", "30"],
                               capture_output=True, text=True)
            lines = r.stderr.splitlines()
            if r.returncode != 125 or len(lines) != 1 or "fault" not in lines[0]:
                fail(f"{name}: exit {r.returncode}, stderr {r.stderr!r}: want one fault line, exit 125")
            if want and want not in lines[0]:
                fail(f"{name}: {lines[0]!r} does not say {want!r}")
            if not want and HINT in lines[0]:
                fail(f"{name}: {lines[0]!r} blames the start of a guest that made a call")
            print(f"{name}: {lines[0]}")


if __name__ == "__main__":
    main()
