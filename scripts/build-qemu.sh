#!/usr/bin/env bash
# The patched QEMU: Debian 12's QEMU 7.2 source (fetched with apt-get source,
# signature-checked by apt), our patches (accel/qemu/patches/), our glue
# (accel/qemu/phc.c) and device lists (accel/qemu/devices/), built for every
# phc row that has a QEMU target and linked with libphc through its
# pkg-config file. The result is cached outside the checkout, keyed by a
# hash of everything that goes into it, so a machine builds it once:
#
#   ${XDG_CACHE_HOME:-~/.cache}/phc/qemu/<key>/bin/qemu-system-*
#
#   scripts/build-qemu.sh [--print-dir|--inputs] [PHC_BUILD_DIR]
#
# --print-dir prints the cache directory and stops (no build); --inputs
# lists the files the key is made of (meson reconfigures when one of them
# changes, so phc-run looks in the right directory). Otherwise it
# builds unless the cache holds the result, and prints the directory.
# PHC_BUILD_DIR (default build) is a configured and built phc: QEMU links
# its libphc.so; at run time phc-run points QEMU at its own libphc.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Pinned: the key, and so the cache, must not move with the mirror.
qemu_version=1:7.2+dfsg-7+deb12u18
targets=(x86_64 arm aarch64 mips mipsel mips64 mips64el ppc ppc64 riscv32 riscv64 loongarch64)
configure_flags=(--without-default-features --without-default-devices --enable-tcg
                 --disable-install-blobs --disable-docs --disable-tools --disable-debug-info
                 --enable-fdt=system)

mode=build
case "${1:-}" in
  --print-dir) mode=print-dir; shift ;;
  --inputs) mode=inputs; shift ;;
esac
phc_build=$(realpath -m "${1:-$src/build}")

cache=${XDG_CACHE_HOME:-$HOME/.cache}/phc/qemu
patches=("$src"/accel/qemu/patches/*.patch)

# The key: this script (version, flags, steps), the patches in order, the
# glue, the device lists and the phc headers the glue is compiled against
# (a libphc change elsewhere needs no rebuild: QEMU links it dynamically).
inputs=("$src/scripts/build-qemu.sh" "${patches[@]}" "$src/accel/qemu/phc.c"
        "$src"/accel/qemu/devices/*.mak "$src"/include/phc/{abi,builtins,call,dispatcher,sentinel,trace,vcpu}.h)
key=$(cat "${inputs[@]}" | sha256sum | cut -c1-16)
dir=$cache/$key
case $mode in
  print-dir) echo "$dir"; exit 0 ;;
  inputs) printf '%s\n' "${inputs[@]}"; exit 0 ;;
esac

built() {
  for t in "${targets[@]}"; do
    [ -x "$dir/bin/qemu-system-$t" ] || return 1
  done
}

if built; then
  echo "$dir"
  exit 0
fi

for tool in dpkg-source patch meson ninja pkg-config; do
  command -v "$tool" >/dev/null || { echo "build-qemu: $tool is missing: run scripts/setup.sh" >&2; exit 1; }
done
[ -f "$phc_build/meson-uninstalled/phc-uninstalled.pc" ] ||
  { echo "build-qemu: $phc_build is not a configured phc build (run scripts/setup.sh)" >&2; exit 1; }
[ -e "$phc_build/libphc.so" ] || ninja -C "$phc_build" >/dev/null

mkdir -p "$cache"
exec 9>"$dir.lock"
flock 9
if built; then # someone else built it while we waited
  echo "$dir"
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

start=$(date +%s)
tmp=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
srcpkg=$(fetch_source)
dpkg-source -x "$srcpkg"/qemu_*.dsc "$tmp/src" >&2
mkdir -p "$tmp/src/accel/phc"
cp "$src/accel/qemu/phc.c" "$tmp/src/accel/phc/phc.c"
for p in "${patches[@]}"; do
  patch -d "$tmp/src" -p1 --quiet <"$p"
done
device_flags=()
for t in "${targets[@]}"; do
  cp "$src/accel/qemu/devices/$t-softmmu.mak" "$tmp/src/configs/devices/$t-softmmu/phc.mak"
  device_flags+=("--with-devices-$t=phc")
done
target_list=$(printf '%s-softmmu,' "${targets[@]}")

mkdir "$tmp/build"
(
  cd "$tmp/build"
  export PKG_CONFIG_PATH=$phc_build/meson-uninstalled
  nice -n 10 ../src/configure "${configure_flags[@]}" "${device_flags[@]}" \
    --target-list="${target_list%,}" >configure.log 2>&1 || { tail -30 configure.log >&2; exit 1; }
  nice -n 10 ninja -j "${JOBS:-2}" >ninja.log 2>&1 || { tail -40 ninja.log >&2; exit 1; }
)
mkdir "$tmp/out" "$tmp/out/bin"
for t in "${targets[@]}"; do
  cp "$tmp/build/qemu-system-$t" "$tmp/out/bin/"
done
echo "$qemu_version $(($(date +%s) - start)) s" >"$tmp/out/built"
rm -rf "$dir"
mv "$tmp/out" "$dir"
echo "build-qemu: built in $(($(date +%s) - start)) s" >&2
echo "$dir"
