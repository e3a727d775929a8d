#!/usr/bin/env python3
"""P1's peers (see benchmarks/README.md): pull a PostgreSQL table into memory, timed.

    python peers_pg.py ENGINE CONNINFO TABLE RUNS OUT

ENGINE is one of
- `connectorx`: `cx.read_sql(uri, "SELECT * FROM TABLE", return_type="arrow")`, one connection;
- `connectorx2`: the same with `partition_on="id", partition_num=2` (two connections, two cores);
- `psycopg`: psycopg 3, `COPY (SELECT * FROM TABLE) TO STDOUT (FORMAT binary)` with binary
  loaders (`copy.set_types`), each row's values appended to typed `array.array`s and Python
  lists, then made NumPy arrays (numbers without a copy, text as object arrays of str).

One warm-up, then RUNS timed runs. OUT gets JSON: {"times": [ms…], "answer": {...}}, the answer
being the row count, the sum of each numeric column and the count of distinct values of each
text column (checked against terrain's by the harness).
"""
import array
import json
import sys
import time
import urllib.parse


def conninfo_to_uri(conninfo):
    """A libpq `key=value` string as the URI connectorx wants (a socket folder as the host,
    percent-encoded); a URI is returned as it is."""
    if "://" in conninfo:
        return conninfo
    kv = {}
    for part in conninfo.split():
        k, _, v = part.partition("=")
        kv[k] = v.strip("'")
    host = urllib.parse.quote(kv.get("host", "localhost"), safe="")
    user = urllib.parse.quote(kv.get("user", "postgres"), safe="")
    pw = (":" + urllib.parse.quote(kv["password"], safe="")) if "password" in kv else ""
    port = (":" + kv["port"]) if "port" in kv else ""
    return f"postgresql://{user}{pw}@{host}{port}/{urllib.parse.quote(kv.get('dbname', 'postgres'), safe='')}"


def summary(columns):
    """{"rows": n, "<col>": sum or distinct count} of a dict of NumPy/pyarrow-like columns."""
    import numpy as np
    out = {}
    for name, col in columns.items():
        out["rows"] = len(col)
        if isinstance(col, np.ndarray) and col.dtype != object:
            out[name] = int(col.sum()) if col.dtype.kind == "i" else float(col.sum())
        else:
            out[name] = len(set(col))
    return out


def run_connectorx(uri, table, partitions):
    import connectorx as cx
    kw = {"partition_on": "id", "partition_num": partitions} if partitions > 1 else {}
    t0 = time.perf_counter()
    tbl = cx.read_sql(uri, f"SELECT * FROM {table}", return_type="arrow", **kw)
    ms = (time.perf_counter() - t0) * 1000
    return ms, tbl


def arrow_summary(tbl):
    import pyarrow.compute as pc
    out = {"rows": tbl.num_rows}
    for name in tbl.column_names:
        col = tbl.column(name)
        if str(col.type) in ("string", "large_string", "string_view"):
            out[name] = pc.count_distinct(col).as_py()
        else:
            v = pc.sum(col).as_py()
            out[name] = v
    return out


# binary loaders for the types the table has (psycopg's names)
PG_TYPES = {20: "int8", 23: "int4", 21: "int2", 701: "float8", 700: "float4", 25: "text", 1043: "varchar"}
ARRAY_CODE = {"int8": "q", "int4": "q", "int2": "q", "float8": "d", "float4": "d"}


def run_psycopg(conn, table):
    """COPY binary into typed arrays: the fastest plain-Python way we found (see the module
    docstring); returns (ms, {name: numpy array})."""
    import numpy as np
    t0 = time.perf_counter()
    with conn.cursor(binary=True) as cur:
        cur.execute(f"SELECT * FROM {table} LIMIT 0")
        names = [d.name for d in cur.description]
        types = [PG_TYPES[d.type_code] for d in cur.description]
        sinks = [array.array(ARRAY_CODE[t]) if t in ARRAY_CODE else [] for t in types]
        appends = [s.append for s in sinks]
        with cur.copy(f"COPY (SELECT * FROM {table}) TO STDOUT (FORMAT binary)") as copy:
            copy.set_types(types)
            if len(appends) == 6:  # unrolled: the common case of P1's table
                a0, a1, a2, a3, a4, a5 = appends
                for r in copy.rows():
                    a0(r[0]); a1(r[1]); a2(r[2]); a3(r[3]); a4(r[4]); a5(r[5])
            else:
                for r in copy.rows():
                    for a, v in zip(appends, r):
                        a(v)
    cols = {}
    for n, t, s in zip(names, types, sinks):
        if t in ARRAY_CODE:
            cols[n] = np.frombuffer(s, dtype=np.int64 if ARRAY_CODE[t] == "q" else np.float64)
        else:
            cols[n] = np.array(s, dtype=object)
    ms = (time.perf_counter() - t0) * 1000
    return ms, cols


def main():
    engine, conninfo, table, runs, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    times, answer = [], None
    if engine.startswith("connectorx"):
        uri = conninfo_to_uri(conninfo)
        parts = 2 if engine == "connectorx2" else 1
        for i in range(runs + 1):
            ms, tbl = run_connectorx(uri, table, parts)
            if i == 0:
                answer = arrow_summary(tbl)
            else:
                times.append(ms)
            del tbl
    elif engine == "psycopg":
        import psycopg
        with psycopg.connect(conninfo) as conn:
            for i in range(runs + 1):
                ms, cols = run_psycopg(conn, table)
                if i == 0:
                    answer = summary(cols)
                else:
                    times.append(ms)
                del cols
    else:
        raise SystemExit(f"unknown engine {engine}")
    with open(out, "w") as f:
        json.dump({"times": times, "answer": answer}, f)


if __name__ == "__main__":
    main()
