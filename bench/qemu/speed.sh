#!/usr/bin/env bash
# The patch must cost nothing where there is no hypercall: the same
# sentinel-free loop (loop-mips64el.S, 2G iterations) on Debian's stock
# qemu-system-mips64el (package qemu-system-mips) and on the patched one, each
# run three times alternately, best CPU time printed.
#   bench/qemu/speed.sh [PATCHED_QEMU_DIR]   (default: scripts/build-qemu.sh --print-dir)
# The patched one loads libphc from build/ (PHC_BUILD_DIR overrides).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
patched=${1:-$("$src/scripts/build-qemu.sh" --print-dir)}/bin/qemu-system-mips64el
stock=/usr/bin/qemu-system-mips64el
for q in "$patched" "$stock"; do
  [ -x "$q" ] || { echo "speed.sh: $q is missing" >&2; exit 77; }
done
export LD_LIBRARY_PATH=${PHC_BUILD_DIR:-$src/build}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mips64el-linux-gnuabi64-cpp -DLOOPS=2000000000 "$src/bench/qemu/loop-mips64el.S" >"$tmp/loop.s"
mips64el-linux-gnuabi64-as -mabi=64 -march=mips64r2 -EL "$tmp/loop.s" -o "$tmp/loop.o"
mips64el-linux-gnuabi64-ld -EL -Ttext=0x10000 -e _start --build-id=none "$tmp/loop.o" -o "$tmp/loop.elf"
# CPU seconds (user + system) of one run: on a shared machine the wall
# clock measures the neighbours; the two binaries alternate for the same reason.
cpu_seconds() {
  /usr/bin/time -f "%U %S" -o "$tmp/time" "$1" -M none -cpu MIPS64R2-generic -m 32M -nodefaults \
    -display none -monitor none -semihosting -device loader,file="$tmp/loop.elf",cpu-num=0 2>/dev/null ||
    { echo "speed.sh: $1 failed" >&2; exit 1; }
  python3 -c "u, s = open('$tmp/time').read().split(); print(float(u) + float(s))"
}
p=999 s=999
for _ in 1 2 3; do
  p=$(python3 -c "print(round(min($p, $(cpu_seconds "$patched")), 2))")
  s=$(python3 -c "print(round(min($s, $(cpu_seconds "$stock")), 2))")
done
echo "sentinel-free loop, 2G iterations, best CPU time of 3: patched ${p} s, stock ${s} s," \
  "ratio $(python3 -c "print(f'{$p/$s:.3f}')")"
