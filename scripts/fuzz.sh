#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan +
# coverage) and runs each one for a bounded time over its committed seeds.
#
#   scripts/fuzz.sh [--smoke] [--time SEC] [--build-dir DIR] [TARGET...]
#
# --smoke: 6 s a target (the CI run); default 60 s a target. New inputs go to
# DIR/corpus/TARGET, crashes to DIR/crash-TARGET-*. Exits 0 when every target
# ran clean, 1 on a finding, 77 when clang or its libFuzzer runtime is missing.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$src/build-fuzz
seconds=60
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) seconds=6 ;;
    --time) seconds=$2; shift ;;
    --build-dir) build=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done

if ! command -v clang >/dev/null ||
   ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
     clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
  echo "fuzz.sh: SKIP: clang with libFuzzer is missing (Debian: clang libclang-rt-14-dev)" >&2
  exit 77
fi

mkdir -p "$build"
# One fuzz build at a time per directory (two suites may ask at once).
exec 9>"$build.lock"
flock 9

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$src" --buildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link -Dexhaustive=false >"$build.setup.log" 2>&1 ||
    { cat "$build.setup.log" >&2; exit 1; }
fi
# Default: every target this build has (esr only where the ARM64 frontend builds),
# as the sources say now: an edited meson.build regenerates the list first.
ninja -C "$build" build.ninja >/dev/null
[ ${#targets[@]} -gt 0 ] ||
  mapfile -t targets < <(ninja -C "$build" -t targets all | sed -n 's|^tests/fuzz/fuzz-\([a-z0-9_-]*\): .*|\1|p')
ninja -C "$build" $(printf 'tests/fuzz/fuzz-%s ' "${targets[@]}") >/dev/null

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus"
  log=$build/fuzz-$t.log
  if "$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 \
       -print_final_stats=1 -artifact_prefix="$build/crash-$t-" \
       "$corpus" "$src/tests/fuzz/corpus/$t" >"$log" 2>&1; then
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    echo "fuzz-$t: ok, ${runs:-?} executions in ${seconds}s, ${cov:-cov: ?}"
  else
    echo "fuzz-$t: FAILED (see $log; inputs $build/crash-$t-*)" >&2
    grep -m 20 -E 'ERROR|check failed|runtime error|SUMMARY' "$log" >&2 || tail -20 "$log" >&2
    status=1
  fi
done
exit $status
