#!/usr/bin/env python3
"""L3, L3r and E2 of BENCHMARKS.md (Excel workbooks), terrain against python-calamine, Polars
(calamine to read, xlsxwriter to write) and pandas (openpyxl), on the harness's generated data:
a quick side-by-side until the harness runs them. Medians of R timed runs after one warm-up
(pandas and the 1M-row writes: one run each, they take minutes). Wall-clock times, so run it
on a quiet machine; the ratio to a peer in the same run is the figure that counts.

    python3 benchmarks/xlsx_quick.py TERRAIN_BIN DATA_DIR [N]   # DATA_DIR from gen.py; N = 1000000

Needs polars, xlsxwriter, python_calamine (and pandas + openpyxl, fastexcel for their columns)
importable.
Writes communes.xlsx and locaux_N.xlsx (with polars/xlsxwriter, timed: that is E2's peer) into
DATA_DIR; reads ../shared/data/epcicom_dgcl_2026.xlsx for L3r when it is there.
"""
import os, re, statistics, subprocess, sys, tempfile, time

terrain, data = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
R = 5
here = os.path.dirname(os.path.abspath(__file__))
real = os.path.join(here, "..", "..", "shared", "data", "epcicom_dgcl_2026.xlsx")

import polars as pl
import python_calamine

def timed(f, runs=R):
    f()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)

def once(f):
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1000

def terrain_ms(lines, runs=R):
    """Median of the `time:` lines of the last `runs` statements (one warm-up before)."""
    with tempfile.NamedTemporaryFile("w", suffix=".tq", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    p = subprocess.run([terrain, "--no-data", f.name], capture_output=True, text=True, cwd=data)
    os.unlink(f.name)
    if p.returncode != 0:
        sys.exit("terrain failed:\n" + p.stderr[-2000:])
    ts = [float(x) for x in re.findall(r"time: ([0-9.]+) ms", p.stderr)]
    return statistics.median(ts[-runs:])

communes_csv = os.path.join(data, "communes.csv")
locaux_csv = os.path.join(data, f"locaux_{n}.csv")
communes_xlsx = os.path.join(data, "communes.xlsx")
locaux_xlsx = os.path.join(data, f"locaux_{n}.xlsx")
schema = {"commune": pl.Utf8, "dep": pl.Utf8}

rows = []
communes = pl.read_csv(communes_csv, schema_overrides=schema)
if not os.path.exists(communes_xlsx):
    communes.write_excel(communes_xlsx, autofit=False)
locaux = pl.read_csv(locaux_csv, schema_overrides=schema)

# E2: 1M rows to xlsx. Peers once (xlsxwriter takes minutes); it also makes the L3 big file.
out = os.path.join(data, "e2_terrain.xlsx")
t_e2 = terrain_ms([f'load "{locaux_csv}" as locaux with (types = (commune: text, dep: text))', ".timer on"]
                  + [f'from locaux | take 1000000 | export "{out}"'] * (R + 1))
t_pl_w = once(lambda: locaux.head(1_000_000).write_excel(locaux_xlsx, autofit=False))
rows.append(("E2 export 1M rows to xlsx", t_e2, {"polars (xlsxwriter)": t_pl_w}))
print("E2", round(t_e2), round(t_pl_w), file=sys.stderr, flush=True)

def load_row(label, path, pandas=True):
    t = terrain_ms([".timer on"] + [f'load "{path}" as t'] * (R + 1))
    peers = {
        "python-calamine": timed(lambda: python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()),
    }
    try:
        import fastexcel  # what pl.read_excel reads with
        peers["polars (calamine)"] = timed(lambda: pl.read_excel(path))
    except ImportError:
        print("!! fastexcel not importable: polars' read_excel skipped", file=sys.stderr)
    if pandas:
        try:
            import pandas as pd
            peers["pandas (openpyxl)"] = once(lambda: pd.read_excel(path, engine="openpyxl"))
        except ImportError:
            pass
    rows.append((label, t, peers))
    print(label, round(t), {k: round(v) for k, v in peers.items()}, file=sys.stderr, flush=True)

load_row("L3 load communes.xlsx (35,000 rows)", communes_xlsx)
if os.path.exists(real):
    load_row("L3r load epcicom_dgcl_2026.xlsx", real)
load_row(f"load locaux_{n}.xlsx (xlsxwriter)", locaux_xlsx, pandas=False)

print("| | terrain | " + " | ".join(sorted({k for _, _, p in rows for k in p})) + " | terrain ÷ fastest |")
names = sorted({k for _, _, p in rows for k in p})
print("|---|---|" + "---|" * len(names) + "---|")
for label, t, peers in rows:
    cells = [f"{peers[k]:.0f}" if k in peers else "" for k in names]
    print(f"| {label} | {t:.0f} | " + " | ".join(cells) + f" | {t / min(peers.values()):.2f} |")
