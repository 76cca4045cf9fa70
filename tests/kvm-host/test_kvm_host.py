#!/usr/bin/env python3
"""scripts/kvm-host against its contract, whichever way it runs here
(directly on a hardware /dev/kvm, or in the KVM host VM):
  - stdout, stderr and the exit status come back; cwd and environment are
    the caller's; a file the command writes is on this machine at once;
  - /dev/kvm is real: the kernel answers KVM_GET_API_VERSION with 12;
  - a hung command dies with its caller (SIGTERM, and SIGKILL of the client);
  - VM churn (two commands running phc-run under KVM at once, as the suite
    does) leaves it taking commands: each VM's creation and end makes the
    kernel it runs in re-patch its code, which once wedged the KVM host VM;
  - no KVM host to be had: exit 77 and one line (PHC_KVM_HOST=off; a qemu
    binary that does not exist, in a runtime directory of its own);
  - --help exits 0 and shows the usage.
usage: test_kvm_host.py KVM_HOST PHC_RUN X86_64_GUEST
"""
import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time

failures = 0


def check(ok, what):
    global failures
    if not ok:
        failures += 1
    print(("ok   " if ok else "FAIL ") + what)


def run(host, cmd, env=None, **kw):
    return subprocess.run([host, "run", "--"] + cmd, capture_output=True, text=True,
                          env=env, timeout=600, **kw)


def gone_in_host(host, pid, tries=20):
    """True once process @pid no longer exists where kvm-host runs commands."""
    for _ in range(tries):
        if run(host, ["sh", "-c", f"kill -0 {pid} 2>/dev/null"]).returncode != 0:
            return True
        time.sleep(1)
    return False


def killed_with_client(host, tmp, sig):
    pidfile = os.path.join(tmp, f"hung-{sig}")
    client = subprocess.Popen([host, "run", "--", "sh", "-c", f"echo $$ > {pidfile}; exec sleep 600"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not (os.path.exists(pidfile) and open(pidfile).read().strip()):
        if time.monotonic() > deadline or client.poll() is not None:
            client.kill()
            return False, "the hung command never started"
        time.sleep(0.2)
    pid = open(pidfile).read().strip()
    if gone_in_host(host, pid, tries=1):
        client.kill()
        return False, f"kill -0 {pid} fails while the command runs"
    client.send_signal(sig)
    try:
        client.wait(10)
    except subprocess.TimeoutExpired:
        client.kill()
        return False, "the client outlived the signal by 10 s"
    return gone_in_host(host, pid), f"sleep (pid {pid} where it ran) still runs"


# Each of two commands at once: phc-run under KVM, back to back.
CHURN_RUNS = 40
CHURN = 'for i in $(seq %d); do "$0" -accel kvm -arch x86_64 -kernel "$1" > /dev/null || exit; done; echo done'


def churn(host, phc_run, guest):
    """Both churn commands end 'done' with 0, and neither had to be run again
    on a fresh VM (kvm-host says so on stderr when its VM stops)."""
    clients = [subprocess.Popen([host, "run", "--", "sh", "-c", CHURN % CHURN_RUNS, phc_run, guest],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    results = [c.communicate(timeout=600) + (c.returncode,) for c in clients]
    bad = [r for r in results if r[2] != 0 or r[0].strip() != "done" or "fresh VM" in r[1]]
    return not bad, bad


def main():
    host, phc_run, guest = (os.path.abspath(a) for a in sys.argv[1:4])
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PHC_TEST_VALUE="two words\nand 'quotes' $HOME")
        r = run(host, ["sh", "-c", 'echo out; echo err >&2; printf "%s|%s" "$PWD" "$PHC_TEST_VALUE" > out.txt; exit 3'],
                env=env, cwd=tmp)
        check(r.returncode == 3, f"exit status 3 comes back (got {r.returncode}: {r.stderr.strip()})")
        check(r.stdout == "out\n" and r.stderr == "err\n",
              f"stdout and stderr come back apart (got {r.stdout!r}, {r.stderr!r})")
        written = open(os.path.join(tmp, "out.txt")).read() if os.path.exists(os.path.join(tmp, "out.txt")) else None
        check(written == f"{tmp}|{env['PHC_TEST_VALUE']}",
              f"cwd and environment are the caller's, the file is here (got {written!r})")

        probe = ("import fcntl, os; fd = os.open('/dev/kvm', os.O_RDWR); "
                 "print(fcntl.ioctl(fd, 0xAE00))")  # KVM_GET_API_VERSION
        r = run(host, ["/usr/bin/python3", "-c", probe])
        check(r.returncode == 0 and r.stdout.strip() == "12",
              f"/dev/kvm answers KVM_GET_API_VERSION with 12 (got {r.returncode}, {r.stdout.strip()!r}, {r.stderr.strip()!r})")

        ok, bad = churn(host, phc_run, guest)
        check(ok, f"two commands running phc-run under KVM {CHURN_RUNS} times each end, "
                  "the VM never lost"
              + ("" if ok else f" (got {bad})"))

        for sig in (signal.SIGTERM, signal.SIGKILL):
            ok, why = killed_with_client(host, tmp, sig)
            check(ok, f"a hung command dies with its client ({signal.Signals(sig).name})"
                  + ("" if ok else f": {why}"))

        r = run(host, ["true"], env=dict(os.environ, PHC_KVM_HOST="off"))
        check(r.returncode == 77 and len(r.stderr.strip().splitlines()) == 1,
              f"PHC_KVM_HOST=off: exit 77 and one line (got {r.returncode}, {r.stderr!r})")
        r = run(host, ["true"], env=dict(os.environ, PHC_KVM_HOST="vm",
                                         PHC_KVM_HOST_DIR=os.path.join(tmp, "rt"),
                                         PHC_KVM_HOST_QEMU="/nonexistent/qemu-system-x86_64"))
        check(r.returncode == 77 and len(r.stderr.strip().splitlines()) == 1
              and "qemu-system-x86_64" in r.stderr,
              f"no qemu: exit 77 and one line naming it (got {r.returncode}, {r.stderr!r})")

    r = subprocess.run([host, "--help"], capture_output=True, text=True)
    check(r.returncode == 0 and "usage: kvm-host run" in r.stdout, "--help shows the usage")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
