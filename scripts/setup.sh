#!/usr/bin/env bash
# Installs what the project needs on Debian 12 (as root; otherwise prints the
# apt-get line and stops), configures into build/ and builds. Sourced by
# run-guests.sh and run-tests.sh; also runs on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  build-essential meson ninja-build pkg-config python3
  python3-dev python3-cffi # Python handlers: libpython to embed (python3-embed), the cffi binding
  libglib2.0-dev libunicorn-dev libelf-dev libfdt-dev device-tree-compiler
  binutils-arm-linux-gnueabi binutils-aarch64-linux-gnu
  binutils-mips-linux-gnu binutils-mipsel-linux-gnu
  binutils-mips64-linux-gnuabi64 binutils-mips64el-linux-gnuabi64
  binutils-powerpc-linux-gnu binutils-powerpc64-linux-gnu
  binutils-riscv64-linux-gnu llvm-16 lld-16
  gcc-aarch64-linux-gnu linux-libc-dev-arm64-cross qemu-user
  # C guests on <phc/guest.h> (tests/cguest): one compiler per family covers
  # both byte orders and widths; clang-16 for LoongArch
  gcc-arm-linux-gnueabi gcc-mips-linux-gnu gcc-powerpc64-linux-gnu gcc-riscv64-linux-gnu clang-16
  clang libclang-rt-14-dev valgrind cpio
  liblzma-dev linux-headers-amd64 # Linux guests: kernel unpacking, the test module
  qemu-system-x86 busybox-static kmod # the KVM host VM (scripts/kvm-host)
  qemu-system-arm # arm64-kvm-in-tcg: an emulated ARM64 KVM host
  dpkg-dev libpixman-1-dev # the patched QEMU (scripts/build-qemu.sh)
  qemu-system-data seabios # its firmware for the Linux machines
  # static /init of the Linux boots on QEMU (tests/qemu/linux)
  gcc-mipsel-linux-gnu libc6-dev-mipsel-cross gcc-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross
  gcc-arm-linux-gnueabi libc6-dev-armel-cross libc6-dev-arm64-cross
  gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
)
# The ARM64 KVM frontend is cross-built against arm64 libraries (multiarch).
# libfdt-dev cannot be installed for two architectures at once: the cross
# build takes the headers from the native one and links the arm64 runtime.
arm64_packages=(libglib2.0-dev:arm64 libelf-dev:arm64 libfdt1:arm64)

missing=()
for p in "${packages[@]}" "${arm64_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages; as root run:" >&2
    dpkg --print-foreign-architectures | grep -qx arm64 || echo "  dpkg --add-architecture arm64" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# arm64-kvm-in-tcg needs Debian's 6.12 arm64 kernel; without it that test
# skips saying so, so a failed fetch does not stop the set-up.
scripts/fetch-arm64-kernel || true

if [ -f build/build.ninja ]; then
  meson setup --reconfigure build >/dev/null
else
  meson setup build >/dev/null
fi
ninja -C build >/dev/null

# The patched QEMU (docs/qemu.md): a persistent build tree in the cache.
# The first build on a machine is long (docs/qemu.md says how long here);
# later ones rebuild only what a glue or phc header change touches, and a
# warm cache costs nothing. PHC_QEMU=0 leaves it out, and says so.
if [ "${PHC_QEMU:-1}" = 0 ]; then
  echo "setup: PHC_QEMU=0: the patched QEMU is not built; unless the cache holds it already, the QEMU" \
       "tests (suites qemu and linux-qemu, the QEMU-only rows of cguest) will skip" >&2
else
  scripts/build-qemu.sh build >/dev/null
fi
