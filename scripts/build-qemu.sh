#!/usr/bin/env bash
# The patched QEMU: Debian 12's QEMU 7.2 source (fetched with apt-get source,
# signature-checked by apt), our patches (accel/qemu/patches/), our glue
# (accel/qemu/phc.c) and device lists (accel/qemu/devices/), built for every
# phc row that has a QEMU target and linked with libphc through a pkg-config
# file. It lives in a persistent build tree outside the checkout:
#
#   ${XDG_CACHE_HOME:-~/.cache}/phc/qemu/tree-<key>/
#     src/    the patched source; the glue copied in as accel/phc/phc.c
#     build/  QEMU's configured build directory (ninja, incremental)
#     phc/    the phc headers and the libphc.so QEMU compiles and links against
#     bin/    qemu-system-<t> and qemu-system-<t>.stamp, one per finished target
#     log/    configure and ninja logs, times.log (start and end of each target)
#
# The key hashes only what forces a reconfigure: the QEMU version, the
# patches, the configure flags, the target list, the device lists and the
# steps that make the tree (the functions below). The glue and the phc
# headers are not in it: they are copied into the tree only when their
# code (comments aside) differs, and ninja rebuilds what depends on them (minutes, not
# hours). Each binary in bin/ has a stamp, the hash of the code of the glue
# and the phc headers it was built from; phc-run refuses a binary whose stamp is not
# the one of its own checkout (`--stamp`).
#
#   scripts/build-qemu.sh [--print-dir|--inputs|--stamp] [PHC_BUILD_DIR]
#
# --print-dir prints the tree directory and stops (no build); --inputs lists
# the files the key and the stamp are made of (meson reconfigures when one
# of them changes); --stamp prints the stamp this checkout's binaries must
# carry. Otherwise it builds the targets one by one (finished ones first
# usable, an interrupted build resumes) and prints the directory.
# PHC_BUILD_DIR (default build) is a configured and built phc: QEMU links
# its libphc.so; at run time phc-run points QEMU at its own libphc.
# JOBS (default 2) is ninja's -j.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Pinned: the key, and so the cache, must not move with the mirror.
qemu_version=1:7.2+dfsg-7+deb12u18
# In build order (after the ones with no usable binary yet, below): the
# rows proven first, then the ones a Linux kernel or a C guest waits for.
targets=(x86_64 mipsel mips64 mips64el loongarch64 arm aarch64 ppc64 ppc mips riscv64 riscv32)
configure_flags=(--without-default-features --without-default-devices --enable-tcg
                 --disable-install-blobs --disable-docs --disable-tools --disable-debug-info
                 --enable-fdt=system)

mode=build
case "${1:-}" in
  --print-dir) mode=print-dir; shift ;;
  --inputs) mode=inputs; shift ;;
  --stamp) mode=stamp; shift ;;
esac
phc_build=$(realpath -m "${1:-$src/build}")

cache=${XDG_CACHE_HOME:-$HOME/.cache}/phc/qemu
patches=("$src"/accel/qemu/patches/*.patch)
devices=("$src"/accel/qemu/devices/*.mak)
glue=$src/accel/qemu/phc.c

# Unpack and patch the source into $1 (a new directory).
make_source() {
  local out=$1 srcpkg t
  srcpkg=$(fetch_source)
  dpkg-source -x "$srcpkg"/qemu_*.dsc "$out/src" >&2
  rm -f "$out"/qemu_*.orig.tar.* # dpkg-source leaves a copy beside the source
  mkdir -p "$out/src/accel/phc"
  cp "$glue" "$out/src/accel/phc/phc.c"
  for p in "${patches[@]}"; do
    patch -d "$out/src" -p1 --quiet <"$p"
  done
  for t in "${targets[@]}"; do
    cp "$src/accel/qemu/devices/$t-softmmu.mak" "$out/src/configs/devices/$t-softmmu/phc.mak"
  done
}

# Configure $tree/build against the phc copy in $tree/phc.
configure_tree() {
  local device_flags=() target_list t
  for t in "${targets[@]}"; do
    device_flags+=("--with-devices-$t=phc")
  done
  target_list=$(printf '%s-softmmu,' "${targets[@]}")
  rm -rf "$tree/build"
  mkdir -p "$tree/build"
  (
    cd "$tree/build"
    nice -n 10 ../src/configure "${configure_flags[@]}" "${device_flags[@]}" \
      --target-list="${target_list%,}" >"$tree/log/configure.log" 2>&1 ||
      { tail -30 "$tree/log/configure.log" >&2; exit 1; }
  )
}

# A phc header: in the checkout, or made by meson in the phc build (arch.h).
header_path() {
  if [ -e "$src/include/phc/$1" ]; then echo "$src/include/phc/$1"; else echo "$phc_build/include/phc/$1"; fi
}

# The phc headers the glue and the patched translators include: the
# closure of the <phc/...> includes of the glue and of the patches.
glue_headers() {
  local todo seen=() h next
  todo=$(cat "$glue" "${patches[@]}" | sed -n 's/.*#include <phc\/\([a-z0-9_-]*\.h\)>.*/\1/p' | sort -u)
  while [ -n "$todo" ]; do
    next=
    for h in $todo; do
      [[ " ${seen[*]} " == *" $h "* ]] && continue
      seen+=("$h")
      next+=" $(sed -n 's/.*#include <phc\/\([a-z0-9_-]*\.h\)>.*/\1/p' "$(header_path "$h")")"
    done
    todo=$next
  done
  for h in "${seen[@]}"; do header_path "$h"; done | sort
}

key=$( {
  echo "$qemu_version"
  printf '%s\n' "${targets[@]}" | sort
  echo "${configure_flags[*]}"
  declare -f make_source configure_tree
  cat "${patches[@]}" "${devices[@]}"
} | sha256sum | cut -c1-16)
tree=$cache/tree-$key
mapfile -t headers < <(glue_headers)
# C code with comments left out: an edit to a comment changes no binary.
code_of() {
  gcc -fpreprocessed -dD -E -P -w -x c "$1"
}
stamp=$(for f in "$glue" "${headers[@]}"; do echo "${f##*/}"; code_of "$f"; done | sha256sum | cut -c1-16)
case $mode in
  print-dir) echo "$tree"; exit 0 ;;
  # meson remakes the generated headers itself: not inputs of its own
  inputs) printf '%s\n' "$src/scripts/build-qemu.sh" "${patches[@]}" "${devices[@]}" "$glue" "${headers[@]}" |
            grep -v "^$phc_build/"; exit 0 ;;
  stamp) echo "$stamp"; exit 0 ;;
esac

# Does bin/ hold target $1 built from this checkout's glue and headers?
usable() {
  [ -x "$tree/bin/qemu-system-$1" ] && [ "$(cat "$tree/bin/qemu-system-$1.stamp" 2>/dev/null)" = "$stamp" ]
}

built() {
  for t in "${targets[@]}"; do
    usable "$t" || return 1
  done
}

if built; then
  echo "$tree"
  exit 0
fi

for tool in dpkg-source patch meson ninja pkg-config nm gcc; do
  command -v "$tool" >/dev/null || { echo "build-qemu: $tool is missing: run scripts/setup.sh" >&2; exit 1; }
done
[ -f "$phc_build/meson-uninstalled/phc-uninstalled.pc" ] ||
  { echo "build-qemu: $phc_build is not a configured phc build (run scripts/setup.sh)" >&2; exit 1; }
[ -e "$phc_build/libphc.so" ] || ninja -C "$phc_build" >/dev/null

mkdir -p "$cache"
exec 9>"$tree.lock"
flock 9
if built; then # someone else built it while we waited
  echo "$tree"
  exit 0
fi

# The source, once per version, through a private apt state: the machine's
# sources list and state are left alone.
fetch_source() {
  local out=$cache/source-${qemu_version//:/_}
  if [ ! -f "$out/done" ]; then
    local apt=$out.apt
    rm -rf "$out" "$apt"
    mkdir -p "$out" "$apt/lists/partial" "$apt/cache/archives/partial"
    # the deb-src twin of every suite the machine uses
    printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s\n' \
      "http://deb.debian.org/debian bookworm main" \
      "http://deb.debian.org/debian bookworm-updates main" \
      "http://deb.debian.org/debian-security bookworm-security main" >"$apt/sources.list"
    local opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
                -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache")
    apt-get "${opts[@]}" update -q >&2
    (cd "$out" && apt-get "${opts[@]}" source --download-only "qemu=$qemu_version" >&2)
    rm -rf "$apt"
    touch "$out/done"
  fi
  echo "$out"
}

# Replace $2 by $1 only when they differ, atomically, so ninja sees a
# change only then; sync_code: only when their C code differs.
sync_code() {
  [ -e "$2" ] && [ "$(code_of "$1")" = "$(code_of "$2")" ] || sync_file "$1" "$2"
}
sync_file() {
  cmp -s "$1" "$2" && return 0
  cp "$1" "$2.new"
  mv "$2.new" "$2"
}

# The tree: source unpacked and patched in a temporary directory and
# renamed into place; configured in place (QEMU's build directory holds
# absolute paths), with a marker so a failed configure runs again.
if [ ! -d "$tree/src" ]; then
  tmp=$(mktemp -d "$tree.tmp.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  make_source "$tmp"
  mkdir "$tmp/phc" "$tmp/phc/include" "$tmp/phc/include/phc" "$tmp/phc/lib" "$tmp/bin" "$tmp/log"
  rm -rf "$tree"
  mv "$tmp" "$tree"
  trap - EXIT
fi

# What QEMU compiles and links against: this checkout's phc headers (the
# set mirrors include/phc and the generated ones exactly) and a libphc.so for the link, replaced
# only when the symbols it exports change (QEMU runs phc-run's own libphc,
# so a code change in libphc needs no relink).
sync_code "$glue" "$tree/src/accel/phc/phc.c"
for h in "$src"/include/phc/*.h "$phc_build"/include/phc/*.h; do
  sync_code "$h" "$tree/phc/include/phc/${h##*/}"
done
for h in "$tree"/phc/include/phc/*.h; do
  [ -e "$src/include/phc/${h##*/}" ] || [ -e "$phc_build/include/phc/${h##*/}" ] || rm -f "$h"
done
symbols=$(nm -D --defined-only "$phc_build/libphc.so" | awk '{print $3}' | sort)
if [ ! -e "$tree/phc/lib/libphc.so" ] || [ "$symbols" != "$(cat "$tree/phc/lib/symbols" 2>/dev/null)" ]; then
  cp -L "$phc_build/libphc.so" "$tree/phc/lib/libphc.so.new"
  mv "$tree/phc/lib/libphc.so.new" "$tree/phc/lib/libphc.so"
  echo "$symbols" >"$tree/phc/lib/symbols"
fi
sed -n 's/^\(Requires.private\|Libs.private\|Version\):.*/&/p' "$phc_build/meson-uninstalled/phc-uninstalled.pc" |
  cat - <(printf '%s\n' "Name: phc" "Description: phc for the patched QEMU" \
                        "Cflags: -I$tree/phc/include" "Libs: -L$tree/phc/lib -lphc") >"$tree/phc/phc.pc.in"
sync_file "$tree/phc/phc.pc.in" "$tree/phc/phc.pc"
rm -f "$tree/phc/phc.pc.in"
export PKG_CONFIG_PATH=$tree/phc

if [ ! -f "$tree/build/configured" ]; then
  echo "build-qemu: configuring $tree" >&2
  configure_tree
  touch "$tree/build/configured"
fi

# One target at a time, each copied to bin/ as soon as it is linked: the
# stamp goes first (removed), then the binary, then the new stamp, so a
# reader never sees a binary with a stamp it was not built from. Targets
# with no usable binary go first, so the most rows are usable soonest.
order=()
for t in "${targets[@]}"; do usable "$t" || order+=("$t"); done
for t in "${targets[@]}"; do usable "$t" && order+=("$t"); done
failed=()
for t in "${order[@]}"; do
  exe=qemu-system-$t
  start=$(date +%s)
  usable "$t" || echo "build-qemu: building $exe (log: $tree/log/ninja-$t.log)" >&2
  if ! (cd "$tree/build" && nice -n 10 ninja -j "${JOBS:-2}" "$exe" >"$tree/log/ninja-$t.log" 2>&1); then
    tail -40 "$tree/log/ninja-$t.log" >&2
    failed+=("$t")
    continue
  fi
  end=$(date +%s)
  if ! cmp -s "$tree/build/$exe" "$tree/bin/$exe" || [ "$(cat "$tree/bin/$exe.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -f "$tree/bin/$exe.stamp"
    cp "$tree/build/$exe" "$tree/bin/$exe.new"
    mv "$tree/bin/$exe.new" "$tree/bin/$exe"
    echo "$stamp" >"$tree/bin/$exe.stamp.new"
    mv "$tree/bin/$exe.stamp.new" "$tree/bin/$exe.stamp"
  fi
  echo "$t $(date -u -d "@$start" +%FT%TZ) $(date -u -d "@$end" +%FT%TZ) $((end - start)) s stamp $stamp" >>"$tree/log/times.log"
  echo "build-qemu: $exe in $((end - start)) s" >&2
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "build-qemu: failed: ${failed[*]} (logs in $tree/log)" >&2
  exit 1
fi
echo "$tree"
