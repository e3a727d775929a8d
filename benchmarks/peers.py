#!/usr/bin/env python3
"""One peer engine in its own process: load, warm-up + timed runs of the queries, E1 export.

    python peers.py ENGINE LOCAUX_CSV COMMUNES_CSV RUNS EXPORT_PATH OUT_JSON [Q1,Q2,…]

ENGINE is duckdb1, duckdb2, polars1, polars2, pandas or sqlite. Polars reads
POLARS_MAX_THREADS at import, so the harness sets it in this process's environment.
Results are written as JSON: versions, load_ms, rss_after_load_mib (VmHWM right after the
load), per-query lists of timings in ms, export timings, and each query's result rows.
"""
import json
import os
import sys
import time

QUERIES = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q11", "Q12", "Q13"]
CLASSES = ["A", "B", "C", "D", "E", "F", "G"]

SQL = {
    "Q1": "SELECT count(*) AS n FROM locaux WHERE ftth = 1 AND debit > 500 AND annee >= 1990",
    "Q2": "SELECT sum(conso_kwh / surface) AS s, avg(surface * 1.1 + 2) AS m FROM locaux WHERE type = 'habitation'",
    "Q3": "SELECT dep, count(*) AS n, avg(debit) AS d, sum(conso_kwh) AS c FROM locaux GROUP BY dep",
    "Q4": "SELECT commune, count(*) AS n, sum(ftth) AS f, max(surface) AS s FROM locaux GROUP BY commune",
    "Q5": "SELECT epci, count(*) AS n, avg(debit) AS d FROM locaux JOIN communes USING (commune) GROUP BY epci",
    "Q6": "SELECT id, commune, conso_kwh FROM locaux ORDER BY conso_kwh DESC LIMIT 10",
    "Q7": "SELECT count(*) AS n FROM locaux WHERE (surface * 2 + conso_kwh / 100 > 500 OR classe IN ('F', 'G')) AND NOT (type = 'mixte')",
    "Q8": "SELECT commune, conso_kwh / surface AS intensite FROM locaux WHERE annee < 1950 ORDER BY intensite DESC LIMIT 100",
    "Q9": "SELECT count(*) AS n, sum(conso_kwh) AS s FROM (SELECT conso_kwh, rank() OVER (PARTITION BY dep ORDER BY conso_kwh DESC) AS r FROM locaux) WHERE r <= 3",
    "Q10": "SELECT count(*) AS n FROM (SELECT conso_kwh / sum(conso_kwh) OVER (PARTITION BY commune) AS p FROM locaux) WHERE p > 0.01",
    "Q11": "SELECT max(c) AS m, sum(surface - prev) AS d FROM (SELECT surface, sum(surface) OVER w AS c, lag(surface) OVER w AS prev"
           " FROM locaux WHERE dep = '69' WINDOW w AS (PARTITION BY commune ORDER BY annee, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))",
    "Q12": "PIVOT (SELECT dep, classe FROM locaux) ON classe IN ('A', 'B', 'C', 'D', 'E', 'F', 'G') USING count(*) GROUP BY dep ORDER BY dep",
    "Q13": "SELECT count(*) AS n FROM locaux WHERE classe LIKE 'F%' OR commune LIKE '69%'",
}
# SQLite: no PIVOT, and LIKE ignores ASCII case (GLOB does not)
SQLITE_SQL = dict(SQL, **{
    "Q12": "SELECT dep, " + ", ".join(f"nullif(sum(classe = '{c}'), 0) AS {c}" for c in CLASSES)
           + " FROM locaux GROUP BY dep ORDER BY dep",
    "Q13": "SELECT count(*) AS n FROM locaux WHERE classe GLOB 'F*' OR commune GLOB '69*'",
})


def vmhwm_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return None


def norm(v):
    """Plain Python scalars for JSON (NaN/None -> None)."""
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    return v


# ------------------------------------------------------------------ engines
class DuckDB:
    def __init__(self, threads):
        import duckdb
        self.mod = duckdb
        self.con = duckdb.connect(":memory:")
        self.con.execute(f"SET threads = {threads}")
        self.version = f"duckdb {duckdb.__version__}"

    def load(self, locaux, communes):
        types = "{'commune': 'VARCHAR', 'dep': 'VARCHAR'}"
        self.con.execute(f"CREATE TABLE locaux AS SELECT * FROM read_csv('{locaux}', header = true, types = {types})")
        self.con.execute(f"CREATE TABLE communes AS SELECT * FROM read_csv('{communes}', header = true, types = {types})")

    def run(self, q):
        return [tuple(norm(x) for x in r) for r in self.con.execute(SQL[q]).fetchall()]

    def export(self, path):
        self.con.execute(f"COPY (SELECT * FROM locaux LIMIT 1000000) TO '{path}' (HEADER, DELIMITER ',')")


class SQLite:
    def __init__(self):
        import sqlite3
        self.con = sqlite3.connect(":memory:")
        self.version = f"sqlite {sqlite3.sqlite_version}"

    def load(self, locaux, communes):
        import csv
        c = self.con
        c.execute("CREATE TABLE locaux (id INTEGER, commune TEXT, dep TEXT, type TEXT, annee INTEGER, surface REAL,"
                  " conso_kwh REAL, ftth INTEGER, debit REAL, classe TEXT)")
        c.execute("CREATE TABLE communes (commune TEXT, nom TEXT, dep TEXT, epci INTEGER, population INTEGER, superficie REAL)")
        with open(locaux, newline="") as f:
            r = csv.reader(f)
            next(r)
            c.executemany("INSERT INTO locaux VALUES (?,?,?,?,?,?,?,?,?,?)",
                          ((int(a), b, d, t, int(y), float(s), float(k), int(h), float(e) if e else None, cl)
                           for a, b, d, t, y, s, k, h, e, cl in r))
        with open(communes, newline="") as f:
            r = csv.reader(f)
            next(r)
            c.executemany("INSERT INTO communes VALUES (?,?,?,?,?,?)",
                          ((a, b, d, int(e), int(p), float(s)) for a, b, d, e, p, s in r))
        c.commit()

    def run(self, q):
        return [tuple(norm(x) for x in r) for r in self.con.execute(SQLITE_SQL[q]).fetchall()]

    def export(self, path):
        import csv
        cur = self.con.execute("SELECT * FROM locaux LIMIT 1000000")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([d[0] for d in cur.description])
            w.writerows(cur)


class Polars:
    def __init__(self):
        import polars as pl
        self.pl = pl
        self.version = f"polars {pl.__version__}"

    def load(self, locaux, communes):
        pl = self.pl
        ov = {"commune": pl.Utf8, "dep": pl.Utf8}
        self.df = pl.read_csv(locaux, schema_overrides=ov)
        self.communes = pl.read_csv(communes, schema_overrides=ov)

    def run(self, q):
        # lazy queries, so that Polars' optimiser pushes projections and predicates down
        # (an eager df.filter would copy every column of the kept rows)
        pl = self.pl
        lf = self.df.lazy()
        c = pl.col
        if q == "Q1":
            r = lf.filter((c("ftth") == 1) & (c("debit") > 500) & (c("annee") >= 1990)).select(pl.len().alias("n"))
        elif q == "Q2":
            r = lf.filter(c("type") == "habitation").select(
                (c("conso_kwh") / c("surface")).sum().alias("s"), (c("surface") * 1.1 + 2).mean().alias("m"))
        elif q == "Q3":
            r = lf.group_by("dep").agg(pl.len().alias("n"), c("debit").mean().alias("d"), c("conso_kwh").sum().alias("c"))
        elif q == "Q4":
            r = lf.group_by("commune").agg(pl.len().alias("n"), c("ftth").sum().alias("f"), c("surface").max().alias("s"))
        elif q == "Q5":
            r = lf.join(self.communes.lazy().select("commune", "epci"), on="commune").group_by("epci").agg(
                pl.len().alias("n"), c("debit").mean().alias("d"))
        elif q == "Q6":
            r = lf.select("id", "commune", "conso_kwh").top_k(10, by="conso_kwh").sort("conso_kwh", descending=True)
        elif q == "Q7":
            r = lf.filter(((c("surface") * 2 + c("conso_kwh") / 100 > 500) | c("classe").is_in(["F", "G"]))
                          & ~(c("type") == "mixte")).select(pl.len().alias("n"))
        elif q == "Q8":
            r = (lf.filter(c("annee") < 1950)
                 .select("commune", (c("conso_kwh") / c("surface")).alias("intensite"))
                 .top_k(100, by="intensite").sort("intensite", descending=True))
        elif q == "Q9":
            r = (lf.select("dep", "conso_kwh")
                 .with_columns(c("conso_kwh").rank("min", descending=True).over("dep").alias("r"))
                 .filter(c("r") <= 3).select(pl.len().alias("n"), c("conso_kwh").sum().alias("s")))
        elif q == "Q10":
            r = (lf.select((c("conso_kwh") / c("conso_kwh").sum().over("commune")).alias("p"))
                 .filter(c("p") > 0.01).select(pl.len().alias("n")))
        elif q == "Q11":
            r = (lf.filter(c("dep") == "69").select("commune", "annee", "id", "surface")
                 .sort(["commune", "annee", "id"])
                 .with_columns(c("surface").cum_sum().over("commune").alias("c"),
                               c("surface").shift(1).over("commune").alias("prev"))
                 .select(c("c").max().alias("m"), (c("surface") - c("prev")).sum().alias("d")))
        elif q == "Q12":
            wide = (lf.group_by("dep", "classe").agg(pl.len().alias("n")).collect()
                    .pivot(on="classe", index="dep", values="n"))
            for k in CLASSES:
                if k not in wide.columns:
                    wide = wide.with_columns(pl.lit(None, dtype=pl.UInt32).alias(k))
            r = wide.lazy().select(["dep"] + CLASSES).sort("dep")
        elif q == "Q13":
            r = lf.filter(c("classe").str.starts_with("F") | c("commune").str.starts_with("69")).select(pl.len().alias("n"))
        r = r.collect()
        return [tuple(norm(x) for x in row) for row in r.iter_rows()]

    def export(self, path):
        self.df.head(1_000_000).write_csv(path)


class Pandas:
    def __init__(self):
        import pandas as pd
        self.pd = pd
        self.version = f"pandas {pd.__version__}"

    def load(self, locaux, communes):
        pd = self.pd
        dt = {"commune": str, "dep": str}
        self.df = pd.read_csv(locaux, dtype=dt, engine="c")
        self.communes = pd.read_csv(communes, dtype=dt)

    def run(self, q):
        pd, df = self.pd, self.df
        if q == "Q1":
            return [(int(((df.ftth == 1) & (df.debit > 500) & (df.annee >= 1990)).sum()),)]
        if q == "Q2":
            s = df.loc[df.type == "habitation", ["conso_kwh", "surface"]]
            return [(norm((s.conso_kwh / s.surface).sum()), norm((s.surface * 1.1 + 2).mean()))]
        if q == "Q3":
            r = df.groupby("dep", sort=False).agg(n=("dep", "size"), d=("debit", "mean"), c=("conso_kwh", "sum"))
        elif q == "Q4":
            r = df.groupby("commune", sort=False).agg(n=("commune", "size"), f=("ftth", "sum"), s=("surface", "max"))
        elif q == "Q5":
            r = df[["commune", "debit"]].merge(self.communes[["commune", "epci"]], on="commune").groupby("epci", sort=False).agg(
                n=("epci", "size"), d=("debit", "mean"))
        elif q == "Q6":
            r = df[["id", "commune", "conso_kwh"]].nlargest(10, "conso_kwh")
            return [tuple(norm(x) for x in row) for row in r.itertuples(index=False)]
        elif q == "Q7":
            m = ((df.surface * 2 + df.conso_kwh / 100 > 500) | df.classe.isin(["F", "G"])) & ~(df.type == "mixte")
            return [(int(m.sum()),)]
        elif q == "Q8":
            s = df.loc[df.annee < 1950, ["commune", "conso_kwh", "surface"]]
            r = pd.DataFrame({"commune": s.commune, "intensite": s.conso_kwh / s.surface}).nlargest(100, "intensite")
            return [tuple(norm(x) for x in row) for row in r.itertuples(index=False)]
        elif q == "Q9":
            rk = df.groupby("dep", sort=False).conso_kwh.rank(method="min", ascending=False)
            kept = df.conso_kwh[rk <= 3]
            return [(int(kept.size), norm(kept.sum()) if kept.size else None)]
        elif q == "Q10":
            p = df.conso_kwh / df.groupby("commune", sort=False).conso_kwh.transform("sum")
            return [(int((p > 0.01).sum()),)]
        elif q == "Q11":
            s = df.loc[df.dep == "69", ["commune", "annee", "id", "surface"]].sort_values(["commune", "annee", "id"])
            g = s.groupby("commune", sort=False).surface
            c, prev = g.cumsum(), g.shift(1)
            d = (s.surface - prev).dropna()
            return [(norm(c.max()), norm(d.sum()) if d.size else None)]
        elif q == "Q12":
            t = pd.crosstab(df.dep, df.classe).reindex(columns=CLASSES).sort_index()
            return [(k,) + tuple(None if (x != x or x == 0) else int(x) for x in row)
                    for k, row in zip(t.index, t.itertuples(index=False))]
        elif q == "Q13":
            return [(int((df.classe.str.startswith("F") | df.commune.str.startswith("69")).sum()),)]
        return [(norm(k),) + tuple(norm(x) for x in row) for k, row in zip(r.index, r.itertuples(index=False))]

    def export(self, path):
        self.df.head(1_000_000).to_csv(path, index=False)


def make(engine):
    if engine.startswith("duckdb"):
        return DuckDB(int(engine[-1]))
    if engine.startswith("polars"):
        return Polars()
    if engine == "pandas":
        return Pandas()
    if engine == "sqlite":
        return SQLite()
    raise SystemExit(f"unknown engine {engine}")


def main():
    engine, locaux, communes, runs, export_path, out = sys.argv[1:7]
    queries = sys.argv[7].split(",") if len(sys.argv) > 7 and sys.argv[7] else QUERIES
    runs = int(runs)
    e = make(engine)
    res = {"engine": engine, "version": e.version, "times": {}, "results": {}, "export_ms": []}
    t = time.perf_counter()
    e.load(locaux, communes)
    res["load_ms"] = (time.perf_counter() - t) * 1000
    res["rss_after_load_mib"] = vmhwm_mib()
    for q in queries:
        res["results"][q] = e.run(q)  # warm-up, result kept for the check
        ts = []
        for _ in range(runs):
            t = time.perf_counter()
            e.run(q)
            ts.append((time.perf_counter() - t) * 1000)
        res["times"][q] = ts
    e.export(export_path)  # warm-up
    for _ in range(runs):
        t = time.perf_counter()
        e.export(export_path)
        res["export_ms"].append((time.perf_counter() - t) * 1000)
    try:
        os.remove(export_path)
    except OSError:
        pass
    with open(out, "w") as f:
        json.dump(res, f)


# ------------------------------------------------------------------ L2 / Q1p (Parquet)
Q1P_WHERE = "ftth = 1 AND debit > 500 AND annee >= 1990"


def parquet_l2(engine, path):
    """L2: the whole file into memory; returns its row count."""
    if engine.startswith("duckdb"):
        con = parquet_l2.con
        con.execute("DROP TABLE IF EXISTS lp")
        con.execute(f"CREATE TABLE lp AS SELECT * FROM read_parquet('{path}')")
        return con.execute("SELECT count(*) FROM lp").fetchone()[0]
    if engine.startswith("polars"):
        import polars as pl
        return pl.read_parquet(path).height
    import pandas as pd
    return len(pd.read_parquet(path))


def parquet_q1p(engine, path):
    """Q1p: Q1 straight on the file (each engine reads only what the query needs)."""
    if engine.startswith("duckdb"):
        return parquet_l2.con.execute(f"SELECT count(*) FROM read_parquet('{path}') WHERE {Q1P_WHERE}").fetchone()[0]
    if engine.startswith("polars"):
        import polars as pl
        return pl.scan_parquet(path).filter(
            (pl.col("ftth") == 1) & (pl.col("debit") > 500) & (pl.col("annee") >= 1990)).select(pl.len()).collect().item()
    import pandas as pd
    d = pd.read_parquet(path, columns=["ftth", "debit", "annee"])
    return int(((d["ftth"] == 1) & (d["debit"] > 500) & (d["annee"] >= 1990)).sum())


def parquet_main(engine, path, runs, out):
    """`peers.py parquet ENGINE FILE RUNS OUT_JSON`: L2 and Q1p, one warm-up then RUNS timed."""
    if engine.startswith("duckdb"):
        import duckdb
        parquet_l2.con = duckdb.connect(":memory:")
        parquet_l2.con.execute(f"SET threads = {int(engine[-1])}")
        version = f"duckdb {duckdb.__version__}"
    elif engine.startswith("polars"):
        import polars as pl
        version = f"polars {pl.__version__}"
    else:
        import pandas as pd
        import pyarrow as pa
        version = f"pandas {pd.__version__} (pyarrow {pa.__version__})"
    res = {"engine": engine, "version": version, "times": {}, "results": {}}
    for key, f in (("L2", parquet_l2), ("Q1p", parquet_q1p)):
        res["results"][key] = norm(f(engine, path))
        ts = []
        for _ in range(runs):
            t = time.perf_counter()
            f(engine, path)
            ts.append((time.perf_counter() - t) * 1000)
        res["times"][key] = ts
    with open(out, "w") as fh:
        json.dump(res, fh)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "parquet":
        parquet_main(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        main()
