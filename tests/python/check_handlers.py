#!/usr/bin/env python3
"""Run a guest under `phc-run --handlers` and check what the Python handlers did.

The expectations come from outside the code under test: the guests' own
checks (their exit status, bits from tests/guests/guest.h), the ELF header
(register width and byte order of the row), the handler files' fixed
answers, and the error values docs/python.md defines (-EIO, -EFAULT).

Cases (--case):
  bundled    a bundled guest's calls answered in Python (handlers/bundled.py)
  exception  handlers that raise: tracebacks, a count, -EIO / -EFAULT answers
  claim      an int answer to the unregistered number reaches the guest
  stop       phc.stop(42) ends the guest at its first call
  mem        tests/kvm/guests/mem{32,64}: reads, writes, faults (handlers/mem.py)
  smp        tests/kvm/guests/smp64 on -smp N: handlers on several vCPUs at once
  load       bad handler files: one line, exit 2, before the guest starts

Under -accel kvm every phc-run goes through --kvm-host (scripts/kvm-host
run), so only phc-run, not this script, runs in the KVM host VM.

Exit codes: 0 pass, 1 fail, 77 skip (with the reason on stderr).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HANDLERS = os.path.join(HERE, "handlers")
GUEST_H = os.path.join(HERE, "..", "guests", "guest.h")
EIO, EFAULT = -5, -14


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def defines():
    """guest.h's `#define NAME number` lines."""
    out = {}
    with open(GUEST_H, encoding="ascii") as f:
        for line in f:
            m = re.match(r"#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)\s*$", line)
            if m:
                out[m.group(1)] = int(m.group(2), 0)
    return out


def elf_row(path):
    """(register bits, "little"/"big") from the ELF identification bytes."""
    with open(path, "rb") as f:
        ident = f.read(6)
    if ident[:4] != b"\x7fELF":
        fail("%s is not an ELF" % path)
    return (32 if ident[4] == 1 else 64), ("little" if ident[5] == 1 else "big")


class Run:
    def __init__(self, args, handlers, extra=(), trace=True):
        self.trace_path = None
        cmd = [args.runner, "-accel", args.accel, "-kernel", args.elf]
        if args.kvm_host:
            cmd = [args.kvm_host, "run", "--"] + cmd
        for h in handlers:
            cmd += ["--handlers", h]
        cmd += list(extra)
        with tempfile.TemporaryDirectory() as tmp:
            if trace:
                cmd += ["--trace", os.path.join(tmp, "trace.jsonl")]
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            if args.kvm_host and p.returncode == 77:
                print("SKIP: " + p.stderr.strip(), file=sys.stderr)
                sys.exit(77)
            self.records = []
            if trace and os.path.exists(os.path.join(tmp, "trace.jsonl")):
                with open(os.path.join(tmp, "trace.jsonl")) as f:
                    self.records = [json.loads(line) for line in f]
        self.cmd, self.status, self.out, self.err = cmd, p.returncode, p.stdout, p.stderr

    def expect_status(self, status):
        if self.status != status:
            fail("%s\nexited %d, expected %d\nstdout:\n%s\nstderr:\n%s"
                 % (" ".join(self.cmd), self.status, status, self.out, self.err))

    def calls(self, nr):
        return [r for r in self.records if sign32(int(r["nr"], 16)) == nr]


def sign32(nr):
    """A 64-bit number that is a 32-bit one sign-extended, as the 32-bit one."""
    return nr & 0xffffffff if nr >> 31 == 0x1ffffffff else nr


def masked(value, bits):
    return value & ((1 << bits) - 1)


def case_bundled(args, d):
    bits, endian = elf_row(args.elf)
    run = Run(args, [os.path.join(HANDLERS, "bundled.py")])
    run.expect_status(0)
    line = "python console on vCPU 0 (%s, %d-bit, %s endian): hello from %s" % (
        args.arch, bits, endian, args.name)
    lines = run.out.splitlines()
    if line not in lines:
        fail("no line %r in stdout:\n%s" % (line, run.out))
    if "hello from %s" % args.name in lines:
        fail("the built-in console answered too: the Python one must replace it")
    # ppc64's 32-bit loads sign-extend (see tests/e2e/check_guest.py): the
    # handler registered for 0xcafebabe must answer 0xffffffffcafebabe too.
    order = [sign32(int(r["nr"], 16)) for r in run.records]
    want = [d["NR_TEST"], d["NR_CONSOLE"], d["NR_UNREGISTERED"], d["NR_TEST"], d["NR_EXIT"]]
    if order != want:
        fail("trace numbers %s, expected %s" % ([hex(n) for n in order], [hex(n) for n in want]))
    unreg = run.calls(d["NR_UNREGISTERED"])[0]
    if unreg["handled"] or any(not r["handled"] for r in run.calls(d["NR_TEST"])):
        fail("handled flags wrong in the trace: %s" % run.records)
    if any(int(r["ret"], 16) != d["TEST_ANSWER"] for r in run.calls(d["NR_TEST"])):
        fail("test calls did not return 13: %s" % run.calls(d["NR_TEST"]))


def case_exception(args, d):
    bits, _ = elf_row(args.elf)
    run = Run(args, [os.path.join(HANDLERS, "exception.py")])
    run.expect_status(d["FAIL_TEST_CALL"] | d["FAIL_CONSOLE"] | d["FAIL_RUNTIME_SENTINEL"])
    if run.err.count("Traceback (most recent call last):") != 3:
        fail("expected 3 tracebacks on stderr:\n" + run.err)
    if run.err.count("ValueError: handler bug on purpose") != 2 or "phc.GuestFault" not in run.err:
        fail("the tracebacks do not name the exceptions:\n" + run.err)
    if "phc-run: Python handlers raised 3 exceptions (tracebacks above)" not in run.err.splitlines():
        fail("no count of the exceptions:\n" + run.err)
    for r in run.calls(d["NR_TEST"]):
        if int(r["ret"], 16) != masked(EIO, bits) or not r["handled"]:
            fail("a raising handler's call returned %s, expected -EIO" % r["ret"])
    for r in run.calls(d["NR_CONSOLE"]):
        if int(r["ret"], 16) != masked(EFAULT, bits):
            fail("an uncaught GuestFault returned %s, expected -EFAULT" % r["ret"])
    if not run.calls(d["NR_EXIT"]):
        fail("the run did not go on to the guest's exit call")


def case_claim(args, d):
    Run(args, [os.path.join(HANDLERS, "claim.py")]).expect_status(d["FAIL_UNREGISTERED"])


def case_stop(args, d):
    run = Run(args, [os.path.join(HANDLERS, "stop.py")])
    run.expect_status(42)
    if "hello from" in run.out or len(run.records) != 1:
        fail("the guest went on after phc.stop(): %s %s" % (run.out, run.records))


def case_mem(args, d):
    run = Run(args, [os.path.join(HANDLERS, "mem.py")], trace=False)
    run.expect_status(0)
    for text in ("mem: ", "cross-page"):
        if text not in run.out:
            fail("no %r from the Python console in:\n%s" % (text, run.out))


def case_smp(args, d):
    run = Run(args, [os.path.join(HANDLERS, "smp.py")], ["-smp", str(args.smp)], trace=False)
    run.expect_status(0)
    if "smp: %d vCPUs, 2000 calls each, handlers overlapped" % args.smp not in run.out:
        fail("unexpected output:\n" + run.out)


# Bad handler files: (file contents, or None for a missing file; the one
# stderr line expected, as a regular expression after "phc-run: ").
LOAD_ERRORS = [
    (None, r"--handlers \S+/missing\.py: No such file or directory"),
    ("import phc\ndef broken(:\n", r"--handlers \S+\.py:2: invalid syntax"),
    ("import phc\n@phc.hypercall('0x1234')\ndef h(cpu): pass\n",
     r"--handlers \S+\.py:2: hypercall number '0x1234' is not an int"),
    ("import phc\n@phc.hypercall(-1)\ndef h(cpu): pass\n",
     r"--handlers \S+\.py:2: hypercall number -0x1 is not in 0 \.\. 2\*\*64-1"),
    ("import phc\n@phc.hypercall(0x1234)\ndef h(): pass\n",
     r"--handlers \S+\.py:2: h takes no arguments; a handler takes \(cpu, a0, \.\.\., a5\)"),
    ("import phc\n@phc.hypercall(7)\ndef a(cpu): pass\n@phc.hypercall(7)\ndef b(cpu): pass\n",
     r"--handlers \S+\.py:4: hypercall 0x7 is already handled by \S+\.py:2"),
    ("import phc\n@phc.hypercall(0xffffffff)\ndef a(cpu): pass\n"
     "@phc.hypercall(0xffffffffffffffff)\ndef b(cpu): pass\n",
     r"--handlers \S+\.py:4: hypercall 0xffffffffffffffff \(the dispatcher's same number as "
     r"0xffffffff\) is already handled by \S+\.py:2"),
    ("import phc\nphc.hypercall(5)(42)\n",
     r"--handlers \S+\.py:2: @phc.hypercall\(0x5\) decorates 42, which is not callable"),
    ("import phc\n\nimport no_such_module_here\n",
     r"--handlers \S+\.py:3: ModuleNotFoundError: No module named 'no_such_module_here'"),
    ("import phc\nphc.stop(1)\n", r"--handlers \S+\.py:2: phc\.stop\(\) outside a handler"),
]


def case_load(args, d):
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.py")
        with open(good, "w") as f:
            f.write("import phc\n@phc.hypercall(0xcafebabe)\ndef t(cpu, a0):\n    return 13\n")
        for i, (text, pattern) in enumerate(LOAD_ERRORS):
            path = os.path.join(tmp, "missing.py" if text is None else "bad%d.py" % i)
            if text is not None:
                with open(path, "w") as f:
                    f.write(text)
            # After a good file too: the bad one still stops the run.
            for files in ([path], [good, path]):
                run = Run(args, files, trace=False)
                lines = run.err.splitlines()
                if run.status != 2 or run.out or len(lines) != 1 or \
                        not re.fullmatch("phc-run: " + pattern, lines[0]):
                    fail("%s: exit %d, stdout %r, stderr %r; expected exit 2 and one line %r"
                         % (" ".join(run.cmd), run.status, run.out, run.err, pattern))


CASES = {"bundled": case_bundled, "exception": case_exception, "claim": case_claim,
         "stop": case_stop, "mem": case_mem, "smp": case_smp, "load": case_load}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runner", required=True)
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--elf", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--arch", help="the guest's -arch row")
    ap.add_argument("--name", help="the bundled guest's name (its console line)")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--kvm-host", help="scripts/kvm-host: run phc-run through it (a real "
                    "/dev/kvm here or in the KVM host VM); it exits 77 when there is none")
    args = ap.parse_args()
    if args.accel == "kvm" and not args.kvm_host:
        try:
            os.close(os.open("/dev/kvm", os.O_RDWR))
        except OSError as err:
            print("SKIP: no usable /dev/kvm here (%s) and no --kvm-host"
                  % err.strerror, file=sys.stderr)
            sys.exit(77)
    CASES[args.case](args, defines())
    print("PASS: %s under -accel %s" % (args.case, args.accel))


if __name__ == "__main__":
    main()
