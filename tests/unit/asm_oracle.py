#!/usr/bin/env python3
"""The assembler oracle for the word sentinels (DESIGN.md sections 2 and 3).

  asm_oracle.py check ROW PROBE   assemble the sentinel and every near miss
                                  now and run the library's matcher on the
                                  bytes; disassemble the library's sentinel
  asm_oracle.py sweep ROW SWEEP   run the exhaustive sweep against the
                                  sentinel bytes the assembler produced
"""
import os
import re
import subprocess
import sys
import tempfile

from sentinel_rows import BY_NAME
from toolchain import main_wrapper, run


def assemble_sentinel(row):
    code = row.tool.assemble(row.prologue + [row.sentinel], row.flags)
    if len(code) < 4 or any(code[4:]):
        raise RuntimeError(f"{row.sentinel!r} did not assemble to one 4-byte instruction: {code.hex()}")
    return code[:4]


def with_file(code, fn):
    with tempfile.NamedTemporaryFile(prefix="phc-code-", suffix=".bin") as f:
        f.write(code)
        f.flush()
        return fn(f.name)


def library_sentinel(probe, row):
    out = run([probe, "word", row.arch, row.isa]).split("\n")
    word = int(out[0].split()[1], 16)
    spelling = out[1].split(" ", 1)[1]
    code = bytes(int(b, 16) for b in out[2].split()[1:])
    return word, spelling, code


def check_near_misses(probe, row, sentinel, failures):
    count = 0
    for unit in row.misses():
        body = [row.sentinel, *unit.lines, row.sentinel] if unit.with_sentinel else unit.lines
        code = row.tool.assemble(row.prologue + unit.prologue + body, row.flags + unit.flags)
        n = len(body)
        # alignment padding after the last slot is zeros; anything else means
        # a line did not become exactly one 4-byte instruction
        if len(code) < 4 * n or any(code[4 * n:]):
            failures.append(f"{n} lines gave {len(code)} bytes: not one 4-byte instruction each")
            continue
        got = [int(x) for x in with_file(code[:4 * n], lambda p: run(
            [probe, "match", row.arch, row.isa, p]).split())]
        for i, line in enumerate(body):
            want = 4 if unit.with_sentinel and i in (0, n - 1) else 0
            slot = code[4 * i:4 * i + 4]
            if got[i] != want:
                why = " (assembles to the sentinel: a test bug)" if want == 0 and slot == sentinel else ""
                failures.append(f"{line!r} = {slot.hex(' ')}: matcher says {got[i]}, want {want}{why}")
        count += len(unit.lines)
    return count


def check(row, probe):
    failures = []
    sentinel = assemble_sentinel(row)
    word = row.word_of(sentinel)
    if word != row.design_word:
        failures.append(f"assembler gives 0x{word:08x} for {row.sentinel!r}, DESIGN.md says 0x{row.design_word:08x}")

    lib_word, lib_asm, lib_bytes = library_sentinel(probe, row)
    spelled = row.tool.assemble(row.prologue + [lib_asm], row.flags)
    if spelled[:4] != sentinel or any(spelled[4:]):
        failures.append(f"the row's sentinel_asm {lib_asm!r} assembles to {spelled.hex(' ')}")
    if lib_word != word:
        failures.append(f"phc_sentinel_word = 0x{lib_word:08x}, assembler 0x{word:08x}")
    if lib_bytes != sentinel:
        failures.append(f"phc_sentinel_bytes = {lib_bytes.hex(' ')}, assembler {sentinel.hex(' ')}")

    # the other way round: the disassembler reads the library's word as the sentinel
    text = row.tool.disassemble(row.bytes_of(lib_word))
    if len(text) != 1 or not re.match(row.disasm, text[0]):
        failures.append(f"disassembler reads phc_sentinel_word as {text}, want /{row.disasm}/")

    misses = check_near_misses(probe, row, sentinel, failures)
    for f in failures[:50]:
        print(f"FAIL {row.name}: {f}", file=sys.stderr)
    if len(failures) > 50:
        print(f"... {len(failures) - 50} more failures", file=sys.stderr)
    print(f"{row.name}: sentinel {sentinel.hex(' ')} ({text[0] if text else '?'}); "
          f"{misses} near misses; {len(failures)} failures")
    return not failures


def sweep(row, sweeper):
    sentinel = assemble_sentinel(row)
    rc = with_file(sentinel, lambda p: subprocess.run([sweeper, row.arch, row.isa, p]).returncode)
    return rc == 0


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("check", "sweep") or sys.argv[2] not in BY_NAME:
        print(__doc__ + "\nrows: " + " ".join(BY_NAME), file=sys.stderr)
        sys.exit(2)
    cmd, row, tool = sys.argv[1], BY_NAME[sys.argv[2]], os.path.abspath(sys.argv[3])
    main_wrapper(lambda: check(row, tool) if cmd == "check" else sweep(row, tool))


if __name__ == "__main__":
    main()
