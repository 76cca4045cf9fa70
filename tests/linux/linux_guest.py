"""The Linux test guest, made at test time and cached in the build folder.

- the kernel: Debian's linux-image-<abi>-amd64 (the one linux-image-amd64
  depends on), fetched with `apt-get download`; only its vmlinuz is unpacked
  (dpkg-deb's file system archive, filtered by tar), nothing is installed;
- the test module: built against /usr/src/linux-headers-<abi>-amd64 if that
  exact package is installed, else left out (init then reports NO_MODULE);
- the initramfs: a newc cpio archive with /init, the module and /dev/console.

Preparation runs under a lock, so tests running in parallel share one cache.
"""

import fcntl
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

SKIP = 77
HERE = Path(__file__).resolve().parent
MODULE_SOURCES = ("phc_test.c", "Kbuild")

# /init's exit status bits (tests/linux/init.c).
FAILED_TEST_CALL, FAILED_CONSOLE, FAILED_MODULE, NO_MODULE, FAILED_IOPL = 1, 2, 4, 8, 16


class Skip(Exception):
    """The guest cannot be made here; the test skips with this reason."""


def skip(reason):
    print(f"SKIP: {reason}", file=sys.stderr)
    sys.exit(SKIP)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def kernel_abi():
    """The ABI name (e.g. 6.1.0-56-amd64) of Debian's current amd64 kernel."""
    override = os.environ.get("PHC_LINUX_ABI")
    if override:
        return override
    try:
        out = run(["apt-cache", "depends", "linux-image-amd64"]).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise Skip(f"cannot ask apt which kernel linux-image-amd64 is: {e}")
    m = re.search(r"Depends: linux-image-(\S+-amd64)\b", out)
    if not m:
        raise Skip("apt knows no linux-image-amd64 package (run apt-get update)")
    return m.group(1)


class Cache:
    def __init__(self, root):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.root / ".lock", "w")

    def __enter__(self):
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._lock, fcntl.LOCK_UN)

    def kernel(self, abi):
        """Path of vmlinuz-<abi>, downloading and unpacking it once."""
        vmlinuz = self.root / f"vmlinuz-{abi}"
        if vmlinuz.exists():
            return vmlinuz
        download = self.root / "download"
        shutil.rmtree(download, ignore_errors=True)
        download.mkdir()
        try:
            run(["apt-get", "download", f"linux-image-{abi}"], cwd=download)
        except (OSError, subprocess.CalledProcessError) as e:
            raise Skip(f"apt-get download linux-image-{abi} failed: "
                       f"{getattr(e, 'stderr', '') or e}".strip())
        deb = next(download.glob("*.deb"))
        member = f"./boot/vmlinuz-{abi}"
        fsys = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
        tar = subprocess.run(["tar", "-x", "-C", str(download), member], stdin=fsys.stdout,
                             capture_output=True, text=True)
        fsys.stdout.close()
        if fsys.wait() != 0 or tar.returncode != 0:
            raise RuntimeError(f"cannot unpack {member} from {deb.name}: {tar.stderr.strip()}")
        os.replace(download / member, vmlinuz)
        shutil.rmtree(download)
        return vmlinuz

    def vmlinux(self, kernel):
        """The ELF inside the bzImage, unpacked here with Python's lzma (an
        oracle for the C unpacker): (path, entry, [segments]) with segments
        as readelf lists them, or None if the payload is not XZ."""
        data = kernel.read_bytes()
        setup = ((data[0x1F1] or 4) + 1) * 512
        offset, length = struct.unpack_from("<II", data, 0x248)
        payload = data[setup + offset:setup + offset + length]
        if not payload.startswith(b"\xfd7zXZ\x00"):
            return None
        out = self.root / (kernel.name.replace("vmlinuz", "vmlinux"))
        if not out.exists():
            tmp = out.with_suffix(".tmp")
            tmp.write_bytes(lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload))
            os.replace(tmp, out)
        listing = run(["readelf", "-lhW", str(out)]).stdout
        entry = re.search(r"Entry point address:\s+0x([0-9a-f]+)", listing).group(1)
        segments = [f"{paddr}:{offset}:{filesz}:{memsz}" for offset, paddr, filesz, memsz in
                    re.findall(r"^\s*LOAD\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+"
                               r"0x([0-9a-f]+)\s+0x([0-9a-f]+)", listing, re.M)]
        return out, entry, segments

    def module(self, abi):
        """Path of phc_test.ko built for @abi, or None without its headers."""
        headers = Path(f"/usr/src/linux-headers-{abi}")
        if not (headers / "Makefile").exists():
            return None
        build = self.root / f"module-{abi}"
        ko = build / "phc_test.ko"
        sources = [HERE / "module" / name for name in MODULE_SOURCES]
        if ko.exists() and all(ko.stat().st_mtime >= s.stat().st_mtime for s in sources):
            return ko
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir()
        for s in sources:
            shutil.copy(s, build)
        r = subprocess.run(["make", "-C", str(headers), f"M={build}", "modules"],
                           capture_output=True, text=True)
        if r.returncode != 0 or not ko.exists():
            raise RuntimeError(f"building the test module against {headers} failed:\n"
                               f"{r.stdout[-2000:]}{r.stderr[-2000:]}")
        return ko

    def initramfs(self, init, module):
        """A newc cpio with /init, the module if any, and /dev/console."""
        stage = self.root / "initramfs-root"
        shutil.rmtree(stage, ignore_errors=True)
        (stage / "dev").mkdir(parents=True)
        shutil.copy(init, stage / "init")
        os.chmod(stage / "init", 0o755)
        if module:
            shutil.copy(module, stage / "phc_test.ko")
        if os.geteuid() == 0:
            os.mknod(stage / "dev/console", 0o600 | 0o020000, os.makedev(5, 1))
        names = sorted(str(p.relative_to(stage)) for p in stage.rglob("*"))
        out = self.root / "initramfs.cpio"
        tmp = out.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=stage,
                           input="\n".join(names).encode(), stdout=f, check=True)
        os.replace(tmp, out)
        return out


# Features whose instructions KVM's instruction emulator cannot execute
# (arch/x86/kvm/emulate.c): where KVM emulates the guest's kernel mode, the
# kernel must not use them (SLUB's cmpxchg16b, xrstor, ...). Kernel names.
EMULATOR_UNSAFE = ("CX16 XSAVE PCID INVPCID FSGSBASE BMI1 BMI2 RDRAND RDSEED SMAP ERMS FSRM RDPID "
                   "RDTSCP POPCNT ABM XMM4_1 XMM4_2 AES PCLMULQDQ SHA_NI LA57 CLFLUSHOPT CLWB")


def emulator_cmdline(abi):
    """Kernel parameters that keep @abi's kernel off EMULATOR_UNSAFE: noxsave
    and clearcpuid= with the X86_FEATURE numbers from its own headers."""
    header = Path(f"/usr/src/linux-headers-{abi.removesuffix('-amd64')}-common"
                  "/arch/x86/include/asm/cpufeatures.h")
    if not header.exists():
        return "noxsave"
    numbers = {m.group(1): int(m.group(2)) * 32 + int(m.group(3)) for m in re.finditer(
        r"#define X86_FEATURE_(\w+)\s+\(\s*(\d+)\s*\*\s*32\s*\+\s*(\d+)\s*\)",
        header.read_text())}
    bits = [str(numbers[name]) for name in EMULATOR_UNSAFE.split() if name in numbers]
    return f"noxsave clearcpuid={','.join(bits)}"


class Guest:
    def __init__(self, abi, kernel, initrd=None, module=None):
        self.abi, self.kernel, self.initrd, self.module = abi, kernel, initrd, module


def prepare(cache_dir, init=None):
    """The Guest (its initramfs only with @init); Skip if it cannot be had."""
    with Cache(cache_dir) as cache:
        abi = kernel_abi()
        kernel = cache.kernel(abi)
        if init is None:
            return Guest(abi, kernel)
        module = cache.module(abi)
        if module is None:
            print(f"NOTE: /usr/src/linux-headers-{abi} is not installed: the initramfs has no "
                  "kernel module, only the userspace calls are tested", file=sys.stderr)
        return Guest(abi, kernel, cache.initramfs(init, module), module)
