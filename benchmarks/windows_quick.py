#!/usr/bin/env python3
"""Q9-Q11 of BENCHMARKS.md (windows), terrain against DuckDB and Polars on one generated
locaux file: a quick side-by-side until the harness runs them. Medians of 7 timed runs after
one warm-up; answers printed for a visual check.

    python3 benchmarks/windows_quick.py TERRAIN_BIN LOCAUX_CSV   # with duckdb and polars importable
"""
import os, re, statistics, subprocess, sys, tempfile, time

terrain, path = sys.argv[1], sys.argv[2]
TQ = {
    "Q9": 'from locaux | derive r = rank() by dep sort conso_kwh desc | where r <= 3 | aggregate n = count(), s = sum(conso_kwh)',
    "Q10": 'from locaux | derive p = share(conso_kwh) by commune | where p > 0.01 | aggregate n = count()',
    "Q11": 'from locaux | where dep == "69" | derive c = cumsum(surface), prev = lag(surface) by commune sort annee, id | aggregate m = max(c), d = sum(surface - prev)',
}
SQL = {
    "Q9": "SELECT count(*), sum(conso_kwh) FROM (SELECT conso_kwh, rank() OVER (PARTITION BY dep ORDER BY conso_kwh DESC) r FROM locaux) WHERE r <= 3",
    "Q10": "SELECT count(*) FROM (SELECT conso_kwh / sum(conso_kwh) OVER (PARTITION BY commune) p FROM locaux) WHERE p > 0.01",
    "Q11": "SELECT max(c), sum(surface - prev) FROM (SELECT surface, sum(surface) OVER w c, lag(surface) OVER w prev FROM locaux WHERE dep = '69' WINDOW w AS (PARTITION BY commune ORDER BY annee, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))",
}
RUNS = 7

def terrain_times():
    lines = [f'load "{path}" as locaux with (types = (commune: text, dep: text))', ".mode csv"]
    lines += list(TQ.values()) + [".timer on"]
    for k, q in TQ.items():
        lines += [f"let {k.lower()}_{i} = {q}" for i in range(RUNS + 1)]
    with tempfile.NamedTemporaryFile("w", suffix=".tq", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    p = subprocess.run([terrain, f.name], capture_output=True, text=True)
    print(p.stdout.strip())
    ts = [float(x) for x in re.findall(r"time: ([0-9.]+) ms", p.stderr)][1:]
    for i, k in enumerate(TQ):
        print(f"terrain   {k:4} {statistics.median(ts[i * (RUNS + 1) + 1:(i + 1) * (RUNS + 1)]):8.1f} ms")

def timed(f):
    f()
    ts = []
    for _ in range(RUNS):
        t = time.perf_counter()
        r = f()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts), r

def duckdb_times(threads):
    import duckdb
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(f"CREATE TABLE locaux AS SELECT * FROM read_csv('{path}', types={{'commune':'VARCHAR','dep':'VARCHAR'}})")
    for k, q in SQL.items():
        ms, r = timed(lambda: con.execute(q).fetchall())
        print(f"duckdb {threads}t {k:4} {ms:8.1f} ms  {r}")

def polars_times():
    import polars as pl
    df = pl.read_csv(path, schema_overrides={"commune": pl.Utf8, "dep": pl.Utf8})
    qs = {
        "Q9": lambda: df.lazy().with_columns(r=pl.col("conso_kwh").rank("min", descending=True).over("dep"))
            .filter(pl.col("r") <= 3).select(pl.len(), pl.col("conso_kwh").sum()).collect().rows(),
        "Q10": lambda: df.lazy().with_columns(p=pl.col("conso_kwh") / pl.col("conso_kwh").sum().over("commune"))
            .filter(pl.col("p") > 0.01).select(pl.len()).collect().rows(),
        "Q11": lambda: df.lazy().filter(pl.col("dep") == "69").sort(["commune", "annee", "id"])
            .with_columns(c=pl.col("surface").cum_sum().over("commune"), prev=pl.col("surface").shift(1).over("commune"))
            .select(pl.col("c").max(), (pl.col("surface") - pl.col("prev")).sum()).collect().rows(),
    }
    for k, f in qs.items():
        ms, r = timed(f)
        print(f"polars {os.environ.get('POLARS_MAX_THREADS', '?')}t {k:4} {ms:8.1f} ms  {r}")

if len(sys.argv) > 3:
    {"duckdb1": lambda: duckdb_times(1), "duckdb2": lambda: duckdb_times(2), "polars": polars_times}[sys.argv[3]]()
else:
    terrain_times()
    for peer in ["duckdb1", "duckdb2", "polars"]:
        env = dict(os.environ, POLARS_MAX_THREADS="2")
        subprocess.run([sys.executable, __file__, terrain, path, peer], env=env)
