#!/usr/bin/env python3
"""Assemble the AArch64 system-register space around the Penguin sentinel
with GNU as and write the instruction words (little-endian) to a file.

The first word is `msr S0_0_c5_c0_0, xzr`; then every msr/mrs with op0=0,
CRn=5 (all op1, CRm, op2, Rt), then every op0/CRn with the other fields of
the sentinel. The assembler is the oracle for the encodings.
usage: gen-sysreg-words.py AS OBJCOPY OUT.bin
"""
import os
import subprocess
import sys
import tempfile


def lines():
    yield "msr S0_0_c5_c0_0, xzr"
    regs = [f"x{t}" for t in range(31)] + ["xzr"]
    for op1 in range(8):
        for crm in range(16):
            for op2 in range(8):
                name = f"S0_{op1}_c5_c{crm}_{op2}"
                for r in regs:
                    yield f"msr {name}, {r}"
                    yield f"mrs {r}, {name}"
    for op0 in range(4):
        for crn in range(16):
            yield f"msr S{op0}_0_c{crn}_c0_0, xzr"


def main():
    as_, objcopy, out = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        src, obj = os.path.join(tmp, "space.S"), os.path.join(tmp, "space.o")
        with open(src, "w") as f:
            f.write("\n".join(lines()) + "\n")
        subprocess.run([as_, src, "-o", obj], check=True)
        subprocess.run([objcopy, "-O", "binary", "-j", ".text", obj, out], check=True)


if __name__ == "__main__":
    main()
