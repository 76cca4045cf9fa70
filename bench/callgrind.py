#!/usr/bin/env python3
"""Rows 1 and 2 again as host instruction counts (valgrind --tool=callgrind):
deterministic, so a loaded machine cannot move them. Prints the same JSON
lines as the C benchmarks.

usage: callgrind.py BUILD_DIR
Each figure is the marginal count per loop iteration: two runs of
`bench-tcg --once` with different lengths, difference over difference.
"""
import json
import os
import re
import shutil
import subprocess
import sys

ALU_ARCHES = ["x86_64", "mips", "aarch64", "riscv64"]
CALL_ARCHES = ["x86_64", "mips", "riscv64"]
ALU_N = (500000, 1500000)
CALL_N = (10000, 60000)


def skip(row, name, why):
    print("bench: SKIPPED row %s, %s: %s" % (row, name, why), file=sys.stderr)
    print(json.dumps({"row": row, "name": name, "skipped": why}))


def instructions(bench_tcg, variant, guest, n):
    """Instructions the whole process ran, or raise with valgrind's complaint."""
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           bench_tcg, "--once", variant, guest, str(n)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not m:
        raise RuntimeError("%s %s: %s" % (variant, guest, proc.stderr.strip().splitlines()[-1:]))
    return int(m.group(1))


def per_iteration(bench_tcg, variant, guest, ns):
    lo, hi = (instructions(bench_tcg, variant, guest, n) for n in ns)
    return (hi - lo) / (ns[1] - ns[0])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    bench_tcg = os.path.join(sys.argv[1], "bench", "bench-tcg")
    missing = None
    if not shutil.which("valgrind"):
        missing = "valgrind is not installed"
    elif not os.access(bench_tcg, os.X_OK):
        missing = "no %s (no Unicorn)" % bench_tcg
    for arch in ALU_ARCHES:
        name = "tcg %s: no-hypercall loop, plain / our host instructions per iteration" % arch
        if missing:
            skip("1", name, missing)
            continue
        try:
            plain = per_iteration(bench_tcg, "plain", "alu-" + arch, ALU_N)
            ours = per_iteration(bench_tcg, "ours", "alu-" + arch, ALU_N)
        except RuntimeError as e:
            skip("1", name, str(e))
            continue
        ratio = plain / ours
        print(json.dumps({"row": "1", "name": name, "value": round(ratio, 4), "unit": "x",
                          "goal": ">= 0.98", "met": ratio >= 0.98,
                          "detail": {"ours_insns_per_iter": round(ours, 2),
                                     "plain_insns_per_iter": round(plain, 2)}}))
    for arch in CALL_ARCHES:
        name = "tcg %s: hypercall round trip, our / empty-callback host instructions" % arch
        if missing:
            skip("2", name, missing)
            continue
        try:
            counts = {v: per_iteration(bench_tcg, v, "calls-" + arch, CALL_N)
                      for v in ("ours", "empty", "minimal")}
        except RuntimeError as e:
            skip("2", name, str(e))
            continue
        ratio = counts["ours"] / counts["empty"]
        print(json.dumps({"row": "2", "name": name, "value": round(ratio, 2), "unit": "x",
                          "goal": "<= 1.2", "met": ratio <= 1.2,
                          "detail": {"%s_insns_per_call" % v: round(c) for v, c in counts.items()}}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
