#!/usr/bin/env bash
# The main job: set up, build, print the ABI table, run every bundled guest
# under -accel tcg with its console output and a one-line summary, and run
# the x86 guests under -accel kvm too, comparing the two traces. A step this
# machine cannot do (exit 77) is said and counted as skipped, not failed.
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
    # A row Unicorn cannot run needs the patched QEMU (PHC_QEMU=1): not counted.
    if [ "$tcg" = yes ]; then failed=$((failed + 1)); echo "   FAILED (exit $status)"; fi
  fi
done < build/tests/guests/guests.list

echo
echo "== x86 guests under -accel kvm, traces compared with -accel tcg"
skipped=0
for g in x86_64 i386; do
  echo "-- $g"
  scripts/compare-accels --phc-run "$run" "build/tests/guests/$g.elf"
  case $? in
    0) ;;
    77) skipped=$((skipped + 1)); echo "   SKIPPED: no KVM could be had here (the line above says why)" ;;
    *) failed=$((failed + 1)) ;;
  esac
done

echo
echo "== Debian's Linux kernels on the patched QEMU, hypercalls from /init (PHC_QEMU=1 builds it)"
meson test -C build --suite linux-qemu --verbose 2>&1 | grep -E "boot-to-exit|^SKIP:|^FAIL:| (OK|FAIL|SKIP) "
case ${PIPESTATUS[0]} in
  0) ;;
  *) failed=$((failed + 1)) ;;
esac

echo
if [ "$failed" -eq 0 ]; then echo "all bundled guests passed"; else echo "$failed guest run(s) failed"; fi
[ "$skipped" -eq 0 ] || echo "$skipped step(s) skipped: see SKIPPED above"
[ "$failed" -eq 0 ]
