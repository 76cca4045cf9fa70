#!/usr/bin/env python3
"""The JSON Lines trace, read back by Python's json module (DESIGN.md section 6).

  trace_check.py WRITER PROBE

1. Calls chosen here (random registers, numbers that are handled, stopped
   or unclaimed, on every row) are dispatched by `trace-writer dispatch`;
   each line must be the record this script expects: field names and
   order, canonical hex strings, seq in file order, the number and
   arguments masked to DESIGN's widths, ret and handled per the verdict.
2. `trace-writer threads` has many threads write at once: every line must
   parse on its own (no interleaving), seq must count lines, and each
   thread's records must appear in the order it wrote them.
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

from abi_oracle import library_rows
from design_abi import DESIGN
from toolchain import main_wrapper

FIELDS = ["seq", "vcpu", "arch", "nr", "args", "ret", "handled"]
HEX = re.compile(r"0x(0|[1-9a-f][0-9a-f]*)")
NR_TEST, NR_EXIT = 0xCAFEBABE, 0x70480000
MASK64 = (1 << 64) - 1


def mask(bits, v):
    return v & ((1 << bits) - 1)


def parse(path, failures):
    """The records of a trace, each as an ordered list of (key, value)."""
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        failures.append("the trace does not end with a newline")
    records = []
    for i, line in enumerate(data.decode().split("\n")[:-1]):
        if not re.fullmatch(r"\S+", line):
            failures.append(f"line {i}: not one compact JSON object: {line!r}")
        try:
            pairs = json.loads(line, object_pairs_hook=list)
        except json.JSONDecodeError as e:
            failures.append(f"line {i}: {e}: {line[:200]!r}")
            continue
        keys = [k for k, _ in pairs]
        if keys != FIELDS:
            failures.append(f"line {i}: fields {keys}, want {FIELDS}")
            continue
        rec = dict(pairs)
        hexes = [rec["nr"], rec["ret"], *rec["args"]] if isinstance(rec["args"], list) else []
        if (not isinstance(rec["seq"], int) or not isinstance(rec["vcpu"], int)
                or not isinstance(rec["handled"], bool) or len(rec["args"]) != 6
                or not all(isinstance(h, str) and HEX.fullmatch(h) for h in hexes)):
            failures.append(f"line {i}: field types or hex spelling: {line}")
            continue
        if rec["seq"] != i:
            failures.append(f"line {i}: seq {rec['seq']}")
        records.append(rec)
    return records


def numbers(rec):
    return int(rec["nr"], 16), [int(a, 16) for a in rec["args"]], int(rec["ret"], 16)


def planned_calls(lib):
    """(arch, vcpu, registers, number) for every row and kind of number."""
    rnd = random.Random(11)
    calls = []
    for arch in DESIGN:
        bits = DESIGN[arch]["bits"]
        kinds = [NR_TEST, NR_TEST | 0xFFFFFFFF00000000, NR_TEST | 0x100000000, NR_EXIT, 100, 0x1338,
                 rnd.getrandbits(64)]
        for nr in kinds:
            regs = [rnd.getrandbits(64) for _ in range(32)]
            regs[lib[arch]["gpr"][0]] = nr if bits == 64 else nr | rnd.getrandbits(32) << 32
            calls.append((arch, rnd.randrange(64), regs))
    return calls


def expected(lib, arch, vcpu, regs):
    d, gpr = DESIGN[arch], lib[arch]["gpr"]
    nr = mask(d["nr_bits"], regs[gpr[0]])
    args = [0 if g is None else mask(d["bits"], regs[g]) for g in gpr[1:7]]
    # a 32-bit guest's number is its low word; a 64-bit guest's 0xcafebabe
    # is also its sign extension
    test = nr in (NR_TEST, NR_TEST | 0xFFFFFFFF00000000)
    ret = 13 if test else mask(d["bits"], regs[gpr[7]])
    handled = test or nr == NR_EXIT  # exit stops the guest: handled, ret untouched
    return dict(vcpu=vcpu, arch=arch, nr=nr, args=args, ret=ret, handled=handled)


def check_dispatch(writer, lib, tmp, failures):
    calls = planned_calls(lib)
    path = os.path.join(tmp, "dispatch.jsonl")
    stdin = "".join(f"{a} {v} " + " ".join(f"{r:x}" for r in regs) + "\n" for a, v, regs in calls)
    p = subprocess.run([writer, "dispatch", path], input=stdin, text=True, capture_output=True)
    if p.returncode != 0:
        failures.append(f"trace-writer dispatch: exit {p.returncode}: {p.stderr}")
        return
    records = parse(path, failures)
    if len(records) != len(calls):
        failures.append(f"{len(records)} records for {len(calls)} calls")
    for i, (rec, call) in enumerate(zip(records, calls)):
        want = expected(lib, *call)
        nr, args, ret = numbers(rec)
        got = dict(vcpu=rec["vcpu"], arch=rec["arch"], nr=nr, args=args, ret=ret, handled=rec["handled"])
        if got != want:
            failures.append(f"record {i}: got {got}, want {want}")
    print(f"dispatch: {len(records)} records over {len(DESIGN)} rows")


def check_threads(writer, lib, tmp, failures, threads=8, n=5000):
    path = os.path.join(tmp, "threads.jsonl")
    p = subprocess.run([writer, "threads", path, str(threads), str(n)], capture_output=True, text=True)
    if p.returncode != 0:
        failures.append(f"trace-writer threads: exit {p.returncode}: {p.stderr}")
        return
    records = parse(path, failures)
    if len(records) != threads * n:
        failures.append(f"{len(records)} records, want {threads * n}")
    names = list(lib)  # probe abi lists the rows in phc_arch order
    next_k = [0] * threads
    for rec in records:
        t = rec["vcpu"]
        if not 0 <= t < threads:
            failures.append(f"seq {rec['seq']}: vcpu {t}")
            continue
        k = next_k[t]
        next_k[t] += 1
        want = dict(arch=names[k % len(names)], nr=t << 40 | k,
                    args=[k, t, MASK64, 0, 1 << 63, 1], ret=~k & MASK64, handled=bool(k & 1))
        nr, args, ret = numbers(rec)
        got = dict(arch=rec["arch"], nr=nr, args=args, ret=ret, handled=rec["handled"])
        if got != want:
            failures.append(f"seq {rec['seq']}: thread {t} record {k}: got {got}, want {want}")
            if len(failures) > 20:
                return
    print(f"threads: {len(records)} records from {threads} threads, none interleaved")


def check(writer, probe):
    lib = library_rows(probe)
    failures = []
    with tempfile.TemporaryDirectory(prefix="phc-trace-") as tmp:
        check_dispatch(writer, lib, tmp, failures)
        check_threads(writer, lib, tmp, failures)
    for f in failures[:40]:
        print(f"FAIL {f}", file=sys.stderr)
    return not failures


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main_wrapper(lambda: check(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])))
