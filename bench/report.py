#!/usr/bin/env python3
"""Collect the benchmark rows, measure phc-run's peak RSS (row 5), print one
table with each goal beside its figure, and write the same as JSON.

usage: report.py BUILD_DIR OUT_JSON ROWS.jsonl...
The .jsonl files are what bench-tcg, bench-kvm and bench-dispatch print.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

RSS_RUNS = 3
# (accelerator, guest): one small guest per accelerator the build has
RSS_CASES = [("tcg", "calls-x86_64"), ("tcg", "calls-mips"), ("kvm", "calls-x86_64")]


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "loadavg": load,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def peak_rss_kib(build, argv):
    """Peak RSS of one run (through bench/peak-rss); (KiB, None) or (None, why)."""
    proc = subprocess.run([os.path.join(build, "bench", "peak-rss")] + argv,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip() or "peak-rss failed"
    kib, status = (int(x) for x in proc.stdout.split())
    if status != 0:
        return None, proc.stderr.strip() or "exit status %d" % status
    return kib, None


def rss_rows(build):
    phc_run = os.path.join(build, "tools", "phc-run")
    rows = []
    if not os.access(phc_run, os.X_OK):
        return [{"row": "5", "name": "phc-run peak RSS", "skipped": "no %s" % phc_run}]
    base = [peak_rss_kib(build, [phc_run, "--help"])[0] for _ in range(RSS_RUNS)]
    base_kib = statistics.median(base) if None not in base else None
    for accel, guest in RSS_CASES:
        name = "phc-run peak RSS, -accel %s, %s guest" % (accel, guest.split("-", 1)[1])
        elf = os.path.join(build, "bench", guest + ".elf")
        samples, why = [], None
        for _ in range(RSS_RUNS):
            kib, why = peak_rss_kib(build, [phc_run, "-accel", accel, "-kernel", elf])
            if kib is None:
                break
            samples.append(kib)
        if why:
            rows.append({"row": "5", "name": name, "skipped": why})
            print("bench: SKIPPED row 5, %s: %s" % (name, why), file=sys.stderr)
            continue
        detail = {"guest_ram_mib": 32, "hypercalls": 1001}
        if base_kib:
            detail["phc_run_help_mib"] = round(base_kib / 1024, 1)
        rows.append({"row": "5", "name": name, "value": round(statistics.median(samples) / 1024, 1),
                     "unit": "MiB", "detail": detail})
    return rows


def fmt_value(r):
    if "skipped" in r:
        return "skipped"
    v = r["value"]
    return ("%.3g" % v if abs(v) < 1000 else "%.0f" % v) + ("x" if r["unit"] == "x" else " " + r["unit"])


def fmt_detail(r):
    if "skipped" in r:
        return r["skipped"]
    return ", ".join("%s %s" % (k, v) for k, v in r.get("detail", {}).items())


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build, out = sys.argv[1], sys.argv[2]
    rows = []
    for path in sys.argv[3:]:
        with open(path) as f:
            rows += [json.loads(line) for line in f if line.strip()]
    rows += rss_rows(build)
    rows.sort(key=lambda r: r["row"])  # stable: each program's order within a row

    header = ("row", "benchmark", "figure", "goal", "met", "detail")
    table = [header] + [(r["row"], r["name"], fmt_value(r), r.get("goal", "-"),
                         {True: "yes", False: "NO"}.get(r.get("met"), "-"), fmt_detail(r))
                        for r in rows]
    widths = [max(len(t[i]) for t in table) for i in range(len(header) - 1)]
    for t in table:
        print("  ".join(c.ljust(w) for c, w in zip(t, widths)) + "  " + t[-1])

    result = {"machine": machine(), "rows": rows}
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    m = result["machine"]
    print("\n%s; %s CPUs (%s), kernel %s, load average %s" % (m["date"], m["nproc"], m["cpu"],
                                                                 m["kernel"], m["loadavg"]))
    print("written: %s" % out)
    missed = [r for r in rows if r.get("met") is False]
    if missed:
        print("%d goal(s) missed: see docs/performance.md for why" % len(missed))


if __name__ == "__main__":
    main()
