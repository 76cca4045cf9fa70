#!/usr/bin/env python3
"""The ARM64 KVM frontend on a real KVM, with no ARM64 host at hand: boot
an arm64 Linux (6.4+, for the SMCCC filter) under qemu-system-aarch64 TCG
with EL2 (virtualization=on, GICv3), and run the cross-built phc-run
-accel kvm inside it. Checks:
  - the HVC guest passes every check (exit 0), also with -smp 2: the
    device tree in x0, the PL011 (MMIO exits), every built-in call;
  - its KVM trace equals the TCG trace of the same calls made with the MSR
    sentinel (the native phc-run -accel tcg);
  - a second vCPU started with PSCI CPU_ON makes its own call (vCPU 1);
  - with the guest's MMU on, a buffer across two pages mapped out of order
    is read through the guest's tables (and an unmapped one gives -14);
  - the C guest on <phc/guest.h> (tests/cguest/guest.c) built with
    PHC_HYPERCALL_HVC runs from a C _start (the entry state's stack below
    the device tree) and traces what its MSR build traces under TCG;
  - the MSR sentinel under KVM is UNDEFINED at the guest's EL1 (the guest's
    own vector table sees ESR_EL1.EC 0, exit 0x80), no call reaches phc,
    and a guest with no vector table for it never ends (time limit, 124).

usage: run.py SRC_DIR CROSS_BUILD_DIR NATIVE_PHC_RUN WORK_DIR
The kernel is $PHC_ARM64_KERNEL, else ~/.cache/phc/vmlinuz-arm64: an arm64
Image or vmlinuz, Linux 6.4+ with CONFIG_KVM=y (Debian's
linux-image-6.12.*-arm64; docs/kvm-arm64.md says how to fetch it). Exits 77
when it, qemu-system-aarch64 or the cross tools are missing.
"""
import json
import os
import shutil
import subprocess
import sys

CROSS = "aarch64-linux-gnu-"
FDT_MAX = 0x10000  # the device tree at the top of the KVM board's RAM (board.h)
LIB_DIRS = ["/usr/aarch64-linux-gnu/lib", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu"]


def skip(why):
    print(f"SKIP arm64-kvm-in-tcg: {why}", file=sys.stderr)
    sys.exit(77)


def fail(why):
    print(f"FAIL arm64-kvm-in-tcg: {why}", file=sys.stderr)
    sys.exit(1)


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def needed(path):
    out = subprocess.run([CROSS + "readelf", "-d", path], check=True, capture_output=True,
                         text=True).stdout
    return [l.split("[")[1].split("]")[0] for l in out.splitlines() if "(NEEDED)" in l]


def find_lib(name, extra):
    for d in [extra] + LIB_DIRS:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    fail(f"no arm64 {name}")


def copy_libs(binary, extra, dest):
    """Every shared library @binary needs, recursively, into dest/lib/."""
    todo, seen = needed(binary), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = find_lib(name, extra)
        shutil.copy(path, os.path.join(dest, "lib", name))
        todo += needed(path)


def build_guests(src, work):
    sysdir = os.path.join(src, "tests", "arm64", "system")
    ld = [CROSS + "ld", "--no-warn-rwx-segments", "-T", os.path.join(sysdir, "guest.ld")]
    out = {}
    for name, source, defs in [("guest-hvc", "guest.S", ["--defsym", "HVC=1"]),
                               ("guest-msr", "guest.S", ["--defsym", "HVC=0"]),
                               ("undef", "undef.S", []),
                               ("smp", "smp.S", []),
                               ("mmu", "mmu.S", [])]:
        obj, elf = os.path.join(work, name + ".o"), os.path.join(work, name + ".elf")
        sh(CROSS + "as", *defs, os.path.join(sysdir, source), "-o", obj)
        sh(*ld, obj, "-o", elf)
        out[name] = elf
    # the C guest on <phc/guest.h> (tests/cguest), its HVC form for KVM and
    # its MSR form for the TCG trace to compare with
    for name, defs in [("cguest-hvc", ["-DPHC_HYPERCALL_HVC"]), ("cguest-msr", [])]:
        out[name] = os.path.join(work, name + ".elf")
        sh(CROSS + "gcc", *defs, "-O2", "-ffreestanding", "-nostdlib", "-static", "-I",
           os.path.join(src, "include"), "-Wl,-Ttext-segment=0x10000", "-Wl,-e,_start",
           os.path.join(src, "tests", "cguest", "guest.c"), "-o", out[name])
    init = os.path.join(work, "init")
    sh(CROSS + "gcc", "-static", "-O2", "-Wall", os.path.join(sysdir, "init.c"), "-o", init)
    out["init"] = init
    return out


def make_initramfs(cross, files, work):
    root = os.path.join(work, "root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ["dev", "proc", "tmp", "lib"]:
        os.makedirs(os.path.join(root, d))
    phc_run = os.path.join(cross, "tools", "phc-run")
    shutil.copy(phc_run, os.path.join(root, "phc-run"))
    shutil.copy(files["init"], os.path.join(root, "init"))
    for name in ["guest-hvc", "guest-msr", "undef", "smp", "mmu", "cguest-hvc"]:
        shutil.copy(files[name], os.path.join(root, name + ".elf"))
    copy_libs(phc_run, cross, root)
    shutil.copy(find_lib("ld-linux-aarch64.so.1", cross), os.path.join(root, "lib"))
    image = os.path.join(work, "initramfs.cpio")
    names = subprocess.run(["find", "."], cwd=root, check=True, capture_output=True).stdout
    with open(image, "wb") as f:
        subprocess.run(["cpio", "--quiet", "-o", "-H", "newc"], cwd=root, input=names, stdout=f,
                       check=True)
    return image


def boot(kernel, initramfs, work):
    cmd = ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3", "-cpu", "max",
           "-smp", "2", "-m", "1024", "-nographic", "-nic", "none", "-no-reboot", "-kernel", kernel,
           "-initrd", initramfs, "-append", "console=ttyAMA0 rdinit=/init panic=-1"]
    log = os.path.join(work, "console.log")
    with open(log, "wb") as f:
        subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       timeout=900, check=False)
    with open(log, errors="replace") as f:
        return f.read().replace("\r", "")


def check_cguest(kvm, tcg_trace):
    """The C guest's KVM trace (its HVC build) is the TCG trace of its MSR
    build but for the addresses: where its stack is (the probe's a0 and,
    unanswered, its x0 after), 64 KiB lower under KVM, where the device tree
    holds the top of RAM (docs/entry.md); and its greeting's address, which
    the two builds lay out differently."""
    with open(tcg_trace) as f:
        tcg = [json.loads(l) for l in f]
    kvm = [json.loads(l) for l in kvm]
    if len(kvm) != 4 or len(tcg) != 4:
        fail(f"C guest traces: {len(kvm)} calls under KVM, {len(tcg)} under TCG, want 4")
    probe_k, probe_t = kvm[1], tcg[1]
    for field in ("args", "ret"):
        k = int(probe_k[field][0] if field == "args" else probe_k[field], 16)
        t = int(probe_t[field][0] if field == "args" else probe_t[field], 16)
        if t - k != FDT_MAX:
            fail(f"C guest stack ({field}): {k:#x} under KVM, {t:#x} under TCG: want 64 KiB apart")
    probe_k["args"][0], probe_k["ret"] = probe_t["args"][0], probe_t["ret"]
    kvm[2]["args"][0] = tcg[2]["args"][0]
    if kvm != tcg:
        fail("C guest: KVM and TCG traces differ:\n  kvm: %s\n  tcg: %s" % (kvm, tcg))


def main():
    if len(sys.argv) != 5:
        fail(__doc__)
    src, cross, native_run, work = sys.argv[1:5]
    cache = os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache"))
    kernel = os.environ.get("PHC_ARM64_KERNEL", os.path.join(cache, "phc", "vmlinuz-arm64"))
    if not os.path.exists(kernel):
        skip(f"no arm64 Linux 6.4+ kernel at {kernel} (set PHC_ARM64_KERNEL; docs/kvm-arm64.md)")
    for tool in ["qemu-system-aarch64", CROSS + "gcc", CROSS + "as", "cpio"]:
        if not shutil.which(tool):
            skip(f"{tool} not found (Debian: qemu-system-arm, gcc-aarch64-linux-gnu, cpio)")
    os.makedirs(work, exist_ok=True)
    if not os.path.exists(os.path.join(cross, "build.ninja")):
        sh(os.path.join(src, "scripts", "cross-arm64"), cross)
    sh("meson", "compile", "-C", cross, "phc-run", stdout=subprocess.DEVNULL)
    files = build_guests(src, work)

    tcg_trace = os.path.join(work, "tcg.jsonl")
    rc = subprocess.run([native_run, "-accel", "tcg", "-arch", "aarch64", "-kernel",
                         files["guest-msr"], "--trace", tcg_trace], capture_output=True).returncode
    if rc != 0:
        fail(f"the MSR guest under TCG exited {rc}")

    ctcg_trace = os.path.join(work, "cguest-tcg.jsonl")
    rc = subprocess.run([native_run, "-accel", "tcg", "-kernel", files["cguest-msr"], "--trace",
                         ctcg_trace], capture_output=True).returncode
    if rc != 0:
        fail(f"the C guest's MSR form under TCG exited {rc}")

    console = boot(kernel, make_initramfs(cross, files, work), work)
    results, traces = {}, {}
    for line in console.splitlines():
        parts = line.split(" ", 2)
        if parts[0] == "PHC-RESULT":
            results[parts[1]] = int(parts[2])
        elif parts[0] == "PHC-TRACE":
            traces.setdefault(parts[1], []).append(parts[2])
    if "PHC-DONE" not in console:
        fail(f"the arm64 system did not finish; see {work}/console.log")
    if "pl011 says hello" not in console:
        fail("the HVC guest's PL011 output did not reach the console")
    if "phc reads this through the guest's tables" not in console:
        fail("the MMU-on guest's console write did not come out whole")
    if "PHC-KVM yes" not in console:
        fail("no /dev/kvm in the emulated arm64 host")
    want = {"hvc": 0, "hvc-smp2": 0, "smp": 0, "mmu": 0, "undef": 0x80, "msr": 124, "cguest": 0}
    bad = {k: (results.get(k), v) for k, v in want.items() if results.get(k) != v}
    if bad:
        fail(f"exit statuses (got, want): {bad}; see {work}/console.log")
    with open(tcg_trace) as f:
        tcg = [l.rstrip("\n") for l in f]
    if traces.get("hvc") != tcg:
        fail("KVM and TCG traces differ:\n  kvm: %s\n  tcg: %s" % (traces.get("hvc"), tcg))
    check_cguest(traces.get("cguest", []), ctcg_trace)
    smp = traces.get("smp", [])
    if not any('"vcpu":1,' in l and '"nr":"0xcafebabe"' in l and '"ret":"0xd"' in l for l in smp):
        fail(f"vCPU 1's round trip is not in the trace: {smp}")
    undef = traces.get("undef", [])
    if len(undef) != 1 or '"nr":"0x70480000"' not in undef[0]:
        fail(f"the UNDEF guest should make exactly its exit call, made: {undef}")
    print(f"arm64 KVM in TCG: HVC guest exit 0 (also -smp 2), {len(tcg)} calls, KVM trace == TCG "
          "trace; vCPU 1 via PSCI CPU_ON calls too; MMU-on buffers read through the guest's tables; MSR sentinel UNDEFINED at guest EL1 (EC 0), "
          "never reaches phc; the C guest's HVC form == its MSR form under TCG")


if __name__ == "__main__":
    main()
