#!/usr/bin/env python3
"""<phc/guest.h> outside a freestanding guest: a Linux kernel module built
with the kernel's own build system (against Debian's amd64 headers), and a
hosted userspace program built against libc with gcc for x86-64 and
aarch64. Neither runs here (port IO to 0x88 on this machine is no guest);
the disassembler, an independent oracle, must find the sentinel exactly
once in each, and the x86 program must call ioperm for the port. A
Thumb-1 build must stop at the header's #error.

Exit codes: 0 pass, 1 fail, 77 skip (with the reason on stderr).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hosted")
PROGRAMS = [  # compiler, disassembler, sentinel as it prints it
    ("gcc", "x86_64-linux-gnu-objdump", "out %eax,$0x88"),
    ("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-objdump", "msr s0_0_c5_c0_0, xzr"),
]


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def disassemble(objdump, path):
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", path], capture_output=True, text=True,
                         check=True).stdout
    return [" ".join(m.group(1).split("#")[0].split("<")[0].split())
            for m in map(re.compile(r"^\s*[0-9a-f]+:\s+(\S.*)$").match, out.splitlines()) if m]


def expect_one(what, objdump, path, sentinel):
    n = disassemble(objdump, path).count(sentinel)
    if n != 1:
        fail(f"{what}: {objdump} finds {n} x '{sentinel}', want 1")


def check_module(include, tmp):
    headers = sorted(glob.glob("/usr/src/linux-headers-*-amd64"))
    if not headers or not os.path.exists(os.path.join(headers[-1], "Makefile")):
        return "no kernel headers (linux-headers-amd64): module not built"
    build = os.path.join(tmp, "module")
    os.mkdir(build)
    for name in ["phc_guest_mod.c", "Kbuild"]:
        shutil.copy(os.path.join(HERE, name), build)
    r = subprocess.run(["make", "-C", headers[-1], f"M={build}", f"PHC_INCLUDE={include}", "modules"],
                       capture_output=True, text=True)
    ko = os.path.join(build, "phc_guest_mod.ko")
    if r.returncode != 0 or not os.path.exists(ko):
        fail(f"the kernel module does not build:\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
    expect_one("kernel module", "x86_64-linux-gnu-objdump", ko, "out %eax,$0x88")
    return f"module built against {os.path.basename(headers[-1])}"


def check_userspace(include, tmp):
    done = []
    for cc, objdump, sentinel in PROGRAMS:
        if not shutil.which(cc):
            continue
        exe = os.path.join(tmp, f"userspace-{cc}")
        r = subprocess.run([cc, "-O2", "-Wall", "-Wextra", "-Werror", "-I", include,
                            os.path.join(HERE, "userspace.c"), "-o", exe], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"{cc}: the userspace program does not build:\n{r.stderr}")
        expect_one(f"{cc} userspace", objdump, exe, sentinel)
        calls = subprocess.run([objdump, "-d", exe], capture_output=True, text=True, check=True).stdout
        if cc == "gcc" and not re.search(r"\scall\s.*<ioperm@plt>", calls):
            fail("the x86 userspace program never calls ioperm")
        done.append(cc)
    return "userspace built with " + ", ".join(done)


def check_thumb1(include, tmp):
    """Thumb-1 has no coprocessor moves: the header must stop the build with
    its own message, not leave the assembler to reject the sentinel."""
    cc = "arm-linux-gnueabi-gcc"
    if not shutil.which(cc):
        return f"{cc} missing: Thumb-1 refusal not checked"
    r = subprocess.run([cc, "-mthumb", "-march=armv5te", "-ffreestanding", "-c", "-I", include,
                        os.path.join(HERE, "..", "guest.c"), "-o", os.path.join(tmp, "t1.o")],
                       capture_output=True, text=True)
    if r.returncode == 0 or "needs A32 or Thumb-2 code" not in r.stderr:
        fail(f"a Thumb-1 build: exit {r.returncode}, want the header's #error:\n{r.stderr}")
    return "Thumb-1 refused with the header's message"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--include", required=True, help="the directory holding phc/guest.h")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(check_module(args.include, tmp))
        print(check_userspace(args.include, tmp))
        print(check_thumb1(args.include, tmp))


if __name__ == "__main__":
    main()
