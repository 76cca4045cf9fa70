#!/usr/bin/env bash
# The test suite under sanitizers; exits non-zero on any test failure or
# sanitizer finding, including findings in child processes (phc-run started
# by a test) whose exit status the test may not look at: every report is
# written to a log file, and any log file is a finding.
#
#   scripts/sanitize.sh [asan] [tsan]        (default: both)
#
# asan: the whole suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#       (leaks included) in build-asan/, the fuzz smoke run left out (it has
#       its own ASan build, scripts/fuzz.sh), and so are the runs that only
#       repeat, inside the KVM host VM (scripts/kvm-host), code the kvm suite
#       already drives there: the Linux boots, the storms and the Python
#       handlers under KVM (their Python side is sanitized under TCG). On a
#       machine without a hardware /dev/kvm each of those costs minutes of
#       emulated VM time, and CI has 90 minutes for everything.
# tsan: the multi-threaded suites (TSAN_SUITES, default "fuzz unit kvm
#       hostile": the threaded dispatcher and trace inputs, the smp KVM runs,
#       signals racing the vCPUs) built with ThreadSanitizer in build-tsan/;
#       without the single-threaded slow ones (the Linux boots, the storms).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$src"
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(asan tsan)
jobs=${JOBS:-2}

# clang by default: its UBSan honours log_path (gcc's prints to stderr only,
# where a test that expects a failing phc-run would not see it).
export CC=${SANITIZE_CC:-clang}
command -v "$CC" >/dev/null || CC=cc

# configure DIR SANITIZERS: a debug-ish optimised build with the sanitizers
# and no 2^32 sweeps (they would take hours instrumented).
configure() {
  local dir=$1 sanitize=$2
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" --buildtype=debugoptimized -Db_sanitize="$sanitize" -Db_lundef=false \
      -Dc_args=-fno-omit-frame-pointer -Dexhaustive=false >"$dir.setup.log" 2>&1 ||
      { cat "$dir.setup.log" >&2; return 1; }
  fi
  ninja -C "$dir" -j "$jobs" >"$dir.ninja.log" 2>&1 || { tail -40 "$dir.ninja.log" >&2; return 1; }
}

# Programs the tests compile themselves (the pkg-config consumer) link the
# instrumented libphc, so their plain `cc` must bring the same runtimes.
cc_shim() {
  local dir=$1 sanitize=$2
  mkdir -p "$dir/cc-shim"
  printf '#!/bin/sh\nexec %s -fsanitize=%s "$@"\n' "$(command -v "$CC")" "$sanitize" >"$dir/cc-shim/cc"
  chmod +x "$dir/cc-shim/cc"
  echo "$dir/cc-shim"
}

# run DIR LOGPREFIX MESON-TEST-ARGS...: run the tests, then count the reports.
run() {
  local dir=$1 logs=$2
  shift 2
  rm -rf "$logs"
  mkdir -p "$logs"
  local status=0
  meson test -C "$dir" --num-processes "$jobs" --timeout-multiplier 4 --print-errorlogs "$@" ||
    status=$?
  if compgen -G "$logs/*" >/dev/null; then
    echo "sanitize.sh: sanitizer reports in $logs:" >&2
    for f in "$logs"/*; do
      echo "--- $f" >&2
      head -60 "$f" >&2
    done
    status=1
  fi
  return $status
}

status=0
for mode in "${modes[@]}"; do
  start=$SECONDS
  case $mode in
    asan)
      configure build-asan address,undefined
      logs=$src/build-asan/sanitizer-logs
      PATH=$(cc_shim "$src/build-asan" address,undefined):$PATH \
      ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:log_path=$logs/asan \
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan \
        run build-asan "$logs" --no-suite fuzz-smoke --no-suite linux --no-suite storm \
          --no-suite python-kvm || status=1
      ;;
    tsan)
      configure build-tsan thread
      logs=$src/build-tsan/sanitizer-logs
      suites=()
      known=$(meson introspect build-tsan --tests | python3 -c '
import json, sys
print(" ".join(sorted({s.split(":")[-1] for t in json.load(sys.stdin) for s in t["suite"]})))')
      for s in ${TSAN_SUITES:-fuzz unit kvm hostile}; do
        [[ " $known " == *" $s "* ]] && suites+=(--suite "$s")
      done
      PATH=$(cc_shim "$src/build-tsan" thread):$PATH \
      TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:log_path=$logs/tsan \
        run build-tsan "$logs" "${suites[@]}" --no-suite linux --no-suite storm \
          --no-suite python-kvm || status=1
      ;;
    *) echo "sanitize.sh: unknown mode '$mode' (asan, tsan)" >&2; exit 2 ;;
  esac
  scripts/kvm-host stop # a fresh KVM host VM for each pass (docs/kvm.md)
  echo "sanitize.sh: $mode done in $((SECONDS - start)) s"
done
exit $status
