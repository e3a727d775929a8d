#!/usr/bin/env python3
"""Writes TerrainEngineTests/Golden/58_windows.test: each terrain window query with its expected rows computed by
DuckDB on data/w.csv (never by terrain). Run with a Python that has `duckdb`:

    python3 -m venv /tmp/v && /tmp/v/bin/pip install duckdb && /tmp/v/bin/python windows.py

Terrain's window order is `sort`'s: nulls last in both directions, ties in input order; the SQL
spells this out as `NULLS LAST` and a final `id` (the input order of w.csv).
"""
import math
import os
import duckdb

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "TerrainEngineTests", "Golden")
con = duckdb.connect()
con.execute(f"""create table w as select * from read_csv('{HERE}/data/w.csv', header = true,
  columns = {{'id': 'BIGINT', 'g': 'VARCHAR', 'k': 'BIGINT', 'x': 'BIGINT', 'v': 'DOUBLE', 's': 'VARCHAR'}})""")

def w(part, order, frame=""):
    p = f"partition by {part} " if part else ""
    return f"over ({p}order by {order}{frame})"

ALL = " rows between unbounded preceding and unbounded following"
RUN = " rows between unbounded preceding and current row"

# (comment, terrain query, SQL select list after `id`, extra SQL clause)
CASES = [
    ("row_number, rank, dense_rank, percent_rank by g on k with ties and nulls (nulls last)",
     "from w | derive n = row_number(), r = rank(), dr = dense_rank(), pr = percent_rank() by g sort k | select id, g, k, n, r, dr, pr",
     f"g, k, row_number() {w('g', 'k nulls last, id')}, rank() {w('g', 'k nulls last')}, dense_rank() {w('g', 'k nulls last')}, percent_rank() {w('g', 'k nulls last')}"),
    ("the same descending: nulls still last",
     "from w | derive n = row_number(), r = rank(), dr = dense_rank() by g sort k desc | select id, g, k, n, r, dr",
     f"g, k, row_number() {w('g', 'k desc nulls last, id')}, rank() {w('g', 'k desc nulls last')}, dense_rank() {w('g', 'k desc nulls last')}"),
    ("two sort keys, one of them text",
     "from w | derive r = rank() by g sort k, s desc | select id, r",
     f"rank() {w('g', 'k nulls last, s desc nulls last')}"),
    ("without by: the whole table is one group",
     "from w | derive n = row_number(), r = rank() sort v desc | select id, v, n, r",
     f"v, row_number() {w('', 'v desc nulls last, id')}, rank() {w('', 'v desc nulls last')}"),
    ("ntile: earlier buckets larger, more buckets than rows",
     "from w | derive q2 = ntile(2), q3 = ntile(3), q9 = ntile(9) by g sort k | select id, q2, q3, q9",
     f"ntile(2) {w('g', 'k nulls last, id')}, ntile(3) {w('g', 'k nulls last, id')}, ntile(9) {w('g', 'k nulls last, id')}"),
    ("lag and lead: offsets, defaults (a constant, a column), nulls in x",
     "from w | derive l1 = lag(x), l2 = lag(x, 2, 0), ld = lead(x, 1, -1), lv = lead(v, 2, v), ls = lag(s) by g sort k | select id, l1, l2, ld, lv, ls",
     f"lag(x) {w('g', 'k nulls last, id')}, lag(x, 2, 0) {w('g', 'k nulls last, id')}, lead(x, 1, -1) {w('g', 'k nulls last, id')}, lead(v, 2, v) {w('g', 'k nulls last, id')}, lag(s) {w('g', 'k nulls last, id')}"),
    ("lag by 0 is the row itself",
     "from w | derive l0 = lag(x, 0) by g sort k | select id, x, l0",
     f"x, lag(x, 0) {w('g', 'k nulls last, id')}"),
    ("first and last of the group in window order (nulls not skipped)",
     "from w | derive f = first(x), l = last(x), fs = first(s), lv = last(v) by g sort k | select id, f, l, fs, lv",
     f"first_value(x) {w('g', 'k nulls last, id', ALL)}, last_value(x) {w('g', 'k nulls last, id', ALL)}, first_value(s) {w('g', 'k nulls last, id', ALL)}, last_value(v) {w('g', 'k nulls last, id', ALL)}"),
    ("cumsum, cummin, cummax: row by row (ties one at a time), nulls skipped",
     "from w | derive c = cumsum(x), cv = cumsum(v), lo = cummin(x), hi = cummax(v), ts = cummin(s) by g sort k | select id, c, cv, lo, hi, ts",
     f"sum(x) {w('g', 'k nulls last, id', RUN)}, sum(v) {w('g', 'k nulls last, id', RUN)}, min(x) {w('g', 'k nulls last, id', RUN)}, max(v) {w('g', 'k nulls last, id', RUN)}, min(s) {w('g', 'k nulls last, id', RUN)}"),
    ("rolling sums and means over 2 and 3 rows: frames cut at each group's start, nulls skipped",
     "from w | derive s2 = rolling_sum(x, 2), s3 = rolling_sum(v, 3), a3 = rolling_avg(x, 3), a1 = rolling_avg(v, 1) by g sort k | select id, s2, s3, a3, a1",
     f"sum(x) {w('g', 'k nulls last, id', ' rows between 1 preceding and current row')}, sum(v) {w('g', 'k nulls last, id', ' rows between 2 preceding and current row')}, avg(x) {w('g', 'k nulls last, id', ' rows between 2 preceding and current row')}, avg(v) {w('g', 'k nulls last, id', ' rows between current row and current row')}"),
    ("aggregates over the group, repeated on each row; share(x) = x / sum(x) of the group",
     "from w | derive n = count(), nx = count(x), t = sum(x), m = avg(v), lo = min(s), p = share(v) by g | select id, n, nx, t, m, lo, p",
     "count(*) over (partition by g), count(x) over (partition by g), sum(x) over (partition by g), avg(v) over (partition by g), min(s) over (partition by g), v / sum(v) over (partition by g)"),
    ("aggregates without by: over the whole table; they ignore the window's sort",
     "from w | derive t = sum(x), r = row_number(), p = x / sum(x) sort k | select id, t, r, p",
     f"sum(x) over (), row_number() {w('', 'k nulls last, id')}, x / sum(x) over ()"),
    ("items of one derive: a window result used by a later item, and a derived column as argument",
     "from w | derive y = x * 2, c = cumsum(y), r = rank(), top = r <= 2 by g sort k | select id, c, r, top",
     f"sum(x * 2) {w('g', 'k nulls last, id', RUN)}, rank() {w('g', 'k nulls last')}, rank() {w('g', 'k nulls last')} <= 2"),
    ("a window then a filter: the two largest k of each group",
     "from w | derive r = rank() by g sort k desc | where r <= 2 | select id, g, k, r",
     None),
    ("an empty input: no rows, the columns still there",
     "from w | where id > 100 | derive r = rank(), t = sum(x) by g sort k | select id, r, t",
     None),
]

def fmt(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return ""  # terrain: x / 0 is null
        return repr(v)
    return str(v)

out = ["# Windows (SPEC §3.1): expected rows computed by DuckDB from data/w.csv with",
       "# Tests/GoldenGenerators/windows.py (regenerate there, never from terrain's output).", "",
       "statement ok", 'load "data/w.csv"', "----", "loaded 16 rows into w", ""]
for comment, query, sql in CASES:
    names = [p.split("=")[0].strip() for p in query.split("| select ")[1].split(",")]
    if sql is None:
        if "where r <= 2" in query:
            sql_full = f"select id, g, k, r from (select *, rank() {w('g', 'k desc nulls last')} r from w) where r <= 2 order by id"
        else:
            sql_full = f"select id, rank() {w('g', 'k nulls last')} r, sum(x) over (partition by g) t from w where id > 100 order by id"
    else:
        sql_full = f"select id, {sql} from w order by id"
    rows = con.execute(sql_full).fetchall()
    out += [f"# {comment}", "query", query, "----", ",".join(names)]
    out += [",".join(fmt(v) for v in r) for r in rows]
    out.append("")
open(os.path.join(HERE, "58_windows.test"), "w").write("\n".join(out))
print("wrote 58_windows.test")
