#!/usr/bin/env python3
"""Quick Q13 check (BENCHMARKS.md): terrain vs DuckDB on locaux_N.csv from gen.py, same answer.

    python3 benchmarks/q13_quick.py TERRAIN_BINARY DATA/locaux_1000000.csv

Prints the count from both and the best / median of several runs (the table is loaded once,
outside the timing; terrain's times come from `.timer on`). Needs `duckdb` (pip).
"""
import re, subprocess, sys, tempfile, time
import duckdb

binary, path = sys.argv[1], sys.argv[2]
RUNS = 9
query = 'from locaux | where classe like "F%" or commune like "69%" | aggregate n = count()'
with tempfile.NamedTemporaryFile("w", suffix=".tq", delete=False) as f:
    f.write(f'load "{path}" as locaux\n.timer on\n' + (query + "\n") * RUNS)
out = subprocess.run([binary, "--mode", "csv", f.name], capture_output=True, text=True)
times = sorted(float(t) for t in re.findall(r"time: ([0-9.]+) ms", out.stderr)[1:])
counts = set(l for l in out.stdout.split() if l.isdigit())
print("terrain", counts, "best %.1f ms, median %.1f ms" % (times[0], times[len(times) // 2]))

con = duckdb.connect()
con.execute("set threads = 2")
con.execute(f"create table locaux as select * from read_csv('{path}', types = {{'commune': 'VARCHAR', 'dep': 'VARCHAR', 'classe': 'VARCHAR'}})")
sql = "SELECT count(*) FROM locaux WHERE classe LIKE 'F%' OR commune LIKE '69%'"
ts = []
for _ in range(RUNS):
    t = time.perf_counter()
    r = con.execute(sql).fetchall()
    ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print("duckdb ", r[0][0], "best %.1f ms, median %.1f ms" % (ts[0], ts[len(ts) // 2]))
