#!/bin/sh
# Builds consumer.c against libphc as another project would: through
# pkg-config, once from the build tree (phc-uninstalled.pc) and once from an
# install into a scratch prefix.
set -eu
src=$1 build=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

PKG_CONFIG_PATH=$build/meson-uninstalled
export PKG_CONFIG_PATH
cc -o "$scratch/from-tree" "$src/consumer.c" $(pkg-config --cflags --libs phc)
LD_LIBRARY_PATH=$build "$scratch/from-tree"

meson install -C "$build" --destdir "$scratch/root" --quiet >/dev/null
pc=$(find "$scratch/root" -name phc.pc)
[ -n "$pc" ] || { echo "install put no phc.pc anywhere" >&2; exit 1; }
PKG_CONFIG_PATH=$(dirname "$pc")
# The install went under a DESTDIR: pkg-config's sysroot prefixes its paths.
PKG_CONFIG_SYSROOT_DIR=$scratch/root
export PKG_CONFIG_SYSROOT_DIR
libdir=$(pkg-config --variable=libdir phc)
cc -o "$scratch/from-prefix" "$src/consumer.c" $(pkg-config --cflags --libs phc)
LD_LIBRARY_PATH="$libdir" "$scratch/from-prefix"
