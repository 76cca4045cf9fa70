"""Hostile guests, written as assembly for each architecture and assembled
with Debian's cross binutils at test time.

Each architecture is a table of instruction templates (set a register, make
the hypercall, count a loop down, copy a word over code, an undefined
instruction); the scenarios in hostile.py are built from those, so every
architecture runs the same hostile program. Sentinel and NOP words written
over code at run time are copied from instructions the assembler encoded,
never typed in here.
"""
import os
import shutil
import subprocess

X86_64 = {
    "prefix": "x86_64-linux-gnu-", "asflags": ["--64"], "ldflags": [], "bits": 64,
    "nr": "rax", "args": ["rdi", "rsi", "rdx", "r10", "r8", "r9"], "ret": "rax",
    "gprs": ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
             "r12", "r13", "r14", "r15"],
    "counter": "r12", "index": "r13", "ptr": "r14",
    "li": "movabs ${v:#x}, %{r}",
    "mov": "mov %{s}, %{d}",
    "inc": "inc %{r}",
    "count_down": "dec %{r}\n jnz {l}",
    "jump": "jmp {l}",
    "la": "lea {l}(%rip), %{r}",
    "copy_next": "mov (%{p}), %r11d\n add $4, %{p}\n mov %r11d, {l}(%rip)",
    # four bytes, so one 32-bit store swaps it for four NOPs and back
    "site": "outl %eax, $0x88\n nop\n nop",
    "nop4": "nop\n nop\n nop\n nop",
    "invalid": "ud2",
    "head": "", "tail": "",
}

AARCH64 = {
    "prefix": "aarch64-linux-gnu-", "asflags": [], "ldflags": [], "bits": 64,
    "nr": "x8", "args": ["x0", "x1", "x2", "x3", "x4", "x5"], "ret": "x0",
    "gprs": ["x%d" % i for i in range(31)],
    "counter": "x19", "index": "x22", "ptr": "x23",
    "li": "ldr {r}, ={v:#x}",
    "mov": "mov {d}, {s}",
    "inc": "add {r}, {r}, #1",
    "count_down": "subs {r}, {r}, #1\n b.ne {l}",
    "jump": "b {l}",
    "la": "adr {r}, {l}",
    # the store, then the cache maintenance the architecture asks for
    "copy_next": "ldr w20, [{p}], #4\n adr x21, {l}\n str w20, [x21]\n dc cvau, x21\n dsb ish\n"
                 " ic ivau, x21\n dsb ish\n isb",
    "site": "msr S0_0_c5_c0_0, xzr",
    "nop4": "nop",
    "invalid": "udf #0",
    "head": "", "tail": ".ltorg",
}

MIPSEL = {
    "prefix": "mipsel-linux-gnu-", "asflags": ["-EL", "-mabi=32", "-march=mips32r2"],
    "ldflags": ["-EL"], "bits": 32,
    "nr": "$v0", "args": ["$a0", "$a1", "$a2", "$a3"], "ret": "$v0",
    "gprs": ["$%d" % i for i in range(1, 32)],
    "counter": "$s0", "index": "$s1", "ptr": "$s2",
    "li": "li {r}, {v:#x}",
    "mov": "move {d}, {s}",
    "inc": "addiu {r}, {r}, 1",
    "count_down": "addiu {r}, {r}, -1\n bnez {r}, {l}\n nop",
    "jump": "b {l}\n nop",
    "la": "la {r}, {l}",
    "copy_next": "lw $t8, 0({p})\n addiu {p}, {p}, 4\n la $t9, {l}\n sw $t8, 0($t9)\n"
                 " synci 0($t9)\n sync",
    "site": "movz $0, $0, $0",
    "nop4": "nop",
    # opcode 0x3f (SD) is a reserved instruction on a 32-bit MIPS
    "invalid": ".word 0xffffffff",
    # explicit delay slots: the assembler must not move a sentinel into one
    "head": ".set noreorder\n.set noat\n.set mips32r2\n", "tail": "",
}

ARCHES = {"x86_64": X86_64, "aarch64": AARCH64, "mipsel": MIPSEL}


class Guest:
    """Assembly for one architecture, built line by line."""

    def __init__(self, arch):
        self.name = arch
        self.t = ARCHES[arch]
        self.lines = []
        self.data = []

    @property
    def bits(self):
        return self.t["bits"]

    @property
    def mask(self):
        return (1 << self.t["bits"]) - 1

    def emit(self, template, **kw):
        self.lines.append(" " + self.t[template].format(**kw))
        return self

    def label(self, name):
        self.lines.append("%s:" % name)
        return self

    def li(self, reg, value):
        return self.emit("li", r=reg, v=value & self.mask)

    def call(self, nr, *args):
        """Load the arguments and the number, then the sentinel."""
        for reg, value in zip(self.t["args"], args):
            self.li(reg, value)
        self.li(self.t["nr"], nr)
        return self.emit("site")

    def exit(self, status):
        self.call(0x70480000, status)
        return self.emit("invalid")  # reached only if the exit call failed to end the guest

    def words(self, label, templates):
        """Unreachable 4-byte entries (assembled instructions) after the code."""
        self.data.append("%s:" % label)
        self.data.extend(" " + self.t[t] for t in templates)

    def source(self):
        return "%s.text\n.globl _start\n_start:\n%s\n.balign 4\n%s\n%s\n" % (
            self.t["head"], "\n".join(self.lines), "\n".join(self.data), self.t["tail"])


def available(arch):
    return shutil.which(ARCHES[arch]["prefix"] + "as") is not None


def assemble(guest, path):
    """A static ELF guest at 0x10000 from @guest's source."""
    t = guest.t
    src, obj = path + ".s", path + ".o"
    with open(src, "w") as f:
        f.write(guest.source())
    subprocess.run([t["prefix"] + "as"] + t["asflags"] + ["-o", obj, src], check=True)
    subprocess.run([t["prefix"] + "ld"] + t["ldflags"] +
                   ["-N", "--build-id=none", "-Ttext=0x10000", "-o", path, obj],
                   check=True, stderr=subprocess.DEVNULL)
    os.unlink(obj)
    return path
