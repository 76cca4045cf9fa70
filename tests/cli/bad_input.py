#!/usr/bin/env python3
"""Bad input from users: phc-run must answer each with exactly one line on
stderr ("phc-run: ..." saying what is wrong), the documented non-zero exit
status, and no crash (no signal, no core).

usage: bad_input.py PHC_RUN
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

USAGE, HOST = 2, 126
failures = []


def run(args, cwd, capless=False):
    """Run phc-run; returns (status, stderr lines). A signal is a failure.
    capless: as root without capabilities, so file permissions bind root too."""
    cmd = [PHC_RUN] + args
    if capless and os.geteuid() == 0:
        cmd = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"] + cmd
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=60)
    return p.returncode, p.stderr.decode(errors="replace").splitlines()


def case(name, args, status, words, cwd, **kw):
    """status: the exit status (or a tuple of acceptable ones)."""
    rc, lines = run(args, cwd, **kw)
    what = "%s: phc-run %s" % (name, " ".join(args))
    problems = []
    statuses = status if isinstance(status, tuple) else (status,)
    if rc < 0:
        problems.append("killed by signal %d" % -rc)
    elif rc not in statuses:
        problems.append("exit %d, want %d" % (rc, status))
    if len(lines) != 1:
        problems.append("%d lines on stderr, want 1" % len(lines))
    elif not lines[0].startswith("phc-run: "):
        problems.append("stderr line does not start with 'phc-run: '")
    text = "\n".join(lines).lower()
    for w in words:  # a word, or a tuple of words any one of which will do
        alternatives = w if isinstance(w, tuple) else (w,)
        if not any(a.lower() in text for a in alternatives):
            problems.append("stderr does not mention %s" % " or ".join(map(repr, alternatives)))
    if os.path.exists(os.path.join(cwd, "core")):
        problems.append("left a core file")
    if problems:
        failures.append(what)
        print("FAIL %s: %s\n  stderr: %s" % (what, "; ".join(problems), lines), file=sys.stderr)
    else:
        print("ok   %s -> %d: %s" % (name, rc, lines[0]))


def assemble(tmp, name, prefix, source):
    """A static guest at 0x10000 from the cross binutils; None if missing."""
    as_, ld = prefix + "as", prefix + "ld"
    if not shutil.which(as_):
        return None
    s, o, elf = (os.path.join(tmp, name + ext) for ext in (".s", ".o", ".elf"))
    with open(s, "w") as f:
        f.write(".globl _start\n_start:\n" + source)
    subprocess.run([as_, "-o", o, s], check=True)
    subprocess.run([ld, "-N", "--build-id=none", "-Ttext=0x10000", "-o", elf, o], check=True,
                   stderr=subprocess.DEVNULL)
    return elf


def patched(src, dst, offset, fmt, value):
    data = bytearray(open(src, "rb").read())
    struct.pack_into(fmt, data, offset, value)
    with open(dst, "wb") as f:
        f.write(data)
    return dst


def main():
    tmp = tempfile.mkdtemp(prefix="phc-cli-")
    x86 = assemble(tmp, "x86_64", "", " mov $0x70480000, %eax\n xor %edi, %edi\n outl %eax, $0x88\n hlt\n")
    arm64 = assemble(tmp, "aarch64", "aarch64-linux-gnu-", " mov x8, #0\n msr S0_0_c5_c0_0, xzr\n b .\n")
    if not x86:
        print("SKIP: no x86-64 assembler to make the test guest", file=sys.stderr)
        return 77
    for f in os.listdir(tmp):
        os.chmod(os.path.join(tmp, f), 0o644)
    text = os.path.join(tmp, "notes.txt")
    with open(text, "w") as f:
        f.write("this is not a guest\n")
    empty = os.path.join(tmp, "empty")
    open(empty, "w").close()
    truncated = os.path.join(tmp, "truncated.elf")
    with open(truncated, "wb") as f:
        f.write(open(x86, "rb").read()[:80])
    s390 = patched(x86, os.path.join(tmp, "s390.elf"), 18, "<H", 22)  # e_machine = EM_S390
    phdr_off = struct.unpack_from("<Q", open(x86, "rb").read(), 32)[0]
    past_end = patched(x86, os.path.join(tmp, "past-end.elf"), phdr_off + 8, "<Q", 1 << 40)
    high = patched(x86, os.path.join(tmp, "high.elf"), phdr_off + 24, "<Q", 0x40000000)  # p_paddr 1 GiB

    # Input is checked before the accelerator starts: these hold on a host
    # with no /dev/kvm as on one with it.
    k = ["-accel", "kvm", "-kernel"]
    case("no guest", [], USAGE, ["-kernel"], tmp)
    case("missing file", k + ["/nonexistent/guest.elf"], USAGE, ["no such file"], tmp)
    case("a directory", k + [tmp], USAGE, ["not a regular file"], tmp)
    case("empty file", k + [empty], USAGE, ["not an ELF"], tmp)
    # under -accel kvm a file that is not an ELF may be a Linux bzImage
    case("not an ELF", k + [text], (USAGE, HOST), [("not an ELF", "not a bzImage")], tmp)
    case("not an ELF for TCG", ["-accel", "tcg", "-kernel", text], USAGE, ["not an ELF"], tmp)
    case("truncated ELF", k + [truncated], USAGE, [truncated], tmp)
    case("shared object", k + ["/bin/sh"], USAGE, ["not an ELF executable"], tmp)
    case("ELF of another machine", k + [s390], USAGE, ["machine 22"], tmp)
    case("segment past the file", k + [past_end], USAGE, ["outside the file"], tmp)
    case("memory too small", k + [x86, "-m", "64K"], USAGE, ["-m"], tmp)
    case("memory too small for a high segment", k + [high, "-m", "32M"], USAGE, ["-m"], tmp)
    if arm64:
        case("-arch against the file", ["-accel", "kvm", "-arch", "mipsel", "-kernel", arm64], USAGE,
             ["does not match", "aarch64"], tmp)
        case("KVM for a foreign guest", k + [arm64], HOST, ["use -accel tcg"], tmp)
    case("-arch unknown", ["-accel", "kvm", "-arch", "sparc", "-kernel", x86], USAGE,
         ["sparc", "x86_64"], tmp)
    loongarch = patched(x86, os.path.join(tmp, "loongarch64.elf"), 18, "<H", 258)  # EM_LOONGARCH
    # Unicorn has no LoongArch (plain -accel tcg takes the patched QEMU)
    case("Unicorn for LoongArch", ["-accel", "tcg,engine=unicorn", "-kernel", loongarch], HOST,
         ["-accel tcg"], tmp)
    case("-accel tcg engine unknown", ["-accel", "tcg,engine=bochs", "-kernel", x86], USAGE,
         ["bochs"], tmp)
    case("-accel unknown", ["-accel", "hvf", "-kernel", x86], USAGE, ["hvf"], tmp)
    case("-accel property unknown", ["-accel", "kvm,colour=blue", "-kernel", x86], USAGE,
         ["colour"], tmp)
    case("-accel property without a value", ["-accel", "kvm,device", "-kernel", x86], USAGE,
         ["KEY=VALUE"], tmp)
    case("-accel empty", ["-accel", ",", "-kernel", x86], USAGE, ["-accel"], tmp)
    case("unknown flag", k + [x86, "--bogus"], USAGE, ["--bogus"], tmp)
    case("flag without its value", k + [x86, "-m"], USAGE, ["-m needs a value"], tmp)
    for size in ("0", "12Q", "-1", "1G5", "5000", "99999999T", "0x", ""):
        case("-m %r" % size, k + [x86, "-m", size], USAGE, ["-m"], tmp)
    for n in ("0", "65", "two", "-1"):
        case("-smp %r" % n, k + [x86, "-smp", n], USAGE, ["-smp"], tmp)
    for t in ("abc", "-1", "0", "nan", "1e99"):
        case("--time-limit %r" % t, k + [x86, "--time-limit", t], USAGE, ["--time-limit"], tmp)
    case("--insn-limit not a number", k + [x86, "--insn-limit", "many"], USAGE, ["insn-limit"], tmp)
    case("trace in a missing folder", k + [x86, "--trace", "/nonexistent/t.jsonl"], USAGE,
         ["--trace", "no such file"], tmp)
    case("trace onto a folder", k + [x86, "--trace", tmp], USAGE, ["--trace", "directory"], tmp)
    case("trace onto a full disk", ["-accel", "tcg", "-kernel", x86, "--trace", "/dev/full"], HOST,
         ["--trace /dev/full", "failed"], tmp)
    # The KVM device named with device=: missing, closed to us, not KVM. The
    # same one line as for /dev/kvm, on any host, KVM or not.
    missing = os.path.join(tmp, "no-such-kvm")
    closed = os.path.join(tmp, "closed-kvm")
    open(closed, "w").close()
    os.chmod(closed, 0)
    kd = lambda dev: ["-accel", "kvm,device=" + dev, "-kernel", x86]
    case("KVM device missing", kd(missing), HOST, [missing, "no such file"], tmp)
    case("KVM device not permitted", kd(closed), HOST, [closed, "permission denied"], tmp,
         capless=True)
    case("KVM device not KVM", kd("/dev/null"), HOST, ["/dev/null", "not a KVM device"], tmp)
    shutil.rmtree(tmp)
    if failures:
        print("%d of the bad inputs were mishandled" % len(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    PHC_RUN = os.path.abspath(sys.argv[1])
    sys.exit(main())
