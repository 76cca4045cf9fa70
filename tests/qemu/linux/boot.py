#!/usr/bin/env python3
"""Boot Debian's kernel for one architecture on the patched QEMU to /init's
exit call, and check what the hypercalls did.

    boot.py --phc-run PATH --arch ROW --deb-arch ARCH --package PKG --init INIT
            --append CMDLINE
    boot.py --skip REASON

The kernel is Debian's (the package the metapackage PKG depends on), fetched
with `apt-get download` through a private sources list and apt state for the
foreign architecture, and cached outside the build folder with the initramfs
(/init only): ${XDG_CACHE_HOME:-~/.cache}/phc/kernels/ARCH/. Checks: the exit
status is /init's (0: all its checks passed), the test call answered 13, the
page-crossing console write reached stdout whole, the exit call is the last
call, every call is traced under ROW. Prints the boot-to-exit time.
Exit 0 pass, 1 fail, 77 skip (reason on stderr).
"""
import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SKIP = 77
TIME_LIMIT = int(os.environ.get("PHC_LINUX_QEMU_TIME_LIMIT", "400"))
LINE = "phc-init: hello across a page boundary\n"  # init.c
NR_TEST, NR_CONSOLE, NR_EXIT = 0xCAFEBABE, 0x70480001, 0x70480000
SUITES = ("http://deb.debian.org/debian bookworm main",
          "http://deb.debian.org/debian-security bookworm-security main")


def skip(why):
    print(f"SKIP: {why}", file=sys.stderr)
    sys.exit(SKIP)


def fail(why, out=""):
    tail = "\n".join(out.splitlines()[-30:])
    print(f"FAIL: {why}\n--- console tail ---\n{tail}", file=sys.stderr)
    sys.exit(1)


def apt(root, deb_arch, *args, cwd=None):
    opts = ["-o", f"APT::Architecture={deb_arch}", "-o", f"APT::Architectures={deb_arch}",
            "-o", f"Dir::Etc::SourceList={root}/sources.list", "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={root}/lists", "-o", f"Dir::Cache={root}/cache"]
    return subprocess.run([args[0]] + opts + list(args[1:]), cwd=cwd, capture_output=True,
                          text=True, check=True)


def fetch_kernel(root, deb_arch, package):
    """Debian's kernel image for @deb_arch, unpacked once into @root."""
    done = root / "kernel"
    if done.exists():
        return root / done.read_text().strip()
    (root / "lists/partial").mkdir(parents=True, exist_ok=True)
    (root / "cache/archives/partial").mkdir(parents=True, exist_ok=True)
    (root / "sources.list").write_text("".join(
        f"deb [arch={deb_arch} signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] {s}\n"
        for s in SUITES))
    try:
        apt(root, deb_arch, "apt-get", "update", "-q")
        depends = apt(root, deb_arch, "apt-cache", "depends", package).stdout
        m = re.search(r"Depends: (linux-image-\S+)", depends)
        if not m:
            skip(f"apt knows no kernel behind {package} for {deb_arch}")
        image = m.group(1)
        download = root / "download"
        shutil.rmtree(download, ignore_errors=True)
        download.mkdir()
        apt(root, deb_arch, "apt-get", "download", image, cwd=download)
    except (OSError, subprocess.CalledProcessError) as e:
        skip(f"cannot fetch {package} for {deb_arch}: {getattr(e, 'stderr', '') or e}".strip())
    deb = next(download.glob("*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(download / "x")], check=True)
    kernels = sorted((download / "x/boot").glob("vmlinu*"))
    if not kernels:
        fail(f"{deb.name} holds no /boot/vmlinu*")
    name = kernels[0].name
    os.replace(kernels[0], root / name)
    shutil.rmtree(download)
    done.write_text(name + "\n")
    return root / name


def make_initramfs(root, init):
    stage = root / "initramfs-root"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    shutil.copy(init, stage / "init")
    os.chmod(stage / "init", 0o755)
    out = root / "initramfs.cpio"
    with open(out, "wb") as f:
        subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=stage,
                       input=b"init\n", stdout=f, check=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip", metavar="REASON", help="skip the test, saying why")
    for flag in ("--phc-run", "--arch", "--deb-arch", "--package", "--init", "--append"):
        ap.add_argument(flag)
    a = ap.parse_args()
    if a.skip:
        skip(a.skip)

    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "phc/kernels" / a.deb_arch
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kernel = fetch_kernel(root, a.deb_arch, a.package)
        initrd = make_initramfs(root, a.init)

        with tempfile.TemporaryDirectory() as tmp:
            trace = Path(tmp) / "trace.jsonl"
            cmd = [a.phc_run, "-accel", "tcg", "-arch", a.arch, "-m", "256M", "-kernel", str(kernel),
                   "-initrd", str(initrd), "-append", a.append, "--trace", str(trace),
                   "--time-limit", str(TIME_LIMIT)]
            start = time.monotonic()
            r = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                               timeout=TIME_LIMIT + 60)
            seconds = time.monotonic() - start
            if r.returncode == 126 and "no patched QEMU here" in r.stderr:
                skip(f"the patched QEMU is not built here: {r.stderr.strip()}")
            calls = [json.loads(line) for line in trace.read_text().splitlines()] if trace.exists() else []

    for c in calls:
        c["nr"] = int(c["nr"], 16)
        c["args"] = [int(x, 16) for x in c["args"]]
        c["ret"] = int(c["ret"], 16)
    if r.returncode != 0:
        fail(f"exit status {r.returncode} ({r.stderr.strip()}), want /init's 0", r.stdout)
    if any(c["arch"] != a.arch for c in calls):
        fail(f"a call was not traced as {a.arch}: {calls}", r.stdout)
    tests = [c for c in calls if c["nr"] == NR_TEST and c["args"][:4] == [1, 2, 3, 4]]
    if len(tests) != 1 or tests[0]["ret"] != 13 or not tests[0]["handled"]:
        fail(f"test call 0xcafebabe(1,2,3,4) -> 13 missing: {tests}", r.stdout)
    writes = [c for c in calls if c["nr"] == NR_CONSOLE]
    if len(writes) != 1 or writes[0]["args"][1] != len(LINE) or writes[0]["ret"] != len(LINE):
        fail(f"one console write of {len(LINE)} bytes returning its length missing: {writes}", r.stdout)
    if LINE not in r.stdout:
        fail("the page-crossing string did not reach the console whole", r.stdout)
    if not calls or calls[-1]["nr"] != NR_EXIT or calls[-1]["args"][0] != 0:
        fail(f"the exit call (0) is not the last call: {calls[-1:]}", r.stdout)
    print(f"{kernel.name} on QEMU as {a.arch}: {len(calls)} hypercalls from /init, "
          f"boot-to-exit {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
