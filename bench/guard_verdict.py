#!/usr/bin/python3
"""The regression gate's guarded benchmarks and its steps around compare.py
(bench/guard.sh).

  guard_verdict.py filter BINARY [ONLY]
      prints the --benchmark_filter of the guarded benchmarks that BINARY
      (engine or store) runs, those matching the regular expression ONLY
      when given (empty when none).
  guard_verdict.py merge RUNS_DIR SIDE OUT.json
      joins the runs of one side (RUNS_DIR/SIDE-*.json, Google Benchmark's
      JSON) into one file, every repetition kept and the aggregates left
      out, so that compare.py's U test sees all the runs of the side.
  guard_verdict.py verdict DIFF.json EXPECTED
      reads compare.py's report (its --dump_to_json) and fails (exit 1) on
      each guarded benchmark whose median time (CPU or real, per
      GUARDED) grew by more than its threshold with the U test's p-value
      on that time below ALPHA, and
      when the report holds fewer than EXPECTED guarded benchmarks.

The statistic is compare.py's; this script only applies the thresholds.
"""
import glob
import json
import os
import re
import statistics
import sys

# Significance level of the two-sided Mann-Whitney U test.
ALPHA = 0.01
# The guarded benchmarks, the one list of them: search on a national-density
# data set (1M slots, automatic radius), hold + confirm + cancel, durable
# bookings, reload. Each with its binary, the slowdown of the median beyond
# which a significant change fails the gate, and the time it is read on. The engine's benchmarks run on one thread and only compute:
# their CPU time is what the code costs, and unlike real time it does not
# count the moments another process held the core. The storage benchmarks
# wait on fsync and on RocksDB's threads: real time, and a wider threshold,
# for they share the disk with the machine.
GUARDED = [
    ("engine", "BM_EngineSearch/slots:1000000/radius_m:0/window_h:48/limit:20",
     0.10, "cpu"),
    ("engine", "BM_EngineHoldConfirmCancel/slots:1000000", 0.15, "cpu"),
    ("store", "BM_StoreDurableBookings/in_flight:2048/real_time", 0.25, "real"),
    ("store", "BM_StoreReload/slots:100000", 0.20, "real"),
]


def guarded_names(binary, only):
    return [name for kind, name, _, _ in GUARDED
            if kind == binary and (not only or re.search(only, name))]


def benchmark_filter(binary, only):
    print("|".join("^" + re.escape(name) + "$"
                   for name in guarded_names(binary, only)))


def merge(runs_dir, side, out_path):
    paths = sorted(glob.glob(os.path.join(runs_dir, side + "-*.json")))
    if not paths:
        sys.exit(f"guard: no runs for {side} in {runs_dir}")
    merged = None
    for path in paths:
        with open(path) as f:
            run = json.load(f)
        if merged is None:
            merged = {"context": run["context"], "benchmarks": []}
        merged["benchmarks"] += [
            b for b in run["benchmarks"] if b.get("run_type") == "iteration"
        ]
    # compare.py pairs benchmarks by name, in order of first appearance.
    merged["benchmarks"].sort(key=lambda b: b["name"])
    with open(out_path, "w") as f:
        json.dump(merged, f)


def threshold_of(name):
    for _, guarded, threshold, measure in GUARDED:
        if name == guarded:
            return threshold, measure
    return None, None


def verdict(diff_path, expected):
    with open(diff_path) as f:
        report = json.load(f)
    failures, checked = [], 0
    for entry in report:
        threshold, measure = threshold_of(entry["name"])
        if threshold is None or entry.get("run_type") == "aggregate":
            continue
        runs = entry["measurements"]
        base = statistics.median(m[measure + "_time"] for m in runs)
        head = statistics.median(m[measure + "_time_other"] for m in runs)
        change = head / base - 1
        pvalue = entry["utest"].get(("time" if measure == "real" else "cpu") + "_pvalue")
        if pvalue is None:
            sys.exit(f"guard: {entry['name']}: too few runs for the U test")
        checked += 1
        significant = pvalue < ALPHA
        failed = significant and change > threshold
        print(f"guard: {entry['name']}: median {measure} time {change:+.1%} "
              f"(threshold +{threshold:.0%}), p={pvalue:.4f} "
              f"({'significant' if significant else 'not significant'} at {ALPHA})"
              f"{': SLOWER' if failed else ''}")
        if failed:
            failures.append(entry["name"])
    if checked != expected:
        sys.exit(f"guard: {checked} guarded benchmarks compared, {expected} expected")
    if failures:
        print(f"guard: FAILED: {len(failures)} of {checked} guarded benchmarks slower")
        sys.exit(1)
    print(f"guard: passed: {checked} guarded benchmarks, none significantly slower")


def main(argv):
    if len(argv) in (3, 4) and argv[1] == "filter":
        benchmark_filter(argv[2], argv[3] if len(argv) == 4 else "")
    elif len(argv) == 5 and argv[1] == "merge":
        merge(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "verdict":
        verdict(argv[2], int(argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
