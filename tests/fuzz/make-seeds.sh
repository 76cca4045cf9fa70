#!/usr/bin/env bash
# Regenerates the seed corpora in tests/fuzz/corpus/ (committed; run again
# only when a target's input format changes). ELF seeds are tiny guests
# assembled by Debian's cross binutils, plus truncated and corrupted copies;
# the other seeds are hand-shaped inputs that reach each target's branches.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$here/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"/{sentinel,x86-io,dispatcher,trace,elf,esr,portbus}

# name|binutils prefix|sentinel|endless loop
guests=(
  'aarch64|aarch64-linux-gnu|msr S0_0_c5_c0_0, xzr|b .'
  'arm|arm-linux-gnueabi|mcr p7, 0, r0, c0, c0, 0|b .'
  'mipsel|mipsel-linux-gnu|.set mips32\n movz $0, $0, $0|b .'
  'mips64|mips64-linux-gnuabi64|.set mips64\n movz $0, $0, $0|b .'
  'ppc|powerpc-linux-gnu|xori 10, 10, 0|b .'
  'riscv64|riscv64-linux-gnu|xori x0, x0, 0|j .'
  'x86_64|x86_64-linux-gnu|outl %eax, $0x88|jmp .'
)
for g in "${guests[@]}"; do
  IFS='|' read -r name prefix sentinel loop <<<"$g"
  as=$prefix-as ld=$prefix-ld
  if ! command -v "$as" >/dev/null; then
    [ "$name" = x86_64 ] || continue
    as=as ld=ld # the native binutils are x86-64 here
  fi
  printf '.globl _start\n_start:\n %b\n %s\n' "$sentinel" "$loop" >"$tmp/$name.s"
  "$as" -o "$tmp/$name.o" "$tmp/$name.s"
  "$ld" -N -s --build-id=none -Ttext=0x10000 -o "$out/elf/$name.elf" "$tmp/$name.o" 2>/dev/null
done

python3 - "$out" <<'PY'
import os, struct, sys
out = sys.argv[1]
def put(target, name, data):
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)

# elf: truncated and corrupted copies of the real guests
for name in sorted(os.listdir(os.path.join(out, "elf"))):
    elf = open(os.path.join(out, "elf", name), "rb").read()
    stem = name[:-4]
    put("elf", stem + "-truncated-header", elf[:40])
    put("elf", stem + "-truncated-phdr", elf[:70])
    put("elf", stem + "-truncated-data", elf[:len(elf) // 2])
    b = bytearray(elf)
    is64 = b[4] == 2
    e = "<" if b[5] == 1 else ">"
    phoff = struct.unpack_from(e + ("Q" if is64 else "I"), b, 32 if is64 else 28)[0]
    # p_offset far past the end of the file
    struct.pack_into(e + ("Q" if is64 else "I"), b, phoff + (8 if is64 else 4), 0x7fffff00)
    put("elf", stem + "-offset-past-end", bytes(b))
    b = bytearray(elf)
    # p_paddr + p_memsz wraps the address space
    if is64:
        struct.pack_into(e + "Q", b, phoff + 24, 0xfffffffffffff000)
        struct.pack_into(e + "Q", b, phoff + 40, 0x2000)
    else:
        struct.pack_into(e + "I", b, phoff + 12, 0xfffff000)
        struct.pack_into(e + "I", b, phoff + 20, 0x2000)
    put("elf", stem + "-wrapping-segment", bytes(b))
    b = bytearray(elf)
    b[18] ^= 0x55  # e_machine: some machine phc does not run
    put("elf", stem + "-foreign-machine", bytes(b))
put("elf", "empty", b"")
put("elf", "not-elf", b"#!/bin/sh\necho hello\n")

# sentinel: (arch, isa, bytes) for each arch with its own sentinel and a near miss
words = {3: (0xD500501F, "<"), 5: (0x0000000A, "<"), 4: (0x0000000A, ">"),
         8: (0x694A0000, ">"), 11: (0x00004013, "<"), 12: (0x00006C00, "<"),
         2: (0xEE000710, "<")}
for arch, (word, e) in words.items():
    put("sentinel", "arch%d-hit" % arch, bytes([arch, 0]) + struct.pack(e + "I", word))
    put("sentinel", "arch%d-near" % arch, bytes([arch, 0]) + struct.pack(e + "I", word ^ 0x20))
    put("sentinel", "arch%d-short" % arch, bytes([arch, 0]) + struct.pack(e + "I", word)[:3])
put("sentinel", "arm-t32-hit", bytes([2, 1]) + struct.pack("<HH", 0xEE00, 0x0710))

# x86-io: dir, port (2), size, count (4)
for name, (d, port, size, count) in {"hypercall": (1, 0x88, 4, 1), "outb": (1, 0x88, 1, 1),
                                     "in": (0, 0x88, 4, 1), "rep": (1, 0x88, 4, 3),
                                     "port89": (1, 0x89, 4, 1), "serial": (1, 0x3f8, 1, 1)}.items():
    put("x86-io", name, struct.pack("<BHBI", d, port, size, count))

# dispatcher: mode, mem_base (8), 8 pool numbers (shape, 4 bytes), ops
def pool(*nums):
    return b"".join(bytes([shape]) + struct.pack("<I", low) for shape, low in nums)
def dispatch(arch, fill, extra, nr_shape):
    return bytes([3, arch, fill]) + extra + bytes([nr_shape])
numbers = pool((1, 0xcafebabe), (2, 0x1338), (0, 100), (4, 1), (1, 0x7901), (3, 0x1339), (1, 0x6408400C), (4, 2))
reg = lambda slot, kind: bytes([0 | slot << 2 | kind << 5])
for mode in (0, 1, 3, 7):
    ops = reg(0, 0) + reg(1, 1) + reg(2, 2) + bytes([2 | 0 << 5])  # three kinds and a fallback
    for arch in range(13):
        ops += dispatch(arch, 0, b"", (0 << 3) | 0) + dispatch(arch, 4 | 8, b"\x10\x20", (3 << 3) | 4)
        ops += dispatch(arch, 1, b"", (1 << 3) | 2)
    ops += bytes([1 | 0 << 2]) + dispatch(0, 0, b"", 0)
    put("dispatcher", "mode%d" % mode, bytes([mode]) + struct.pack("<Q", 0x1000) + numbers + ops)
put("dispatcher", "edge-of-memory", bytes([1]) + struct.pack("<Q", 0xffffffffffffffc0) + numbers
    + dispatch(3, 4 | 8, b"\x3f\x02", 4 << 3 | 4) + dispatch(4, 4 | 8 | 16, b"\x00" + b"\xff" * 8, 4))

# trace: mode, then records: seq (8), vcpu (4), arch, nr (8), args (6x8), ret (8), handled
def record(arch, nr, args, ret, handled, vcpu=0):
    return struct.pack("<QIBQ6QQB", 0, vcpu, arch, nr, *args, ret, handled)
allones = (1 << 64) - 1
put("trace", "one", bytes([0]) + record(3, 0xcafebabe, [1, 2, 3, 4, 0, 0], 13, 1))
put("trace", "all-ones", bytes([1]) + b"".join(record(a, allones, [allones] * 6, allones, 1, 0xffffffff) for a in range(13)))
put("trace", "zeros", bytes([1]) + b"".join(record(a, 0, [0] * 6, 0, 0) for a in range(13)))

# esr: mode, syndrome (8), function ID (4), x0..x31 (8 each)
sentinel_esr = 0x18 << 26 | 1 << 25 | 5 << 10 | 31 << 5
fid = 1 << 31 | 1 << 30 | 6 << 24 | 0x5048
regs = lambda x8: struct.pack("<32Q", *([0x1000 + r for r in range(8)] + [x8] + [r for r in range(9, 32)]))
put("esr", "sentinel", bytes([3]) + struct.pack("<QI", sentinel_esr, fid) + regs(0xcafebabe))
put("esr", "mrs", bytes([3]) + struct.pack("<QI", sentinel_esr | 1, fid) + regs(0x70480001))
put("esr", "res0-set", bytes([3]) + struct.pack("<QI", sentinel_esr | 1 << 22, fid ^ 1) + regs(0x70480000))
put("esr", "smc32", bytes([3]) + struct.pack("<QI", sentinel_esr ^ 31 << 5, fid & ~(1 << 30)) + regs(7))

# portbus: op (0x80 any port, 0x40 odd size, 0x20 write, 0x18 size, 0x07 UART register), [port], [size], value
uart_probe = b"".join(bytes([0x20 | r]) + struct.pack("<I", v) for r, v in
                      ((3, 0x80), (0, 0x0c), (1, 0), (3, 0x03), (7, 0x5a), (4, 0x10), (0, 0x41)))
put("portbus", "uart-probe", uart_probe + b"".join(bytes([r]) + b"\0\0\0\0" for r in range(8)))
put("portbus", "elsewhere", b"".join(bytes([0x80 | w]) + struct.pack("<HI", p, 0x12345678)
                                     for p, w in ((0x88, 0x30), (0x80, 0x20), (0xffff, 0x18), (0x3ff, 0x38))))
put("portbus", "odd-sizes", b"".join(bytes([0x40 | 0x20 * (i & 1) | 7]) + bytes([size]) + b"\xff" * 4
                                     for i, size in enumerate((0, 3, 5, 255, 8))))
PY
find "$out" -type f | wc -l
