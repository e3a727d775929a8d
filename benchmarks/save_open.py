#!/usr/bin/env python3
"""Restoring a session with `.open` against loading the same CSV (shared/BENCHMARKS.md, issue 12).

    benchmarks/save_open.py TERRAIN_BIN LOCAUX_CSV [--runs R]

One terrain process loads the CSV R times (`.timer on`), saves the table with `.save`, then
opens the file R times; prints the medians and the ratio (target: `.open` at least 10 times
faster). Run it on a release build, e.g. after `benchmarks/run --n 10000000` has generated
`benchmarks/data/locaux_10000000.csv`.
"""
import os, re, statistics, subprocess, sys, tempfile

def main():
    args = sys.argv[1:]
    runs = 5
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    binary, csv = args
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(csv))) as tmp:
        saved = os.path.join(tmp, "locaux.terrain")
        script = [".timer on"]
        script += [f'load "{csv}" as locaux' for _ in range(runs)]
        script += [f'.save "{saved}"']
        script += [f'.open "{saved}"' for _ in range(runs)]
        script += ["from locaux | aggregate n = count()"]
        r = subprocess.run([binary, "--no-data", "--mode", "csv"], input="\n".join(script) + "\n",
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(r.stderr)
        # The first time is `.timer on`'s own.
        times = [float(t) for t in re.findall(r"time: ([0-9.]+) ms", r.stderr)][1:]
        load, save, opened = times[:runs], times[runs], times[runs + 1:2 * runs + 1]
        size = os.path.getsize(saved)
    csv_ms, open_ms = statistics.median(load), statistics.median(opened)
    print(f"rows: {r.stdout.splitlines()[-1]}  csv: {os.path.getsize(csv) / 1e6:.0f} MB  session file: {size / 1e6:.0f} MB")
    print(f"load CSV   median {csv_ms:8.1f} ms  (runs: {', '.join(f'{t:.0f}' for t in load)})")
    print(f".save                {save:8.1f} ms")
    print(f".open      median {open_ms:8.1f} ms  (runs: {', '.join(f'{t:.0f}' for t in opened)})")
    print(f"load CSV ÷ .open: {csv_ms / open_ms:.1f}  (target ≥ 10)")

main()
