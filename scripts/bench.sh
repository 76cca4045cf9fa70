#!/usr/bin/env bash
# The benchmarks (not part of the test suite): builds, runs every benchmark,
# prints one table with each goal beside its figure and writes the same as
# JSON to build/bench.json. About 3-5 minutes; docs/performance.md explains
# every row. BENCH_BUILD=dir uses another build directory (no package set-up).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${BENCH_BUILD:-build}

if [ "$build" = build ]; then
  scripts/setup.sh
else
  [ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
  ninja -C "$build" >/dev/null
fi

rows=$(mktemp -d)
trap 'rm -rf "$rows"' EXIT
for b in bench-tcg bench-kvm bench-dispatch; do
  if [ -x "$build/bench/$b" ]; then
    echo "bench: running $b" >&2
    status=0
    # The KVM rows run where scripts/kvm-host finds a real /dev/kvm: here
    # when it is hardware virtualisation, else in the nested KVM host VM,
    # whose figures then include a TCG-emulated host (docs/kvm.md).
    wrap=()
    # Bounded, as every command in the VM should be (docs/kvm.md).
    [ "$b" = bench-kvm ] && wrap=(timeout 900 scripts/kvm-host run --)
    "${wrap[@]}" "$build/bench/$b" >"$rows/$b.jsonl" || status=$?
    if [ $status -ne 0 ]; then
      echo "bench: $b FAILED with status $status; its remaining rows are missing" >&2
      printf '{"row": "%s", "name": "%s", "skipped": "failed with status %d"}\n' \
        "$b" "$b" "$status" >>"$rows/$b.jsonl"
    fi
  else
    echo "bench: SKIPPED $b: not built here (no Unicorn or no KVM headers)" >&2
  fi
done
# Row 6, Python handler vs C handler: TCG here, KVM through the KVM host
# (a real /dev/kvm here, else its VM; it skips the row when there is none).
if [ -x "$build/bench/bench-python" ]; then
  echo "bench: running bench-python" >&2
  "$build/bench/bench-python" tcg >"$rows/bench-python.jsonl" || echo "bench: bench-python tcg FAILED" >&2
  kvm_host=()
  [ -x scripts/kvm-host ] && kvm_host=(scripts/kvm-host run --)
  # bounded: a KVM host VM on a crowded machine has been seen to stop answering
  timeout 1200 "${kvm_host[@]}" "$build/bench/bench-python" kvm >>"$rows/bench-python.jsonl" ||
    printf '{"row": "6", "name": "kvm x86_64: hypercall round trip, Python handler / C handler", "skipped": "no KVM here, or no answer in 20 min (status %d)"}\n' \
      $? >>"$rows/bench-python.jsonl"
else
  echo "bench: SKIPPED bench-python: not built here (no python3-embed)" >&2
fi
echo "bench: counting instructions (valgrind --tool=callgrind)" >&2
python3 bench/callgrind.py "$build" >"$rows/callgrind.jsonl"
python3 bench/report.py "$build" "$build/bench.json" "$rows"/*.jsonl
