#!/usr/bin/env python3
"""Hostile guests against phc-run, checked through the trace (parsed with
Python's json, not the writer's code), the exit status and stderr.

usage: hostile.py PHC_RUN ACCEL ARCH GROUP
GROUP: calls    bad console pointers and lengths, all-ones registers,
                unknown numbers, no built-ins, invalid instructions, a guest
                that never stops, a guest that rewrites its own sentinels
       storm    1e5 and 1e6 hypercalls: peak anonymous RSS flat, every call traced
       durability  runs ended by SIGINT, SIGTERM, the time limit, the
                instruction limit (tcg) and a fault leave a complete trace
"""
import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestgen  # noqa: E402

NR_TEST, NR_CONSOLE, NR_EXIT = 0xcafebabe, 0x70480001, 0x70480000
TEST_ANSWER, EFAULT, EINVAL = 13, -14, -22
RAM = 32 << 20
# The storm's two sizes; the KVM run in the KVM host VM (meson.build) takes
# a tenth of them: there a call costs about 0.7 ms.
STORM_CALLS = tuple(int(n) for n in os.environ.get("PHC_HOSTILE_STORM", "100000,1000000").split(","))
LIMIT, FAULT, SIGNALLED = 124, 125, 130

failures = []


def fail(what, why):
    failures.append(what)
    print("FAIL %s: %s" % (what, why), file=sys.stderr)


class Run:
    """One phc-run: exit status, stderr lines, trace records, peak anonymous
    RSS (KiB, RssAnon polled every 10 ms: rusage's maxrss would count this
    Python's own memory, which a forked child inherits as its high-water
    mark)."""

    def __init__(self, elf, args=(), send=None, after=1.0, timeout=300):
        self.trace_path = elf + ".trace.jsonl"
        cmd = [PHC_RUN, "-accel", ACCEL, "-kernel", elf, "-m", str(RAM >> 20) + "M",
               "--trace", self.trace_path] + list(args)
        self.cmd = " ".join(cmd)
        start = time.monotonic()
        with open(elf + ".stderr", "w+b") as err:
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
            if send:
                # After @after seconds of guest calls: a slow start (the KVM
                # host VM, a loaded machine) must not land the signal before
                # the guest runs.
                while not (os.path.exists(self.trace_path) and os.path.getsize(self.trace_path)) \
                        and p.poll() is None and time.monotonic() < start + timeout:
                    time.sleep(0.05)
                time.sleep(after)
                p.send_signal(send)
            deadline = start + timeout
            self.peak_kib = 0
            while True:
                self.peak_kib = max(self.peak_kib, anon_rss_kib(p.pid))
                pid, status = os.waitpid(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    p.kill()
                    pid, status = os.waitpid(p.pid, 0)
                    break
                time.sleep(0.01)
            p.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            self.stderr = err.read().decode(errors="replace").splitlines()
        self.seconds = time.monotonic() - start
        self.status = p.returncode
        self.records, self.trace_problem = read_trace(self.trace_path)
        os.unlink(self.trace_path)


def anon_rss_kib(pid):
    """What phc-run allocated and touched: its shared libraries' resident
    pages (RssFile, in VmRSS and VmHWM) come and go with the page cache and
    what other processes mapped, 13 MiB up in one run here; no leak."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def read_trace(path):
    """Every line one JSON object, seq 0, 1, 2...; returns (records, problem)."""
    records = []
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return records, "no trace: %s" % e
    if data and not data.endswith(b"\n"):
        return records, "the last line is cut short"
    for i, line in enumerate(data.splitlines()):
        try:
            r = json.loads(line)
        except ValueError as e:
            return records, "line %d does not parse: %s" % (i, e)
        if r.get("seq") != i:
            return records, "line %d has seq %r" % (i, r.get("seq"))
        records.append({"nr": int(r["nr"], 16), "args": [int(a, 16) for a in r["args"]],
                        "ret": int(r["ret"], 16), "handled": r["handled"]})
    return records, None


def expect_end(what, run, status, words=(), lines=1):
    """The exit status; exactly @lines stderr lines, mentioning @words."""
    ok = True
    if run.status != status:
        fail(what, "exit %d, want %d (stderr %s)" % (run.status, status, run.stderr))
        ok = False
    if len(run.stderr) != lines:
        fail(what, "%d stderr lines, want %d: %s" % (len(run.stderr), lines, run.stderr))
        ok = False
    text = "\n".join(run.stderr).lower()
    for w in words:
        if w not in text:
            fail(what, "stderr does not say %r: %s" % (w, run.stderr))
            ok = False
    if run.trace_problem:
        fail(what, run.trace_problem)
        ok = False
    return ok


def expect_calls(what, run, g, calls):
    """calls: (nr, args prefix, ret, handled) per record, in order."""
    if len(run.records) != len(calls):
        fail(what, "%d trace records, want %d" % (len(run.records), len(calls)))
        return False
    for i, (rec, (nr, args, ret, handled)) in enumerate(zip(run.records, calls)):
        want_args = [a & g.mask for a in args]
        got = (rec["nr"], rec["args"][:len(want_args)], rec["ret"], rec["handled"])
        want = (nr, want_args, ret & g.mask, handled)
        if got != want:
            fail(what, "record %d: nr %#x args %s ret %#x handled %s; want nr %#x args %s ret %#x "
                 "handled %s" % ((i,) + (got[0], [hex(a) for a in got[1]], got[2], got[3]) +
                                 (want[0], [hex(a) for a in want[1]], want[2], want[3])))
            return False
    return True


def build(g, name):
    return guestgen.assemble(g, os.path.join(WORK, "%s-%s-%s.elf" % (ACCEL, ARCH, name)))


def ret_before(g, nr, args):
    """What the return register holds when the sentinel runs (it may be nr or a0)."""
    t = g.t
    return nr if t["ret"] == t["nr"] else args[t["args"].index(t["ret"])]


def exit_record(g, status):
    """The exit call answers nothing: its return register stays as it was."""
    return (NR_EXIT, [status], ret_before(g, NR_EXIT, [status]), True)


# ---------------------------------------------------------------- calls

def console_pointers():
    g = guestgen.Guest(ARCH)
    huge = 1 << 63 if g.bits == 64 else 0x7ff00000
    cases = [
        ("inside RAM", 0x10000, 16, 16),
        ("ending at the end of RAM", RAM - 16, 16, 16),
        ("straddling the end of RAM", RAM - 8, 16, EFAULT),
        ("past the end of RAM", RAM + 0x1000, 16, EFAULT),
        ("wrapping the address space", g.mask - 0xf, 0x100, EFAULT),
        ("a huge pointer", huge, 1, EFAULT),
        ("length all ones", 0x10000, g.mask, EINVAL),
        ("length one over the limit", 0x10000, 4097, EINVAL),
        ("length at the limit", 0x10000, 4096, 4096),
    ]
    for _, a0, a1, _ in cases:
        g.call(NR_CONSOLE, a0, a1)
    g.exit(0)
    run = Run(build(g, "console"))
    what = "console calls with bad pointers and lengths"
    calls = [(NR_CONSOLE, [a0, a1], ret, True) for _, a0, a1, ret in cases]
    if all([expect_end(what, run, 0, lines=0),
            expect_calls(what, run, g, calls + [exit_record(g, 0)])]):
        print("ok   %s: %s" % (what, ", ".join(c[0] for c in cases)))


def all_ones():
    g = guestgen.Guest(ARCH)
    t = g.t
    calls = []
    exit_ret = NR_EXIT if t["ret"] == t["nr"] else g.mask  # the exit call answers nothing
    for nr, ret, handled in ((g.mask, g.mask, False), (NR_TEST, TEST_ANSWER, True),
                             (NR_CONSOLE, EINVAL, True), (NR_EXIT, exit_ret, True)):
        for r in t["gprs"]:
            g.li(r, g.mask)
        if nr != g.mask:
            g.li(t["nr"], nr)
        g.emit("site")
        nr_seen = nr & (0xffffffff if ARCH == "x86_64" else g.mask)  # x86: the number is EAX
        calls.append((nr_seen, [g.mask] * len(t["args"]), ret, handled))
    g.emit("invalid")
    run = Run(build(g, "allones"))
    what = "every register all ones"
    if all([expect_end(what, run, 0xff, lines=0), expect_calls(what, run, g, calls)]):
        print("ok   %s: unknown number, test call, console, exit status 0xff" % what)


def unknown_numbers():
    g = guestgen.Guest(ARCH)
    t = g.t
    numbers = [(n, False) for n in (0, 1, 0x0badc0de, 0x7fffffff, 0x80000000, 0xffffffff,
                                    0x70480002, 0xcafebabf)]
    if g.bits == 64 and ARCH != "x86_64":
        # 64-bit numbers: only the sign extension of a 32-bit one is that number
        numbers += [(0x1cafebabe, False), (0xffffffffcafebabe, True)]
    calls = []
    for i, (nr, handled) in enumerate(numbers):
        args = [0x5a5a5a5a5a5a5a00 + i, 0x11, 0x22, 0x33]
        load = nr
        if t["ret"] == t["nr"] and ARCH == "x86_64":
            load = 0x5a5a5a5a << 32 | nr  # RAX's high half is not the number but must survive
        g.call(load, *args)
        before = load if t["ret"] == t["nr"] else ret_before(g, nr, args)
        calls.append((nr & (0xffffffff if ARCH == "x86_64" else g.mask), args,
                      TEST_ANSWER if handled else before, handled))
    g.exit(0)
    run = Run(build(g, "unknown"))
    what = "unknown numbers leave the return register alone"
    if all([expect_end(what, run, 0, lines=0),
            expect_calls(what, run, g, calls + [exit_record(g, 0)])]):
        print("ok   %s (%d numbers)" % (what, len(numbers)))


def no_builtins_then_invalid():
    g = guestgen.Guest(ARCH)
    calls = []
    for nr, args in ((NR_TEST, [1, 2]), (NR_CONSOLE, [0x10000, 4]), (NR_EXIT, [3])):
        g.call(nr, *args)
        calls.append((nr, args, ret_before(g, nr, args), False))
    g.emit("invalid")
    run = Run(build(g, "nobuiltins"), ["--no-builtins"])
    what = "no handlers (--no-builtins), then an invalid instruction"
    if all([expect_end(what, run, FAULT), expect_calls(what, run, g, calls)]):
        print("ok   %s: %s" % (what, run.stderr[0]))


def invalid_instruction():
    g = guestgen.Guest(ARCH)
    g.call(NR_TEST, 1, 2, 3, 4)
    g.emit("invalid")
    run = Run(build(g, "invalid"))
    what = "an invalid instruction after a call"
    if all([expect_end(what, run, FAULT),
            expect_calls(what, run, g, [(NR_TEST, [1, 2, 3, 4], TEST_ANSWER, True)])]):
        print("ok   %s: %s" % (what, run.stderr[0]))


def never_stops():
    g = guestgen.Guest(ARCH)
    g.label("forever").emit("jump", l="forever")
    run = Run(build(g, "forever"), ["--time-limit", "1"], timeout=30)
    what = "a guest that never stops, --time-limit 1"
    if all([expect_end(what, run, LIMIT, ["limit"]), expect_calls(what, run, g, [])]):
        if run.seconds > 10:
            fail(what, "took %.1f s to end" % run.seconds)
        else:
            print("ok   %s: %.1f s: %s" % (what, run.seconds, run.stderr[0]))


def rewrites_its_sentinels():
    """The same address runs sentinel, NOP, sentinel, NOP, each copied over it
    by the guest: exactly the two sentinel passes are calls."""
    g = guestgen.Guest(ARCH)
    t = g.t
    g.emit("la", r=t["ptr"], l="replacements")
    g.li(t["counter"], 4)
    g.label("again")
    g.emit("mov", d=t["args"][0], s=t["counter"])
    g.li(t["nr"], NR_TEST)
    g.label("site").emit("site")
    g.emit("copy_next", p=t["ptr"], l="site")
    g.emit("count_down", r=t["counter"], l="again")
    g.exit(0)
    g.words("replacements", ["nop4", "site", "nop4", "site"])
    run = Run(build(g, "smc"))
    what = "a guest that writes over its own sentinels"
    calls = [(NR_TEST, [4], TEST_ANSWER, True), (NR_TEST, [2], TEST_ANSWER, True), exit_record(g, 0)]
    if all([expect_end(what, run, 0, lines=0), expect_calls(what, run, g, calls)]):
        print("ok   %s: sentinel, NOP, sentinel, NOP at one address: 2 calls" % what)


def nothing_after_exit():
    """The exit call ends the guest at once: the call right behind it in the
    same block never runs, so the trace ends with the exit."""
    g = guestgen.Guest(ARCH)
    g.call(NR_EXIT, 7)
    g.call(NR_TEST, 1, 2, 3, 4)
    g.call(NR_EXIT, 9)
    g.emit("invalid")
    run = Run(build(g, "after-exit"))
    what = "nothing runs after the exit call"
    if all([expect_end(what, run, 7, lines=0), expect_calls(what, run, g, [exit_record(g, 7)])]):
        print("ok   %s: status 7, one record" % what)


# ---------------------------------------------------------------- storm

def storm_guest(n):
    g = guestgen.Guest(ARCH)
    t = g.t
    g.li(t["counter"], n)
    g.label("storm")
    g.emit("mov", d=t["args"][0], s=t["counter"])
    g.li(t["nr"], NR_TEST)
    g.emit("site")
    g.emit("count_down", r=t["counter"], l="storm")
    g.exit(0)
    return g, build(g, "storm-%d" % n)


PR_SET_THP_DISABLE = 41


def storm():
    # No transparent huge pages for phc-run (the setting is inherited across
    # fork and exec): where THP is "always" (the KVM host VM), khugepaged
    # may fold guest RAM the guest touched into 2 MiB pages during the long
    # run; in 4 KiB pages a leak shows as itself.
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0:
        fail("storm set-up", "prctl(PR_SET_THP_DISABLE): %s" % os.strerror(ctypes.get_errno()))
        return
    peaks = {}
    small, big = STORM_CALLS
    for n in (small, big):
        g, elf = storm_guest(n)
        run = Run(elf)
        what = "a storm of %d hypercalls" % n
        if not expect_end(what, run, 0, lines=0):
            return
        recs = run.records
        if len(recs) != n + 1:
            fail(what, "%d trace records, want %d" % (len(recs), n + 1))
            return
        bad = next((i for i, r in enumerate(recs[:n]) if r["nr"] != NR_TEST or r["args"][0] != n - i
                    or r["ret"] != TEST_ANSWER or not r["handled"]), None)
        if bad is not None or recs[n]["nr"] != NR_EXIT:
            fail(what, "record %s is not the call the guest made: %s" % (bad, recs[bad if bad is not None else n]))
            return
        peaks[n] = run.peak_kib
        print("ok   %s: all traced, %.2f s, peak anonymous RSS %d KiB" % (what, run.seconds, run.peak_kib))
    growth = peaks[big] - peaks[small]
    what = "peak anonymous RSS flat from %d to %d calls" % (small, big)
    if growth > 8 * 1024:
        fail(what, "grew by %d KiB (%d -> %d)" % (growth, peaks[small], peaks[big]))
    else:
        print("ok   %s: %+d KiB" % (what, growth))


# ---------------------------------------------------------------- durability

def counting_guest(name, calls=None):
    """Calls the test number with a0 = 0, 1, 2...; forever, or @calls times
    and then an invalid instruction. Under TCG a short busy wait between
    calls keeps a second's trace to some ten thousand lines (KVM's exits are
    slow enough, and its guest loops here are not fast)."""
    g = guestgen.Guest(ARCH)
    t = g.t
    g.li(t["index"], 0)
    if calls:
        g.li(t["counter"], calls)
    g.label("loop")
    if ACCEL == "tcg":
        g.li(t["ptr"], 2000)
        g.label("wait")
        g.emit("count_down", r=t["ptr"], l="wait")
    g.emit("mov", d=t["args"][0], s=t["index"])
    g.li(t["nr"], NR_TEST)
    g.emit("site")
    g.emit("inc", r=t["index"])
    if calls:
        g.emit("count_down", r=t["counter"], l="loop")
        g.emit("invalid")
    else:
        g.emit("jump", l="loop")
    return g, build(g, name)


def durability():
    ends = [("SIGINT", ["--summary"], signal.SIGINT, SIGNALLED, "signal", None),
            ("SIGTERM", ["--summary"], signal.SIGTERM, SIGNALLED, "signal", None),
            ("--time-limit", ["--summary", "--time-limit", "1"], None, LIMIT, "limit", None),
            ("a fault", ["--summary"], None, FAULT, "fault", 5000)]
    if ACCEL == "tcg":
        ends.append(("--insn-limit", ["--summary", "--insn-limit", "300000"], None, LIMIT, "limit", None))
    for name, args, sig, status, word, calls in ends:
        g, elf = counting_guest("count-%s" % name.strip("-"), calls)
        run = Run(elf, args, send=sig, after=1.0, timeout=60)
        what = "trace of a run ended by %s" % name
        if not expect_end(what, run, status, [word], lines=2):
            continue
        m = re.search(r"(\d+) hypercalls", run.stderr[0])
        if not m:
            fail(what, "no summary line: %s" % run.stderr)
            continue
        total = int(m.group(1))
        recs = run.records
        if calls and total != calls:
            fail(what, "%d calls dispatched, the guest made %d" % (total, calls))
        elif total == 0 or len(recs) != total:
            fail(what, "%d trace records for %d dispatched calls" % (len(recs), total))
        elif any(r["args"][0] != i or r["ret"] != TEST_ANSWER or not r["handled"] for i, r in enumerate(recs)):
            fail(what, "records are not the calls 0..%d in order" % (total - 1))
        else:
            print("ok   %s: %d calls, all %d records parse, seq and a0 0..%d" % (what, total, len(recs), total - 1))


GROUPS = {
    "calls": [console_pointers, all_ones, unknown_numbers, no_builtins_then_invalid,
              invalid_instruction, never_stops, rewrites_its_sentinels, nothing_after_exit],
    "storm": [storm],
    "durability": [durability],
}


def frontend_missing():
    """A reason to skip, if this phc-run has no such accelerator or engine."""
    g = guestgen.Guest(ARCH)
    g.exit(0)
    run = Run(build(g, "probe"), timeout=60)
    text = " ".join(run.stderr)
    if run.status == 126 and ("no %s frontend" % ACCEL in text or "/dev/kvm" in text):
        return text
    return None


def main():
    global PHC_RUN, ACCEL, ARCH, WORK
    PHC_RUN, ACCEL, ARCH, group = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    if not guestgen.available(ARCH):
        print("SKIP: no %sas to assemble the %s guests" % (guestgen.ARCHES[ARCH]["prefix"], ARCH),
              file=sys.stderr)
        return 77
    with tempfile.TemporaryDirectory(prefix="phc-hostile-") as WORK:
        why = frontend_missing()
        if why:
            print("SKIP: %s" % why, file=sys.stderr)
            return 77
        for scenario in GROUPS[group]:
            scenario()
    if failures:
        print("%d hostile-guest checks failed" % len(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
