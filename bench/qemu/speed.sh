#!/usr/bin/env bash
# The patch must cost nothing where there is no hypercall: the same
# sentinel-free loop (loop-mips64el.S, 2G iterations) on Debian's stock
# qemu-system-mips64el (package qemu-system-mips) and on the patched one, each
# run three times, best time printed.
#   bench/qemu/speed.sh [PATCHED_QEMU_DIR]   (default: scripts/build-qemu.sh --print-dir)
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
patched=${1:-$("$src/scripts/build-qemu.sh" --print-dir)}/bin/qemu-system-mips64el
stock=/usr/bin/qemu-system-mips64el
for q in "$patched" "$stock"; do
  [ -x "$q" ] || { echo "speed.sh: $q is missing" >&2; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mips64el-linux-gnuabi64-cpp -DLOOPS=2000000000 "$src/bench/qemu/loop-mips64el.S" >"$tmp/loop.s"
mips64el-linux-gnuabi64-as -mabi=64 -march=mips64r2 -EL "$tmp/loop.s" -o "$tmp/loop.o"
mips64el-linux-gnuabi64-ld -EL -Ttext=0x10000 -e _start --build-id=none "$tmp/loop.o" -o "$tmp/loop.elf"
best() {
  local q=$1 best=
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N)
    "$q" -M none -cpu MIPS64R2-generic -m 32M -nodefaults -display none -monitor none -semihosting \
      -device loader,file="$tmp/loop.elf",cpu-num=0 2>/dev/null
    t1=$(date +%s.%N)
    best=$(python3 -c "t=$t1-$t0; b='$best'; print(f'{min(t, float(b)) if b else t:.3f}')")
  done
  echo "$best"
}
p=$(best "$patched")
s=$(best "$stock")
echo "sentinel-free loop, 2G iterations, best of 3: patched ${p} s, stock ${s} s, ratio $(python3 -c "print(f'{$p/$s:.3f}')")"
