#!/usr/bin/env python3
"""Tests with a real Linux guest (Debian's kernel), as meson tests.

  linux_test.py [--kvm-host KVM_HOST] CACHE WHAT ARGS...

  unit LINUX_BOOT_TEST
      the boot-protocol unit test, given the real bzImage and its vmlinux
  usage PHC_RUN ELF_GUEST
      phc-run's flags for a Linux guest and its one-line refusals
  trap PHC_RUN GUEST
      INT3 or FWAIT in a bare guest reaches its exception handler with the
      right address (the VMM finishes them where KVM cannot emulate them)
  early PHC_RUN INIT
      boot under -accel kvm until the kernel has shown, on its early console,
      the command line, memory map and initramfs this loader gave it
  boot PHC_RUN INIT LOOP_GUEST
      boot to userspace: /init and the module make hypercalls; check the
      trace, the console and the exit status; print the boot-to-exit time
  qemu-boot PHC_RUN INIT
      the same boot under -accel tcg, which takes the patched QEMU (-M pc):
      the same checks, and the boot-to-exit time printed
  panic PHC_RUN INIT LOOP_GUEST
      a kernel that cannot start init panics and reboots, by each method
      Linux has; every one ends the run with status 125 and its reason

The guest is made here (linux_guest.py: apt, the module build), and only
phc-run itself runs with KVM: through KVM_HOST (scripts/kvm-host run) when
given, which has a real /dev/kvm on any x86-64 machine, else directly.
CACHE is the build's folder for the initramfs. boot and panic first time
LOOP_GUEST (kernel-mode code): where KVM emulates the guest's kernel mode, a
full boot takes far too long, and they skip saying so unless
PHC_LINUX_FULL_BOOT=1. Exit 0 pass, 77 skip (reason on stderr), anything
else fails. A failing boot prints the kernel's last console lines.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import linux_guest as lg  # noqa: E402

RAM_MIB = 128
# Nothing the kernel can skip: every instruction may be emulated. Every
# console byte is a port exit, and in the KVM host a thousand of them cost
# 0.05 s or more, so the console shows notices and worse (loglevel=6): the
# module's pr_notice() answer, panics, not the 300 lines of a boot. No
# i8042.* options: Linux finds no keyboard controller by itself, and its
# reboot code then still pulses the 8042's reset line. rtc_cmos would spend
# about 10 s probing a CMOS clock that is not there (docs/linux-guests.md).
CMDLINE = ("console=ttyS0 panic=-1 lpj=4000000 acpi=off pci=off nosmp "
           "mitigations=off audit=0 cryptomgr.notests tsc=reliable "
           "initcall_blacklist=cmos_init loglevel=6")
# Linux's reboot methods (arch/x86/kernel/reboot.c) and the reason each
# gives: the kernel's own pick (ACPI, none here, then the 8042, as
# reboot=k), a triple fault, the reset control register, and the BIOS (in
# real mode to F000:FFF0, where phc's stub pulls the 8042 reset line).
REBOOT_METHODS = [("", "port 0x64"), ("reboot=t", "triple-faulted"), ("reboot=p", "port 0xcf9"),
                  ("reboot=b", "port 0x64")]
RESET_STATUS = 125
# A boot takes 40 to 100 s in the KVM host on a loaded machine.
TIME_LIMIT = int(os.environ.get("PHC_LINUX_TIME_LIMIT", "240"))
EARLY_TIME_LIMIT = 400
QEMU_TIME_LIMIT = int(os.environ.get("PHC_LINUX_QEMU_TIME_LIMIT", "400"))
CONSOLE_TAIL = 40
# kernel-mode-loop.S: two instructions a loop, a million loops.
LOOP_INSTRUCTIONS = 2_000_000
EMULATED_BELOW = 50e6  # instructions a second; hardware does billions

NR_TEST, NR_CONSOLE, NR_EXIT = 0xCAFEBABE, 0x70480001, 0x70480000
KERNEL_TAG = 0x6B65726E  # tests/linux/module/phc_test.c
# What the KVM host adds to the command (scripts/kvm-host run --), if any.
KVM_HOST = []
# The last stderr line of a timed run: its start and end, in ns, where it ran.
TIMED = ('s=$(date +%s%N); "$@"; rc=$?; echo "phc-linux-test-time $s $(date +%s%N)" >&2; '
         'exit $rc')


def with_kvm(cmd, timed=False, kvm=True):
    """@cmd as it runs with KVM (or here, if not @kvm); @timed: its duration
    is measured there."""
    return (KVM_HOST if kvm else []) + (["sh", "-c", TIMED, "sh"] if timed else []) + cmd


def run_kvm(cmd, timeout, timed=False, kvm=True):
    """Run @cmd with KVM (or here, if not @kvm): (CompletedProcess, seconds)
    with the time as measured where it ran (None unless @timed), its line
    taken off stderr."""
    r = subprocess.run(with_kvm(cmd, timed, kvm), capture_output=True, text=True,
                       errors="replace", timeout=timeout)
    if r.returncode == lg.SKIP and KVM_HOST and kvm:
        lg.skip(f"no KVM host: {r.stderr.strip()}")
    seconds = None
    if timed:
        lines = r.stderr.splitlines()
        if lines and lines[-1].startswith("phc-linux-test-time "):
            start, end = (int(v) for v in lines[-1].split()[1:])
            seconds = (end - start) / 1e9
            r.stderr = "\n".join(lines[:-1])
    return r, seconds


def need_kvm():
    if KVM_HOST:
        return  # the KVM host skips (77) by itself when it cannot be had
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError as e:
        lg.skip(f"cannot open /dev/kvm ({e.strerror}): no Linux guest under -accel kvm")


def kernel_mode_native(phc_run, loop_guest):
    """Time LOOP_GUEST: True if kernel-mode code runs on the CPU. Where KVM
    emulates it, skip (77) unless PHC_LINUX_FULL_BOOT=1 asks for the long
    boot anyway (then False). The KVM host is a real KVM by construction."""
    if KVM_HOST:
        return True
    r, seconds = run_kvm([phc_run, "-accel", "kvm", "-kernel", loop_guest], 600, timed=True)
    if r.returncode != 0 or seconds is None:
        raise RuntimeError(f"the kernel-mode timing guest failed ({r.returncode}): {r.stderr}")
    rate = LOOP_INSTRUCTIONS / seconds
    if rate >= EMULATED_BELOW:
        return True
    note = (f"this KVM runs guest kernel-mode code at about {rate / 1e6:.2f} M instructions/s "
            f"({LOOP_INSTRUCTIONS / 1e6:.0f} M took {seconds:.2f} s): it emulates kernel mode, "
            "and Debian's kernel takes far longer than a test may to reach userspace "
            "there (docs/linux-guests.md)")
    if os.environ.get("PHC_LINUX_FULL_BOOT") == "1":
        print(f"NOTE: {note}; booting anyway (PHC_LINUX_FULL_BOOT=1)", file=sys.stderr)
        return False
    lg.skip(f"{note}. Set PHC_LINUX_FULL_BOOT=1 (and PHC_LINUX_TIME_LIMIT) to run it; "
            "linux-kvm-early-boot covers the boot protocol here")


def boot(phc_run, kernel, initrd, cmdline, trace, time_limit=TIME_LIMIT, accel="kvm"):
    cmd = [phc_run, "-accel", accel, "-m", f"{RAM_MIB}M", "-kernel", str(kernel), "-append",
           cmdline, "--trace", str(trace), "--time-limit", str(time_limit)]
    if initrd:
        cmd += ["-initrd", str(initrd)]
    # The KVM host may have to boot first (about 30 s here).
    return run_kvm(cmd, time_limit + 300, timed=True, kvm=accel == "kvm")


def console_tail(r, why):
    lines = r.stdout.splitlines()
    print(f"FAIL: {why}", file=sys.stderr)
    print(f"--- phc-run exit {r.returncode}; stderr:\n{r.stderr.rstrip()}", file=sys.stderr)
    print(f"--- the guest's last {CONSOLE_TAIL} console lines (of {len(lines)}):", file=sys.stderr)
    for line in lines[-CONSOLE_TAIL:]:
        print(f"    {line}", file=sys.stderr)
    return 1


def read_trace(path):
    calls = []
    for line in Path(path).read_text().splitlines():
        rec = json.loads(line)
        calls.append({"nr": int(rec["nr"], 16), "args": [int(a, 16) for a in rec["args"]],
                      "ret": int(rec["ret"], 16), "handled": rec["handled"],
                      "arch": rec["arch"]})
    return calls


def find(calls, nr, args_prefix=None):
    return [c for c in calls if c["nr"] == nr and
            (args_prefix is None or c["args"][:len(args_prefix)] == list(args_prefix))]


def check_crossing(r, calls):
    """/init's console write of a line that starts 20 bytes before a page
    boundary and names the boundary's address."""
    m = re.search(r"phc-init: this line crosses a page boundary at 0x([0-9a-f]+)\n", r.stdout)
    if not m:
        return ["the line written across a page boundary is not on the console"]
    boundary, length = int(m.group(1), 16), len(m.group(0))
    writes = find(calls, NR_CONSOLE, [boundary - 20, length])
    if len(writes) != 1 or writes[0]["ret"] != length or boundary & 0xFFF:
        return [f"console write of {length} bytes at 0x{boundary - 20:x} (across the page "
                f"boundary 0x{boundary:x}) returning its length missing: {writes}"]
    return []


def check_boot(r, calls):
    """Every expectation on one boot; a list of what went wrong."""
    problems = []
    if r.returncode != 0:
        problems.append(f"exit status {r.returncode}, /init's exit call should give 0")
    if any(c["arch"] != "x86_64" for c in calls):
        problems.append("a call was not traced as x86_64 (64-bit code)")

    user_test = find(calls, NR_TEST, [1, 2, 3, 4])
    if len(user_test) != 1 or user_test[0]["ret"] != 13 or not user_test[0]["handled"]:
        problems.append(f"userspace test call 0xcafebabe(1,2,3,4) -> 13 missing: {user_test}")

    hello = "phc-init: hello from pid 1 in Linux userspace\n"
    writes = [c for c in find(calls, NR_CONSOLE) if c["args"][1] == len(hello)]
    if len(writes) != 1 or writes[0]["ret"] != len(hello):
        problems.append(f"console write of {len(hello)} bytes returning its length missing: "
                        f"{writes}")
    elif not 0x1000 <= writes[0]["args"][0] < 0x800000000000:
        problems.append(f"console write address 0x{writes[0]['args'][0]:x} is not a user address")
    if hello not in r.stdout:
        problems.append("the userspace string did not reach the console through the handler")

    problems += check_crossing(r, calls)

    kernel_test = find(calls, NR_TEST, [KERNEL_TAG, 5, 6, 7])
    if len(kernel_test) != 1 or kernel_test[0]["ret"] != 13:
        problems.append(f"kernel-mode test call 0xcafebabe(0x{KERNEL_TAG:x},5,6,7) -> 13 "
                        f"missing: {kernel_test}")
    if "phc_test: test hypercall from kernel mode returned 13" not in r.stdout:
        problems.append("the module's printk of the answer is not on the console")

    exits = find(calls, NR_EXIT)
    if len(exits) != 1 or exits[0]["args"][0] != 0 or calls[-1]["nr"] != NR_EXIT:
        problems.append(f"exit call (0) is not the single last call: {exits}")
    return problems


def cmd_unit(cache, binary):
    kernel = lg.prepare().kernel
    with lg.Cache(lg.USER_CACHE) as c:
        unpacked = c.vmlinux(kernel)
    extra = []
    if unpacked:
        vmlinux, entry, segments = unpacked
        extra = [str(vmlinux), entry] + segments
    return subprocess.run([binary, str(kernel)] + extra).returncode


def guest_cmdline(guest, native):
    return CMDLINE if native else f"{CMDLINE} {lg.emulator_cmdline(guest.abi)}"


def cmd_boot(cache, phc_run, init, loop_guest):
    need_kvm()
    guest = lg.prepare(cache, init)
    native = kernel_mode_native(phc_run, loop_guest)
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace.jsonl"
        r, seconds = boot(phc_run, guest.kernel, guest.initrd, guest_cmdline(guest, native), trace)
        if not trace.exists():
            return console_tail(r, "no trace was written")
        calls = read_trace(trace)
    problems = check_boot(r, calls)
    if problems:
        return console_tail(r, "; ".join(problems))
    where = " in the KVM host" if KVM_HOST else ""
    print(f"{guest.kernel.name}: booted under -accel kvm{where}, {len(calls)} hypercalls "
          f"(userspace and kernel module), boot-to-exit {seconds:.2f} s")
    return 0


def cmd_qemu_boot(cache, phc_run, init):
    guest = lg.prepare(cache, init)
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace.jsonl"
        r, seconds = boot(phc_run, guest.kernel, guest.initrd, CMDLINE, trace,
                          time_limit=QEMU_TIME_LIMIT, accel="tcg")
        if r.returncode == 126 and "no patched QEMU here" in r.stderr:
            raise lg.Skip(f"the patched QEMU is not built here: {r.stderr.strip()}")
        if not trace.exists():
            return console_tail(r, "no trace was written")
        calls = read_trace(trace)
    problems = check_boot(r, calls)
    if problems:
        return console_tail(r, "; ".join(problems))
    print(f"{guest.kernel.name}: booted under -accel tcg (QEMU -M pc), {len(calls)} hypercalls "
          f"(userspace and kernel module), boot-to-exit {seconds:.2f} s")
    return 0


def cmd_panic(cache, phc_run, init, loop_guest):
    """No init in the initramfs and no root disk: the kernel panics, and with
    panic=-1 it reboots at once, by whichever method it is told or picks;
    every one must end the run with RESET_STATUS (not a hang to the time
    limit) and a reason naming it, the console saying why."""
    need_kvm()
    guest = lg.prepare(cache, init)
    native = kernel_mode_native(phc_run, loop_guest)
    base = guest_cmdline(guest, native) + " rdinit=/no-such-init"

    def panic(method):
        with tempfile.TemporaryDirectory() as tmp:
            trace = Path(tmp) / "trace.jsonl"
            r, seconds = boot(phc_run, guest.kernel, guest.initrd, f"{base} {method}".strip(),
                              trace)
            return r, seconds, read_trace(trace) if trace.exists() else []

    # One at a time: in the emulated KVM host a Linux guest stopped early in
    # boot (no console line for 240 s) only ever with another Linux guest
    # booting beside it (6 times); 16 boots one after another all ended.
    # The linux tests are not parallel in meson for the same reason.
    results = [panic(m) for m, _ in REBOOT_METHODS]
    failed = 0
    for (method, words), (r, seconds, calls) in zip(REBOOT_METHODS, results):
        name = method or "the kernel's own pick"
        last = r.stderr.strip().splitlines()[-1:] or [""]
        if r.returncode != RESET_STATUS or "Kernel panic" not in r.stdout or words not in last[0]:
            failed += console_tail(r, f"{name}: a panicking kernel should end with "
                                      f"{RESET_STATUS}, say 'Kernel panic', and phc-run's reason "
                                      f"'{words}'")
        elif calls:
            failed += console_tail(r, f"{name}: no init ran, yet {len(calls)} hypercalls were "
                                      "traced")
        else:
            print(f"{name}: the panicking kernel ended the run with {r.returncode} after "
                  f"{seconds:.2f} s: {last[0]}")
    return 1 if failed else 0


def early_expectations(cmdline, initrd_size):
    """What the kernel must print about what this loader gave it (setup_arch:
    e820__print_table(), the command line, reserve_initrd()), from the layout
    docs/linux-guests.md promises: RAM at 0 and from 1 MiB, the initramfs
    page-aligned at the top of RAM."""
    ram = RAM_MIB << 20
    initrd_start = (ram - initrd_size) & ~0xFFF
    initrd_end = (initrd_start + initrd_size + 0xFFF) & ~0xFFF
    return [
        "Linux version ",
        f"Command line: {cmdline}",
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",
        "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved",
        "BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved",
        f"BIOS-e820: [mem 0x0000000000100000-0x{ram - 1:016x}] usable",
        f"RAMDISK: [mem {initrd_start:#010x}-{initrd_end - 1:#010x}]",
    ]


def cmd_early(cache, phc_run, init):
    """The boot protocol end to end on KVM, in the kernel's own words: stop
    the guest once it has printed everything expected, or at the limit."""
    need_kvm()
    guest = lg.prepare(cache, init)
    kernel, initrd = guest.kernel, guest.initrd
    cmdline = CMDLINE + " loglevel=7 earlyprintk=serial,ttyS0"  # the last loglevel counts
    want = early_expectations(cmdline, initrd.stat().st_size)
    cmd = with_kvm([phc_run, "-accel", "kvm", "-m", f"{RAM_MIB}M", "-kernel", str(kernel),
                    "-initrd", str(initrd), "-append", cmdline, "--time-limit",
                    str(EARLY_TIME_LIMIT)])
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace")
    lines, missing = [], list(want)
    for line in proc.stdout:
        lines.append(line.rstrip("\r\n"))
        missing = [w for w in missing if w not in line] if missing else missing
        if not missing:
            proc.send_signal(signal.SIGINT)
            break
    seconds = time.monotonic() - start
    out, err = proc.communicate()
    lines += out.splitlines()
    r = subprocess.CompletedProcess(cmd, proc.returncode, "\n".join(lines), err)
    if missing:
        return console_tail(r, f"the kernel never printed: {missing}")
    if proc.returncode == lg.SKIP and KVM_HOST:
        lg.skip(f"no KVM host: {err.strip()}")
    if proc.returncode != 130:
        return console_tail(r, f"phc-run ended with {proc.returncode}, not 130 (our SIGINT)")
    print(f"{kernel.name}: booted under -accel kvm; after {seconds:.1f} s the kernel had shown "
          f"our command line, e820 map and initramfs ({want[-1]})")
    return 0


def cmd_usage(cache, phc_run, elf_guest):
    """How phc-run takes (and refuses) a Linux guest, before any boot."""
    need_kvm()
    kernel = str(lg.prepare().kernel)
    with tempfile.TemporaryDirectory() as tmp:
        junk = Path(tmp) / "junk"
        junk.write_bytes(bytes(range(256)) * 64)
        cases = [
            (["-accel", "kvm", "-kernel", elf_guest, "-append", "x"], 2, "are for a Linux bzImage"),
            (["-accel", "kvm", "-arch", "i386", "-kernel", kernel], 2, "-arch x86_64"),
            (["-accel", "kvm", "-kernel", kernel, "-initrd", str(Path(tmp) / "none")], 2,
             "No such file"),
            (["-accel", "kvm", "-kernel", str(junk), "-m", "128M"], 126, "not a bzImage"),
            (["-accel", "kvm", "-kernel", kernel, "-m", "32M"], 126, "needs RAM up to"),
            (["-accel", "kvm", "-kernel", kernel, "-m", "128M", "-smp", "2"], 126, "one vCPU"),
            (["-accel", "kvm", "-kernel", kernel, "-m", "4G"], 126, "at most 3072 MiB"),
        ]
        # Usage errors (2) come before any KVM: only the others need the KVM host.
        def refusal(case):
            cmd = [phc_run] + case[0]
            if case[1] == 2:
                return subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            return run_kvm(cmd, 300)[0]

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(refusal, cases))
        failed = 0
        for (args, status, words), r in zip(cases, results):
            lines = r.stderr.strip().splitlines()
            if r.returncode != status or len(lines) != 1 or words not in lines[0]:
                print(f"FAIL: phc-run {' '.join(args)}: exit {r.returncode} (want {status}), "
                      f"stderr {r.stderr!r} (want one line with {words!r})", file=sys.stderr)
                failed += 1
    if failed:
        return 1
    print(f"phc-run: {len(cases)} ways to get a Linux guest wrong, each one line and its status")
    return 0


def cmd_trap(cache, phc_run, guest):
    """A bare guest whose exception handler exits 42 if the trap or fault
    came with the right address (43: a wrong one, 44: none came)."""
    need_kvm()
    r, _ = run_kvm([phc_run, "-accel", "kvm", "-kernel", guest], 300)
    name = Path(guest).name
    if r.returncode != 42:
        print(f"FAIL: {name} ended with {r.returncode} (42: the exception came with the right "
              f"address, 43: a wrong one, 44: none): {r.stderr.strip()}", file=sys.stderr)
        return 1
    print(f"{name}: the exception reached the guest's handler with the right address")
    return 0


def main(argv):
    if len(argv) > 2 and argv[1] == "--kvm-host":
        KVM_HOST.extend([argv[2], "run", "--"])
        argv = argv[:1] + argv[3:]
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cache, what, rest = argv[1], argv[2], argv[3:]
    commands = {"unit": cmd_unit, "usage": cmd_usage, "trap": cmd_trap, "early": cmd_early,
                "boot": cmd_boot, "qemu-boot": cmd_qemu_boot, "panic": cmd_panic}
    try:
        return commands[what](cache, *rest)
    except lg.Skip as e:
        lg.skip(str(e))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
