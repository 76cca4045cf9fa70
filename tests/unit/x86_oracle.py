#!/usr/bin/env python3
"""x86 hypercalls are port events (DESIGN.md sections 2, 3, 5).

  x86_oracle.py PROBE

The assembler encodes each port instruction of section 3 in 64-, 32- and
16-bit code; a small decoder here turns the bytes into the event a KVM exit
or an emulator reports (direction, port, size, count); the library's
classifier must call exactly the single 32-bit OUT to port 0x88 a
hypercall. The sentinel's encodings are checked against DESIGN.md's text
and read back by the disassembler.
"""
import re
import sys

from toolchain import Gnu, main_wrapper, run

X86 = Gnu("x86_64-linux-gnu", "binutils-x86-64-linux-gnu", [])
MODES = {64: (["--64"], []), 32: (["--32"], []), 16: (["--32"], [".code16"])}
OBJDUMP_MACHINE = {64: "i386:x86-64", 32: "i386", 16: "i8086"}
DESIGN_SENTINEL = {64: "e7 88", 32: "e7 88", 16: "66 e7 88"}  # section 2's table

# opcode -> (direction, byte-sized, port from imm8 (else DX), string op)
OPCODES = {
    0xE4: ("in", True, True, False), 0xE5: ("in", False, True, False),
    0xE6: ("out", True, True, False), 0xE7: ("out", False, True, False),
    0xEC: ("in", True, False, False), 0xED: ("in", False, False, False),
    0xEE: ("out", True, False, False), 0xEF: ("out", False, False, False),
    0x6C: ("in", True, False, True), 0x6D: ("in", False, False, True),
    0x6E: ("out", True, False, True), 0x6F: ("out", False, False, True),
}

# (instruction, DX, ECX, hypercall?) -- the last column is DESIGN's rule
# applied by hand, a cross-check on the decoder
CASES = [
    ("outl %eax, $0x88", None, None, True),
    ("out %eax, %dx", 0x88, None, True),    # same event as the sentinel
    ("outsl", 0x88, None, True),             # one 32-bit OUT to 0x88: the same event too
    ("outb %al, $0x88", None, None, False),
    ("outw %ax, $0x88", None, None, False),
    *[(f"outl %eax, ${p:#x}", None, None, False) for p in (0x80, 0x87, 0x89, 0x8a, 0x8b, 0x8f)],
    ("inl $0x88, %eax", None, None, False),
    ("inw $0x88, %ax", None, None, False),
    ("inb $0x88, %al", None, None, False),
    ("out %al, %dx", 0x88, None, False),
    ("out %ax, %dx", 0x88, None, False),
    ("out %eax, %dx", 0x89, None, False),
    ("out %eax, %dx", 0x188, None, False),
    ("in %dx, %eax", 0x88, None, False),
    ("rep outsl", 0x88, 2, False),
    ("rep outsl", 0x88, 3, False),
    ("rep outsw", 0x88, 2, False),
    ("rep outsb", 0x88, 4, False),
    ("rep insl", 0x88, 2, False),
]


def decode(code, mode, dx, ecx):
    """The IO event of one port instruction, or raise."""
    opsize, rep, i = False, False, 0
    while code[i] in (0x66, 0xF3):
        opsize |= code[i] == 0x66
        rep |= code[i] == 0xF3
        i += 1
    direction, byte, imm, string = OPCODES[code[i]]
    if byte:
        size = 1
    else:
        default = 2 if mode == 16 else 4
        size = (6 - default) if opsize else default  # 0x66 swaps 16 and 32
    port = code[i + 1] if imm else dx
    count = ecx if rep and string else 1
    if len(code) != i + 1 + imm:
        raise RuntimeError(f"trailing bytes in {code.hex()}")
    return direction, port, size, count


def check(probe):
    failures = []
    for mode, (flags, prologue) in MODES.items():
        sentinel = X86.assemble([*prologue, "outl %eax, $0x88"], flags)
        if sentinel.hex(" ") != DESIGN_SENTINEL[mode]:
            failures.append(f"{mode}-bit: outl %eax,$0x88 is {sentinel.hex(' ')}, DESIGN says {DESIGN_SENTINEL[mode]}")
        row = "x86_64" if mode == 64 else "i386"
        spelling = run([probe, "word", row, "-"]).split("\n")[1].split(" ", 1)[1]
        if X86.assemble([*prologue, spelling], flags) != sentinel:
            failures.append(f"{row}: sentinel_asm {spelling!r} is not outl %eax,$0x88")
        dis = Gnu("x86_64-linux-gnu", "binutils-x86-64-linux-gnu",
                  ["-m", OBJDUMP_MACHINE[mode]]).disassemble(sentinel)
        if len(dis) != 1 or not re.match(r"^out\s+%eax,\$0x88$", dis[0]):
            failures.append(f"{mode}-bit: disassembler reads {sentinel.hex(' ')} as {dis}")

        hits = 0
        for insn, dx, ecx, want in CASES:
            code = X86.assemble([*prologue, insn], flags)
            direction, port, size, count = decode(code, mode, dx, ecx)
            got = run([probe, "x86io", direction, str(port), str(size), str(count)]).strip() == "1"
            hits += got
            desc = f"{mode}-bit {insn!r} ({code.hex(' ')}, DX={dx}, ECX={ecx}) = {direction} {port:#x} size {size} count {count}"
            if got != want:
                failures.append(f"{desc}: classifier says {got}, want {want}")
        print(f"{mode}-bit: sentinel {sentinel.hex(' ')}; {len(CASES)} port instructions, {hits} hypercalls")
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    return not failures


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main_wrapper(lambda: check(sys.argv[1]))
