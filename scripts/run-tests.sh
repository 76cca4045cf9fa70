#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite; ends with one line
# "N passed, N failed[, N skipped]".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh

# KVM tests boot the KVM host VM on first use (scripts/kvm-host); end it here.
trap 'scripts/kvm-host stop' EXIT
status=0
meson test -C build --num-processes 2 --print-errorlogs "$@" || status=$?
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)
    res = r["result"]
    if res == "OK" or res == "EXPECTEDFAIL":
        counts["passed"] += 1
    elif res == "SKIP":
        counts["skipped"] += 1
        print(f"SKIPPED: {r['name']}", file=sys.stderr)
    else:
        counts["failed"] += 1
print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
PY
exit $status
