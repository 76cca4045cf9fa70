"""The word-sentinel rows and their near misses, as assembly text.

The sentinels are spelled as DESIGN.md section 2 spells them and the near
misses follow section 3, generated broadly (whole register and field ranges,
plus a seeded random sample of combined changes). Only assembly text is
written here: the encodings come from the assemblers at test time.
"""
import random
from dataclasses import dataclass, field

from toolchain import Gnu, LlvmMc


@dataclass
class Unit:
    """One assembler run: near misses that share flags and a prologue.
    with_sentinel: the sentinel also assembles under these flags, so it is
    put first and last to prove the slots line up."""
    lines: list
    flags: list = field(default_factory=list)
    prologue: list = field(default_factory=list)
    with_sentinel: bool = True


@dataclass
class Row:
    name: str          # the meson test's name
    arch: str          # phc -arch name
    isa: str           # a32, t32 or - (default)
    tool: object
    flags: list
    prologue: list
    sentinel: str      # as DESIGN.md spells it
    design_word: int   # the encoding DESIGN.md states, checked against the assembler
    layout: str        # how a word lies in memory: big, little, or halfwords (T32, little)
    disasm: str        # regex the disassembler's text for the word must match
    misses: object     # () -> [Unit]

    def word_of(self, code):
        if self.layout == "big":
            return int.from_bytes(code[:4], "big")
        if self.layout == "little":
            return int.from_bytes(code[:4], "little")
        return int.from_bytes(code[:2], "little") << 16 | int.from_bytes(code[2:4], "little")

    def bytes_of(self, word):
        if self.layout == "big":
            return word.to_bytes(4, "big")
        if self.layout == "little":
            return word.to_bytes(4, "little")
        return (word >> 16).to_bytes(2, "little") + (word & 0xFFFF).to_bytes(2, "little")


def sample(rnd, n, draw, exclude):
    """n distinct random draws, none equal to exclude."""
    seen = set()
    while len(seen) < n:
        v = draw(rnd)
        if v != exclude:
            seen.add(v)
    return sorted(seen)


# ---- ARM32: any cp7 mcr/mrc but the one (section 3), and neighbours ----

def arm_misses(thumb):
    # T32 forbids r13 as a coprocessor transfer register; r15 means flags
    regs = [r for r in range(15) if not (thumb and r == 13)]
    ranges = {"opc1": range(8), "rt": regs, "crn": range(16), "crm": range(16), "opc2": range(8)}
    zero = {"opc1": 0, "rt": 0, "crn": 0, "crm": 0, "opc2": 0}

    def spell(op, f, cp=7):
        return f"{op} p{cp}, {f['opc1']}, r{f['rt']}, c{f['crn']}, c{f['crm']}, {f['opc2']}"

    lines = []
    for op in ("mcr", "mrc"):
        for name, values in ranges.items():
            for v in values:
                f = dict(zero, **{name: v})
                if f != zero:
                    lines.append(spell(op, f))
    lines.append(spell("mrc", zero))
    rnd = random.Random(7)
    for op, opc1, rt, crn, crm, opc2 in sample(
            rnd, 1500,
            lambda r: (r.choice(["mcr", "mrc"]), r.randrange(8), r.choice(regs),
                       r.randrange(16), r.randrange(16), r.randrange(8)),
            ("mcr", 0, 0, 0, 0, 0)):
        lines.append(spell(op, dict(opc1=opc1, rt=rt, crn=crn, crm=crm, opc2=opc2)))
    for cp in range(16):
        if cp != 7:
            lines += [spell("mcr", zero, cp), spell("mrc", zero, cp)]
    lines += ["mcr2 p7, 0, r0, c0, c0, 0", "mrc2 p7, 0, r0, c0, c0, 0",
              "cdp p7, 0, c0, c0, c0, 0", "mcrr p7, 0, r0, r0, c0", "mrrc p7, 0, r0, r1, c0",
              "ldc p7, c0, [r0]", "stc p7, c0, [r0]"]
    if not thumb:
        lines += [f"mcr{cc} p7, 0, r0, c0, c0, 0" for cc in
                  "eq ne cs cc mi pl vs vc hi ls ge lt gt le".split()]
    return [Unit(lines)]


# ---- AArch64: the S0_op1_c5_cm_op2 space, Rt, mrs, other CRn and op0 ----

def aarch64_misses():
    lines = []
    for op1 in range(8):
        for crm in range(16):
            for op2 in range(8):
                reg = f"S0_{op1}_c5_c{crm}_{op2}"
                if (op1, crm, op2) != (0, 0, 0):
                    lines.append(f"msr {reg}, xzr")
                lines.append(f"mrs xzr, {reg}")
    for t in range(31):
        lines += [f"msr S0_0_c5_c0_0, x{t}", f"mrs x{t}, S0_0_c5_c0_0"]
    lines += [f"msr S0_0_c{n}_c0_0, xzr" for n in range(16) if n != 5]
    lines += [f"msr S{op0}_0_c5_c0_0, xzr" for op0 in (1, 2, 3)]
    rnd = random.Random(8)
    for op1, crm, op2, t in sample(
            rnd, 500, lambda r: (r.randrange(8), r.randrange(16), r.randrange(8), r.randrange(32)),
            (0, 0, 0, 31)):
        lines.append(f"msr S0_{op1}_c5_c{crm}_{op2}, {'xzr' if t == 31 else f'x{t}'}")
    lines += ["nop", "hvc #0", "msr S0_0_c5_c0_0, x30"]
    # the sentinel's first three bytes with another top byte
    lines += ["b . + 0x1407c", "bl . + 0x1407c"]
    return [Unit(lines)]


# ---- MIPS: conditional moves, mfc0, seleqz/selnez, all-zero R-types ----

MIPS_ZERO_RTYPE = [
    "sll $0, $0, 0", "srl $0, $0, 0", "sra $0, $0, 0", "sllv $0, $0, $0", "srlv $0, $0, $0",
    "srav $0, $0, $0", "jr $0", "jalr $0, $1", "syscall", "break", "sync", "mfhi $0",
    "mthi $0", "mflo $0", "mtlo $0", "mult $0, $0", "multu $0, $0", "add $0, $0, $0",
    "addu $0, $0, $0", "sub $0, $0, $0", "subu $0, $0, $0", "and $0, $0, $0", "or $0, $0, $0",
    "xor $0, $0, $0", "nor $0, $0, $0", "slt $0, $0, $0", "sltu $0, $0, $0", "tge $0, $0",
    "tgeu $0, $0", "tlt $0, $0", "tltu $0, $0", "teq $0, $0", "tne $0, $0", "ssnop", "ehb",
    "addi $0, $0, 10",  # the sentinel's bytes but the opcode byte
]
MIPS64_ZERO_RTYPE = ["dsll $0, $0, 0", "dsrl $0, $0, 0", "dsllv $0, $0, $0", "daddu $0, $0, $0",
                     "dsubu $0, $0, $0", "dmult $0, $0"]


def mips_misses(bits):
    lines = []
    for s in range(32):
        for t in range(32):
            if (s, t) != (0, 0):
                lines.append(f"movz $0, ${s}, ${t}")
            lines.append(f"movn $0, ${s}, ${t}")
    for d in range(1, 32):
        lines += [f"movz ${d}, $0, $0", f"movn ${d}, $0, $0"]
    rnd = random.Random(9)
    for d, s, t in sample(rnd, 300, lambda r: (r.randrange(1, 32), r.randrange(32), r.randrange(32)),
                          None):
        lines.append(f"movz ${d}, ${s}, ${t}")
    mfc0 = ["mfc0"] + (["dmfc0"] if bits == 64 else [])
    for op in mfc0:
        lines += [f"{op} $0, ${n}, {sel}" for n in range(32) for sel in range(8)]
    lines += [f"mfc0 ${t}, $0, 0" for t in range(1, 32)]
    lines += MIPS_ZERO_RTYPE + (MIPS64_ZERO_RTYPE if bits == 64 else [])
    r6 = [f"{op} $0, ${s}, ${t}" for op in ("seleqz", "selnez") for s in range(32) for t in range(32)]
    r6 += [f"{op} ${d}, $0, $0" for op in ("seleqz", "selnez") for d in range(1, 32)]
    return [Unit(lines),
            # movz/movn are gone from R6, so the sentinel cannot sit in this unit
            Unit(r6, flags=[f"-mips{bits}r6"], with_sentinel=False)]


# ---- PowerPC: xori with other registers or immediates, xoris ----

def ppc_misses():
    lines = [f"xori {a}, {s}, 0" for a in range(32) for s in range(32) if (a, s) != (10, 10)]
    lines += [f"xori 10, 10, {1 << k}" for k in range(16)] + ["xori 10, 10, 0xffff"]
    rnd = random.Random(10)
    lines += [f"xori 10, 10, {imm}" for imm in sample(rnd, 200, lambda r: r.randrange(1, 0x10000), 0)]
    lines += [f"xoris {a}, {a}, 0" for a in range(32)] + ["xoris 10, 10, 1"]
    lines += ["ori 10, 10, 0", "oris 10, 10, 0", "andi. 10, 10, 0", "andis. 10, 10, 0",
              "addi 10, 10, 0", "nop", "xor 10, 10, 10"]
    return [Unit(lines)]


# ---- RISC-V: xori with other registers or immediates, other OP-IMM into x0 ----

def riscv_misses(bits):
    lines = [f"xori x{d}, x{s}, 0" for d in range(32) for s in range(32) if (d, s) != (0, 0)]
    lines += [f"xori x0, x0, {imm}" for imm in range(-2048, 2048) if imm]
    lines += ["addi x0, x0, 0", "slti x0, x0, 0", "sltiu x0, x0, 0", "ori x0, x0, 0",
              "andi x0, x0, 0", "slli x0, x0, 0", "srli x0, x0, 0", "srai x0, x0, 0",
              "xor x0, x0, x0", "lbu x0, 0(x0)"]  # lbu: the sentinel but the opcode
    if bits == 64:
        lines += ["addiw x0, x0, 0", "slliw x0, x0, 0"]
    return [Unit(lines)]


# ---- LoongArch: cpucfg with any other rd/rj, and the rdtime neighbours ----

def loongarch_misses():
    lines = [f"cpucfg $r{d}, $r{j}" for d in range(32) for j in range(32) if (d, j) != (0, 0)]
    lines += ["rdtimel.w $r0, $r0", "rdtimeh.w $r0, $r0", "rdtime.d $r0, $r0",
              "andi $r0, $r0, 0", "slti $r0, $r0, 27"]  # slti: the sentinel's low three bytes
    return [Unit(lines)]


ARM = Gnu("arm-linux-gnueabi", "binutils-arm-linux-gnueabi", ["-m", "arm"])
ARM_T32 = Gnu("arm-linux-gnueabi", "binutils-arm-linux-gnueabi", ["-m", "arm", "-M", "force-thumb"])
AARCH64 = Gnu("aarch64-linux-gnu", "binutils-aarch64-linux-gnu", ["-m", "aarch64"])
MIPS_PROLOGUE = [".set noreorder", ".set noat", ".set nomacro"]
MIPS_DISASM = r"^movz\s+\$0,\$0,\$0$"


def mips_tool(prefix, package, bits, endian):
    return Gnu(prefix, package, ["-m", f"mips:isa{bits}", f"-E{endian}", "-M", "gpr-names=numeric"])


def ppc_tool(prefix, package, machine):
    return Gnu(prefix, package, ["-m", machine, "-EB"])


def riscv_tool(bits):
    return Gnu("riscv64-linux-gnu", "binutils-riscv64-linux-gnu",
               ["-m", f"riscv:rv{bits}", "-M", "no-aliases,numeric"])


ROWS = [
    Row("arm-a32", "arm", "a32", ARM, ["-march=armv7-a"], [".syntax unified", ".arm"],
        "mcr p7,0,r0,c0,c0,0", 0xEE000710, "little",
        r"^mcr\s+7, 0, r0, cr0, cr0, \{0\}$", lambda: arm_misses(False)),
    Row("arm-t32", "arm", "t32", ARM_T32, ["-march=armv7-a"], [".syntax unified", ".thumb"],
        "mcr p7,0,r0,c0,c0,0", 0xEE000710, "halfwords",
        r"^mcr\s+7, 0, r0, cr0, cr0, \{0\}$", lambda: arm_misses(True)),
    Row("aarch64", "aarch64", "-", AARCH64, [], [], "msr S0_0_c5_c0_0, xzr", 0xD500501F, "little",
        r"^msr\s+s0_0_c5_c0_0, xzr$", aarch64_misses),
    Row("mips", "mips", "-", mips_tool("mips-linux-gnu", "binutils-mips-linux-gnu", 32, "B"),
        ["-mips32"], MIPS_PROLOGUE, "movz $0,$0,$0", 0x0000000A, "big", MIPS_DISASM,
        lambda: mips_misses(32)),
    Row("mipsel", "mipsel", "-",
        mips_tool("mipsel-linux-gnu", "binutils-mipsel-linux-gnu", 32, "L"),
        ["-mips32"], MIPS_PROLOGUE, "movz $0,$0,$0", 0x0000000A, "little", MIPS_DISASM,
        lambda: mips_misses(32)),
    Row("mips64", "mips64", "-",
        mips_tool("mips64-linux-gnuabi64", "binutils-mips64-linux-gnuabi64", 64, "B"),
        ["-mips64"], MIPS_PROLOGUE, "movz $0,$0,$0", 0x0000000A, "big", MIPS_DISASM,
        lambda: mips_misses(64)),
    Row("mips64el", "mips64el", "-",
        mips_tool("mips64el-linux-gnuabi64", "binutils-mips64el-linux-gnuabi64", 64, "L"),
        ["-mips64"], MIPS_PROLOGUE, "movz $0,$0,$0", 0x0000000A, "little", MIPS_DISASM,
        lambda: mips_misses(64)),
    Row("ppc", "ppc", "-", ppc_tool("powerpc-linux-gnu", "binutils-powerpc-linux-gnu", "powerpc"),
        [], [], "xori 10,10,0", 0x694A0000, "big", r"^xori\s+r10,r10,0$", ppc_misses),
    Row("ppc64", "ppc64", "-",
        ppc_tool("powerpc64-linux-gnu", "binutils-powerpc64-linux-gnu", "powerpc:common64"),
        ["-a64"], [], "xori 10,10,0", 0x694A0000, "big", r"^xori\s+r10,r10,0$", ppc_misses),
    Row("riscv32", "riscv32", "-", riscv_tool(32), ["-march=rv32i", "-mabi=ilp32"],
        [".option norvc"], "xori x0,x0,0", 0x00004013, "little", r"^xori\s+x0,x0,0$",
        lambda: riscv_misses(32)),
    Row("riscv64", "riscv64", "-", riscv_tool(64), ["-march=rv64i", "-mabi=lp64"],
        [".option norvc"], "xori x0,x0,0", 0x00004013, "little", r"^xori\s+x0,x0,0$",
        lambda: riscv_misses(64)),
    Row("loongarch64", "loongarch64", "-", LlvmMc("loongarch64"), [], [], "cpucfg $r0,$r0",
        0x00006C00, "little", r"^cpucfg\s+\$zero, \$zero$", loongarch_misses),
]

BY_NAME = {r.name: r for r in ROWS}
