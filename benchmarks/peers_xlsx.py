#!/usr/bin/env python3
"""The xlsx rows of the workload (L3, E2) for one peer, in its own process, and the checks.

    python peers_xlsx.py prepare COMMUNES_CSV COMMUNES_XLSX
    python peers_xlsx.py ENGINE COMMUNES_XLSX LOCAUX_CSV RUNS EXPORT_PATH OUT_JSON
    python peers_xlsx.py summary XLSX_PATH...

`prepare` writes communes.xlsx with xlsxwriter (through Polars' write_excel), as
shared/BENCHMARKS.md says. ENGINE is one of:
  calamine  L3 with python-calamine (every cell to Python values);
  polars    L3 with pl.read_excel (fastexcel, i.e. calamine into Arrow), E2 with
            pl.write_excel (xlsxwriter);
  pandas    L3 with pd.read_excel(engine="openpyxl"), E2 with to_excel (openpyxl).
L3 is RUNS timed loads after one warm-up (openpyxl: at most 2, it takes seconds); E2 writes the
first 1,000,000 rows of locaux once (xlsxwriter and openpyxl take minutes there). The JSON has
per row the timings and the answer: for L3 the row count and the sums of population and
superficie of the loaded table; E2's file is summarised by `summary`.

`summary` reads each workbook with python-calamine and prints one JSON line per file: data
rows, the sum of the `id` and `surface` columns and the count of empty `debit` cells — the
check that every engine's export holds the same rows.
"""
import json
import statistics
import sys
import time


def timed(f, runs):
    f()  # warm-up
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t) * 1000)
    return ts


def l3_answer(rows, population, superficie):
    return [int(rows), int(sum(int(x) for x in population)), float(sum(float(x) for x in superficie))]


def run_calamine(communes_xlsx, runs):
    import python_calamine
    out = {}

    def load():
        out["rows"] = python_calamine.CalamineWorkbook.from_path(communes_xlsx).get_sheet_by_index(0).to_python()

    ts = timed(load, runs)
    rows = out["rows"]
    hdr = [str(x) for x in rows[0]]
    body = rows[1:]
    p, s = hdr.index("population"), hdr.index("superficie")
    return {"version": f"python-calamine {getattr(python_calamine, '__version__', '?')}",
            "L3": ts, "L3_answer": l3_answer(len(body), [r[p] for r in body], [r[s] for r in body])}


def run_polars(communes_xlsx, locaux_csv, runs, export_path):
    import polars as pl
    res = {"version": f"polars {pl.__version__}"}
    try:
        import fastexcel  # noqa: F401  (what pl.read_excel reads with)
        out = {}

        def load():
            out["df"] = pl.read_excel(communes_xlsx)

        res["L3"] = timed(load, runs)
        df = out["df"]
        res["L3_answer"] = l3_answer(df.height, df["population"].to_list(), df["superficie"].to_list())
    except ImportError:
        res["skipped_L3"] = "fastexcel not importable"
    try:
        import xlsxwriter  # noqa: F401
        df = pl.read_csv(locaux_csv, schema_overrides={"commune": pl.Utf8, "dep": pl.Utf8}).head(1_000_000)
        t = time.perf_counter()
        df.write_excel(export_path, autofit=False)
        res["E2"] = [(time.perf_counter() - t) * 1000]
        res["E2_path"] = export_path
    except ImportError:
        res["skipped_E2"] = "xlsxwriter not importable"
    return res


def run_pandas(communes_xlsx, locaux_csv, runs, export_path):
    import pandas as pd
    res = {"version": f"pandas {pd.__version__}"}
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        res["skipped_L3"] = res["skipped_E2"] = "openpyxl not importable"
        return res
    out = {}

    def load():
        out["df"] = pd.read_excel(communes_xlsx, engine="openpyxl")

    res["L3"] = timed(load, min(runs, 2))
    df = out["df"]
    res["L3_answer"] = l3_answer(len(df), df["population"].tolist(), df["superficie"].tolist())
    loc = pd.read_csv(locaux_csv, dtype={"commune": str, "dep": str}, nrows=1_000_000)
    t = time.perf_counter()
    loc.to_excel(export_path, index=False, engine="openpyxl")
    res["E2"] = [(time.perf_counter() - t) * 1000]
    res["E2_path"] = export_path
    return res


def summary(path):
    """Data rows, sum(id), sum(surface), empty debit cells of an exported locaux workbook."""
    import python_calamine
    rows = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    hdr = [str(x) for x in rows[0]]
    body = rows[1:]
    i, s, d = hdr.index("id"), hdr.index("surface"), hdr.index("debit")
    return {"path": path, "rows": len(body), "id": int(sum(int(r[i]) for r in body)),
            "surface": float(sum(float(r[s]) for r in body)),
            "debit_empty": sum(1 for r in body if r[d] in ("", None))}


def main():
    mode = sys.argv[1]
    if mode == "prepare":
        import polars as pl
        src, dst = sys.argv[2:4]
        pl.read_csv(src, schema_overrides={"commune": pl.Utf8, "dep": pl.Utf8}).write_excel(dst, autofit=False)
        return
    if mode == "summary":
        for p in sys.argv[2:]:
            print(json.dumps(summary(p)))
        return
    communes_xlsx, locaux_csv, runs, export_path, out = sys.argv[2:7]
    runs = int(runs)
    if mode == "calamine":
        res = run_calamine(communes_xlsx, runs)
    elif mode == "polars":
        res = run_polars(communes_xlsx, locaux_csv, runs, export_path)
    elif mode == "pandas":
        res = run_pandas(communes_xlsx, locaux_csv, runs, export_path)
    else:
        raise SystemExit(f"unknown xlsx peer {mode}")
    res["engine"] = mode
    for k in ("L3", "E2"):
        if k in res:
            res[k + "_median"] = statistics.median(res[k])
    with open(out, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
