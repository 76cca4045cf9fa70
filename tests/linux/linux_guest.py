"""The Linux test guest, made on this machine (it needs apt, so never in
the KVM host VM, which has no network):

- the kernel: Debian's linux-image-<abi> (the one linux-image-amd64 depends
  on), fetched with `apt-get download`; only its vmlinuz is unpacked
  (dpkg-deb's file system archive, filtered by tar), nothing is installed;
- the test module: built against /usr/src/linux-headers-<abi>, installed
  with apt-get when missing (scripts/setup.sh installs linux-headers-amd64);
- the initramfs: a newc cpio archive with /init, the module and /dev/console.

The kernel and the module are cached under ~/.cache/phc/linux/ (keyed by
the kernel ABI, and the module by its sources), the initramfs in the build
folder (it holds that build's /init). Each cache is prepared under a lock,
in a temporary name renamed into place, so parallel tests and checkouts
share one copy.
"""

import fcntl
import hashlib
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

SKIP = 77
HERE = Path(__file__).resolve().parent
MODULE_SOURCES = ("phc_test.c", "Kbuild")
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "phc" / "linux"

# /init's exit status bit when the initramfs holds no module (tests/linux/init.c).
NO_MODULE = 8


class Skip(Exception):
    """The guest cannot be made here; the test skips with this reason."""


def skip(reason):
    print(f"SKIP: {reason}", file=sys.stderr)
    sys.exit(SKIP)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def kernel_abi():
    """The ABI name (e.g. 6.1.0-57-amd64) of Debian's current amd64 kernel."""
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


def replace_into(tmp, final):
    """Move the finished @tmp (file or folder) to @final, atomically."""
    if final.is_dir():
        shutil.rmtree(final)
    os.replace(tmp, final)


class Cache:
    """A folder whose contents are made under its lock."""

    def __init__(self, root):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.root / ".lock", "w")

    def __enter__(self):
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._lock, fcntl.LOCK_UN)

    def tmpdir(self):
        return tempfile.TemporaryDirectory(dir=self.root, prefix=".tmp-")

    def kernel(self, abi):
        """Path of vmlinuz-<abi>, downloading and unpacking it once."""
        vmlinuz = self.root / f"vmlinuz-{abi}"
        if vmlinuz.exists():
            return vmlinuz
        with self.tmpdir() as tmp:
            try:
                run(["apt-get", "download", f"linux-image-{abi}"], cwd=tmp)
            except (OSError, subprocess.CalledProcessError) as e:
                raise Skip(f"apt-get download linux-image-{abi} failed: "
                           f"{getattr(e, 'stderr', '') or e}".strip())
            deb = next(Path(tmp).glob("*.deb"))
            member = f"./boot/vmlinuz-{abi}"
            fsys = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)],
                                    stdout=subprocess.PIPE)
            tar = subprocess.run(["tar", "-x", "-C", tmp, member], stdin=fsys.stdout,
                                 capture_output=True, text=True)
            fsys.stdout.close()
            if fsys.wait() != 0 or tar.returncode != 0:
                raise RuntimeError(f"cannot unpack {member} from {deb.name}: {tar.stderr.strip()}")
            replace_into(Path(tmp) / member, vmlinuz)
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
            replace_into(tmp, out)
        listing = run(["readelf", "-lhW", str(out)]).stdout
        entry = re.search(r"Entry point address:\s+0x([0-9a-f]+)", listing).group(1)
        segments = [f"{paddr}:{offset}:{filesz}:{memsz}" for offset, paddr, filesz, memsz in
                    re.findall(r"^\s*LOAD\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+"
                               r"0x([0-9a-f]+)\s+0x([0-9a-f]+)", listing, re.M)]
        return out, entry, segments

    def module(self, abi):
        """Path of phc_test.ko built for @abi, against its exact headers."""
        headers = install_headers(abi)
        sources = [HERE / "module" / name for name in MODULE_SOURCES]
        key = hashlib.sha256(b"".join(s.read_bytes() for s in sources)).hexdigest()[:16]
        build = self.root / f"module-{abi}-{key}"
        ko = build / "phc_test.ko"
        if ko.exists():
            return ko
        tmp = Path(tempfile.mkdtemp(dir=self.root, prefix=".tmp-"))
        try:
            for s in sources:
                shutil.copy(s, tmp)
            r = subprocess.run(["make", "-C", str(headers), f"M={tmp}", "modules"],
                               capture_output=True, text=True)
            if r.returncode != 0 or not (tmp / "phc_test.ko").exists():
                raise RuntimeError(f"building the test module against {headers} failed:\n"
                                   f"{r.stdout[-2000:]}{r.stderr[-2000:]}")
            os.chmod(tmp, 0o755)
            replace_into(tmp, build)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return ko

    def initramfs(self, init, module):
        """A newc cpio with /init, the module, and /dev/console."""
        out = self.root / "initramfs.cpio"
        with self.tmpdir() as stage:
            stage = Path(stage)
            (stage / "dev").mkdir()
            shutil.copy(init, stage / "init")
            os.chmod(stage / "init", 0o755)
            shutil.copy(module, stage / "phc_test.ko")
            if os.geteuid() == 0:
                os.mknod(stage / "dev/console", 0o600 | 0o020000, os.makedev(5, 1))
            names = sorted(str(p.relative_to(stage)) for p in stage.rglob("*"))
            tmp = out.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=stage,
                               input="\n".join(names).encode(), stdout=f, check=True)
            replace_into(tmp, out)
        return out


def install_headers(abi):
    """/usr/src/linux-headers-<abi>, installed with apt-get if missing."""
    headers = Path(f"/usr/src/linux-headers-{abi}")
    if (headers / "Makefile").exists():
        return headers
    package = f"linux-headers-{abi}"
    if os.geteuid() != 0:
        raise Skip(f"{package} is not installed and only root may install it")
    print(f"NOTE: installing {package} for the test module", file=sys.stderr)
    r = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", package],
                       capture_output=True, text=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if r.returncode != 0 or not (headers / "Makefile").exists():
        raise Skip(f"cannot install {package}: {r.stderr.strip()[-300:]}")
    return headers


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


def prepare(build_cache=None, init=None):
    """The Guest: its kernel, and with @init its module and an initramfs in
    @build_cache. Skip if it cannot be had."""
    with Cache(USER_CACHE) as cache:
        abi = kernel_abi()
        kernel = cache.kernel(abi)
        if init is None:
            return Guest(abi, kernel)
        module = cache.module(abi)
    with Cache(build_cache) as cache:
        return Guest(abi, kernel, cache.initramfs(init, module), module)
