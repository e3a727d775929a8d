"""Writes Tests/TerrainEngineTests/Golden/70_reshape.test: each query's expected block is
computed here with DuckDB and pandas on the same CSV files, never from terrain's output.
Run: python3 Tests/reference/reshape_golden.py (needs `pip install duckdb pandas`).
Error records are written with an empty block and filled by TERRAIN_UPDATE_GOLDEN=1, then
read by a person (an error's rendering is terrain's own)."""
import math, os
import duckdb, pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
golden = os.path.join(here, "..", "TerrainEngineTests", "Golden")
data = os.path.join(golden, "data")
con = duckdb.connect()
for t in ["rs", "rs2", "rs3"]:
    con.execute(f"create table {t} as select * from read_csv('{data}/{t}.csv', header=true)")
rs = pd.read_csv(f"{data}/rs.csv", dtype={"g": "string", "k": "string", "s": "string"}, keep_default_na=False, na_values=[""])

def cell(v):
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    s = str(v)
    if s == "":
        return '""'
    if any(c in s for c in ',"\n'):
        return '"' + s.replace('"', '""') + '"'
    return s

def block(cols, rows):
    return "\n".join([",".join(cols)] + [",".join(cell(v) for v in r) for r in rows])

def sql(q):
    r = con.execute(q)
    return [d[0] for d in r.description], r.fetchall()

records = []
def query(tq, cols_rows, comment=None):
    cols, rows = cols_rows
    records.append(("# " + comment + "\n" if comment else "") + "query\n" + tq + "\n----\n" + block(cols, rows))
def error(tq, comment):
    records.append("# " + comment + "\nstatement error\n" + tq + "\n----\n")

# ---- take N by ----
# Rows numbered by file order (id), as terrain's stable sort keeps input order among ties.
query("from rs | sort v desc | take 2 by g | select id, g, v",
  sql("select id, g, v from (select *, row_number() over (partition by g order by v desc nulls last, id) rn from rs) "
      "where rn <= 2 order by v desc nulls last, id"),
  "take N by after sort: the top N of each group (a null group is a group), in the sort's order")
query("from rs | sort f | take 3 by g | select id, g, f",
  sql("select id, g, f from (select *, row_number() over (partition by g order by f nulls last, id) rn from rs) "
      "where rn <= 3 order by f nulls last, id"),
  "most rows kept: the full-sort path gives the same rows")
query("from rs | take 1 by g, k | select id, g, k",
  sql("select id, g, k from (select *, row_number() over (partition by g, k order by id) rn from rs) where rn = 1 order by id"),
  "without sort: the first rows of each group in the current order, rows keep their order")
query("from rs | sort id desc | take 1 by substr(s, 1, 1) | select id, s",
  sql("select id, s from (select *, row_number() over (partition by substr(s, 1, 1) order by id desc) rn from rs) where rn = 1 order by id desc"),
  "a group key may be an expression")
query("from rs | take 0 by g | select id", (["id"], []), "take 0 by: no row")
query("from rs | where id > 100 | sort v | take 2 by g | select id", (["id"], []), "empty input")
query("from rs | where id == 3 | sort v | take 2 by g | select id, v", sql("select id, v from rs where id = 3"), "one row")

# ---- append ----
query("from rs | select id, g, v | append rs2",
  sql("select id::double id, g, v, extra from ((select id, g, v from rs) union all by name (select * from rs2))"),
  "columns by name in the first's order, then the new ones; int with float gives float; absent columns null")
query("from rs2 | append rs2 | select id, extra",
  sql("select id, extra from (select * from rs2 union all select * from rs2)"), "a table appended to itself")
query("from rs | where id > 100 | select id, g | append rs2",
  sql("select id::double id, g, extra, v from ((select id, g from rs where id > 100) union all by name (select * from rs2))"),
  "empty first side")
query("from rs | select id | append rs3 | select id",
  sql("select id from rs union all select id from rs3"), "append of a one-row table")
error("from rs | append rs3", "a type clash (g: text vs int) is an error at the table's name")
error("from rs | append nope", "an unknown table")

# ---- unpivot ----
def melt(df, keep, cols, name, value, to_float=False):
    m = df[keep + cols].copy()
    if to_float:
        for c in cols: m[c] = m[c].astype("float64")
    long = m.melt(id_vars=keep, value_vars=cols, var_name=name, value_name=value)
    long["_col"] = long[name].map({c: i for i, c in enumerate(cols)})
    long["_row"] = list(range(len(m))) * len(cols)
    long = long.sort_values(["_row", "_col"], kind="stable")
    rows = []
    for _, r in long.iterrows():
        vals = [r[c] for c in keep] + [r[name], r[value]]
        rows.append([None if (isinstance(x, float) and math.isnan(x)) or x is pd.NA else
                     (int(x) if isinstance(x, float) and not to_float and float(x).is_integer() and c in (cols + [value]) and m[cols[0]].dtype != "float64" else x)
                     for x, c in zip(vals, keep + [name, value])])
    return keep + [name, value], rows

def ints(cols_rows):
    cols, rows = cols_rows
    return cols, [[int(x) if isinstance(x, float) and x.is_integer() else x for x in r] for r in rows]

query("from rs | select id, t_2017, t_2018 | unpivot t_2017, t_2018 into annee, n",
  ints(sql("select id, annee, n from (select id, t_2017, t_2018 from rs) unpivot include nulls (n for annee in (t_2017, t_2018)) order by id, annee")),
  "one row per row and column, in that order, nulls kept")
query("from rs | select id, t_2017, t_2018 | unpivot t_* into annee, n",
  ints(sql("select id, annee, n from (select id, t_2017, t_2018 from rs) unpivot include nulls (n for annee in (t_2017, t_2018)) order by id, annee")),
  "PREFIX* lists the columns starting with it, in table order")
query("from rs | select id, v, f | unpivot v, f into name, value",
  melt(rs, ["id"], ["v", "f"], "name", "value", to_float=True), "int and float give float; listed order kept (v before f)")
query("from rs | where id > 100 | unpivot t_* into a, b | select id, a, b", (["id", "a", "b"], []), "empty input")
error("from rs | unpivot v, s into name, value", "text mixed with numbers: an error naming both")
error("from rs | unpivot v into id, value", "NAME taken by a kept column")

# ---- pivot ----
def piv(sql_agg, by, names_col, aggs, where=""):
    """Expected pivot from DuckDB: aggregate by (by, names), then one column per value (ascending,
    null last) and aggregate, null where a group has no row with the value."""
    by_sql = ", ".join(by)
    grp = (by_sql + ", " if by else "") + names_col
    agg_sql = ", ".join(f"{e} as a{i}" for i, (_, e) in enumerate(aggs))
    a = con.execute(f"select {grp}, {agg_sql} from rs {where} group by {grp}").fetchall()
    values = sorted({r[len(by)] for r in a}, key=lambda v: (v is None, v if v is not None else 0))
    groups = []
    for r in a:
        key = tuple(r[:len(by)])
        if key not in groups: groups.append(key)
    groups.sort(key=lambda k: tuple((x is None, x if x is not None else "") for x in k))
    cols = list(by)
    for v in values:
        for n, _ in aggs:
            label = "null" if v is None else str(v)
            cols.append(label if n is None else f"{label}_{n}")
    rows = []
    for key in groups:
        row = list(key)
        for v in values:
            hit = [r for r in a if tuple(r[:len(by)]) == key and r[len(by)] == v]
            for i in range(len(aggs)):
                row.append(hit[0][len(by) + 1 + i] if hit else None)
        rows.append(row)
    return cols, rows

query("from rs | pivot k using count() by g | sort g", piv("", ["g"], "k", [(None, "count(*)")]),
  "one row per group, one column per value in ascending order, null last; null where a group has none")
query("from rs | pivot k using n = count(), s = sum(v) by g | sort g",
  piv("", ["g"], "k", [("n", "count(*)"), ("s", "sum(v)")]), "several aggregates: VALUE_name, value by value")
query("from rs | pivot g using count()", piv("", [], "g", [(None, "count(*)")]), "without by: one row")
query("from rs | pivot v using m = max(f) by k | sort k", piv("", ["k"], "v", [("m", "max(f)")]),
  "an int column names columns by its text")
query("from rs | where id > 100 | pivot k using count() by g", (["g"], []), "empty input with by: no row, the by columns only")
error("from rs | where id > 100 | pivot k using count()", "empty input without by: no column to make")
error("from communes | pivot nom using count()", "more than 1,000 values")
error("from rs | derive a = \"z\" | pivot g using count() by a", "a value's column (`a`) clashes with a by column: an error")
error("from rs | pivot k using count(), sum(v)", "several aggregates need names")

# ---- split ----
def split(sep, df=rs):
    rows = []
    for _, r in df.iterrows():
        s = r["s"]
        if s is pd.NA or (isinstance(s, float) and math.isnan(s)):
            rows.append([int(r["id"]), None])
        else:
            for part in s.split(sep):
                rows.append([int(r["id"]), part])
    return ["id", "s"], rows
query('from rs | select id, s | split s on "|"', split("|"),
  "one row per part; empty parts kept; a null gives one null row")
query('from rs | select id, s | split s on "||"', split("||"), "a separator of several characters")
query('from rs | select id, s = coalesce(s, "") | where id == 2 | split s on "|"', (["id", "s"], [[2, ""]]),
  "an empty text gives one row with an empty part")
error('from rs | split v on ","', "split of a number")

head = "# take N by, append, unpivot, pivot, split. Expected blocks computed by Tests/reference/reshape_golden.py\n# with DuckDB and pandas (never terrain's own output); the error blocks were read by hand.\ndata bundled\n\n"
load = 'statement ok\nload "data/rs.csv"\nload "data/rs2.csv"\nload "data/rs3.csv"\n----\nloaded 8 rows into rs\nloaded 2 rows into rs2\nloaded 1 row into rs3'
with open(os.path.join(golden, "70_reshape.test"), "w") as f:
    f.write(head + "\n\n".join([load] + records) + "\n")
print("wrote", len(records), "records")
