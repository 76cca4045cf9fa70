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
skipped=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
while read -r name arch elf unicorn; do
  case "$name" in '#'*|'') continue ;; esac
  echo "-- $name ($arch$([ "$unicorn" = yes ] || echo ", on the patched QEMU"))"
  if "$run" -accel tcg -arch "$arch" -kernel "build/$elf" --summary 2>"$err"; then :; else
    status=$?
    cat "$err" >&2
    # only where setup was told not to build the patched QEMU (PHC_QEMU=0)
    if [ "$unicorn" = no ] && grep -q "no patched QEMU here" "$err"; then
      skipped=$((skipped + 1)); echo "   SKIPPED: the patched QEMU is not built"
    else
      failed=$((failed + 1)); echo "   FAILED (exit $status)"
    fi
  fi
done < build/tests/guests/guests.list

echo
echo "== x86 guests under -accel kvm, traces compared with -accel tcg"
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
echo "== Debian's Linux kernels on the patched QEMU, hypercalls from /init"
meson test -C build --suite linux-qemu --verbose 2>&1 | grep -E "boot-to-exit|^SKIP:|^FAIL:| (OK|FAIL|SKIP) "
case ${PIPESTATUS[0]} in
  0) ;;
  *) failed=$((failed + 1)) ;;
esac

echo
if [ "$failed" -eq 0 ]; then echo "all bundled guests passed"; else echo "$failed guest run(s) failed"; fi
[ "$skipped" -eq 0 ] || echo "$skipped step(s) skipped: see SKIPPED above"
[ "$failed" -eq 0 ]
