"""Debian's cross assemblers and disassemblers, the tests' independent oracle.

Every encoding the tests compare against comes out of these tools at test
time; nothing here knows an opcode. A missing tool raises Skip so the test
reports 77 with the package to install.
"""
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


class Skip(Exception):
    pass


def need(tool, package):
    path = shutil.which(tool)
    if not path:
        raise Skip(f"{tool} not found: apt-get install {package}")
    return path


def run(argv, stdin=None):
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stderr[-4000:]}")
    return p.stdout


class Gnu:
    """GNU as + objcopy + objdump for one cross prefix."""

    def __init__(self, prefix, package, objdump_args):
        self.prefix = prefix
        self.package = package
        self.objdump_args = objdump_args

    def assemble(self, lines, flags=()):
        as_ = need(f"{self.prefix}-as", self.package)
        objcopy = need(f"{self.prefix}-objcopy", self.package)
        with tempfile.TemporaryDirectory(prefix="phc-asm-") as tmp:
            src, obj, text = (os.path.join(tmp, n) for n in ("t.s", "t.o", "t.bin"))
            with open(src, "w") as f:
                f.write("\n".join(lines) + "\n")
            run([as_, *flags, "-o", obj, src])
            run([objcopy, "-O", "binary", "-j", ".text", obj, text])
            with open(text, "rb") as f:
                return f.read()

    def disassemble(self, code):
        objdump = need(f"{self.prefix}-objdump", self.package)
        with tempfile.NamedTemporaryFile(suffix=".bin") as f:
            f.write(code)
            f.flush()
            out = run([objdump, "-D", "-b", "binary", *self.objdump_args, f.name])
        # the instruction lines: "   0:\t<bytes>\t<mnemonic operands>"
        return [l.split("\t", 2)[2].strip() for l in out.splitlines()
                if l.strip()[:2] == "0:" and l.count("\t") >= 2]


class LlvmMc:
    """llvm-mc-16 for targets GNU binutils in Debian 12 lacks (LoongArch)."""

    package = "llvm-16"

    def __init__(self, triple):
        self.triple = triple

    def assemble(self, lines, flags=()):
        mc = need("llvm-mc-16", self.package)
        objcopy = need("llvm-objcopy-16", self.package)
        with tempfile.TemporaryDirectory(prefix="phc-asm-") as tmp:
            obj, text = os.path.join(tmp, "t.o"), os.path.join(tmp, "t.bin")
            run([mc, f"-triple={self.triple}", "-filetype=obj", *flags, "-o", obj],
                stdin="\n".join(lines) + "\n")
            run([objcopy, "-O", "binary", "-j", ".text", obj, text])
            with open(text, "rb") as f:
                return f.read()

    def disassemble(self, code):
        mc = need("llvm-mc-16", self.package)
        out = run([mc, "--disassemble", f"-triple={self.triple}"],
                  stdin=" ".join(f"0x{b:02x}" for b in code) + "\n")
        return [l.strip() for l in out.splitlines()
                if l.strip() and not l.strip().startswith(".")]


def main_wrapper(fn):
    """Run fn() as a meson test: 0 pass, 1 fail, 77 skip (said loudly)."""
    try:
        ok = fn()
    except Skip as e:
        print(f"SKIP: {e}", file=sys.stderr)
        sys.exit(SKIP)
    sys.exit(0 if ok else 1)
