# Recomputes the query blocks of Tests/TerrainEngineTests/Golden/58_case_like.test and 59_regex_text.test
# with DuckDB: python benchmarks/golden_patterns_duckdb.py 58|59 (path of pat.csv below).
# Computes the expected blocks of Golden/58_case_like.test and 59_regex_text.test with DuckDB.
import duckdb, csv, sys
con = duckdb.connect()
con.execute("create table pat as select * from read_csv('Tests/TerrainEngineTests/Golden/data/pat.csv', all_varchar=true, header=true)")
con.execute("create table pat2 as select cast(id as int) id, s, p from pat")
def fmt(v):
    if v is None: return ""
    if v == "": return "\"\""
    if v is True: return "true"
    if v is False: return "false"
    if isinstance(v, float):
        r = repr(v)
        return r
    s = str(v)
    if any(c in s for c in ',"\n\r') : s = '"' + s.replace('"','""') + '"'
    return s
def q(terrain, sql, header):
    rows = con.execute(sql).fetchall()
    out = ["query", terrain, "----", ",".join(header)] + [",".join(fmt(v) for v in r) for r in rows]
    return "\n".join(out) + "\n"
recs = []
which = sys.argv[1]
if which == "58":
    recs.append(q('from pat | select id, a = s like "S%", b = s ilike "s%", c = s like "_", d = s not like "%-%", e = s like p, f = s ilike "%É%", g = s like "%%", h = s like "a_c"',
      "select id, s like 'S%', s ilike 's%', s like '_', s not like '%-%', s like p, s ilike '%É%', s like '%%', s like 'a_c' from pat2 order by id",
      ["id","a","b","c","d","e","f","g","h"]))
    recs.append(q('from pat | where s like "%-%" or s ilike "é%" or s like "__" | select id',
      "select id from pat2 where s like '%-%' or s ilike 'é%' or s like '__' order by id", ["id"]))
    recs.append(q('from pat | where s not like "%a%" and s not ilike "%É%" | select id',
      "select id from pat2 where s not like '%a%' and s not ilike '%É%' order by id", ["id"]))
    recs.append(q('from pat | where id == 1 | select a = "" like "", b = "" like "%", c = "x" like "", d = "%" like "%%", e = "a\\\\b" like "a\\\\b", f = null like "%", g = "abc" like null',
      "select '' like '', '' like '%', 'x' like '', '%' like '%%', 'a\\b' like 'a\\b', null like '%', 'abc' like null", ["a","b","c","d","e","f","g"]))
    recs.append(q('from pat | select id, k = case when s like "S%" then "S" when s is null then "none" when id > 8 then "late" else "other" end, n = case when id < 3 then id when id < 6 then id * 1.5 end, m = case when s == "é" then 1 when s like "%" then 2 end',
      "select id, case when s like 'S%' then 'S' when s is null then 'none' when id > 8 then 'late' else 'other' end, case when id < 3 then id when id < 6 then id * 1.5 end, case when s = 'é' then 1 when s like '%' then 2 end from pat2 order by id",
      ["id","k","n","m"]))
    recs.append(q('from pat | aggregate n = count(), k = sum(case when s like "%-%" then 1 else 0 end)',
      "select count(*), sum(case when s like '%-%' then 1 else 0 end) from pat2", ["n","k"]))
else:
    recs.append(q('from pat | select id, m = matches(s, "^[A-Z]"), r = regexp_replace(s, "([aeiou])", "<$1>"), e1 = regexp_extract(s, "-([^-]+)$", 1), e0 = regexp_extract(s, "[0-9]+"), w = regexp_extract(s, "(.)(.)$", 2)',
      "select id, regexp_matches(s, '^[A-Z]'), regexp_replace(s, '([aeiou])', '<\\1>', 'g'), nullif(regexp_extract(s, '-([^-]+)$', 1), ''), nullif(regexp_extract(s, '[0-9]+'), ''), nullif(regexp_extract(s, '(.)(.)$', 2), '') from pat2 order by id",
      ["id","m","r","e1","e0","w"]))
    recs.append(q('from pat | where matches(s, "[0-9]") or matches(s, "^.$") | select id',
      "select id from pat2 where regexp_matches(s, '[0-9]') or regexp_matches(s, '^.$') order by id", ["id"]))
    recs.append(q('from pat | select id, l = left(s, 2), ln = left(s, -2), r = right(s, 3), rn = right(s, -1), p = lpad(s, 6, "*-"), p0 = lpad(s, 0, "0")',
      "select id, left(s, 2), left(s, -2), right(s, 3), right(s, -1), lpad(s, 6, '*-'), lpad(s, 0, '0') from pat2 order by id",
      ["id","l","ln","r","rn","p","p0"]))
    recs.append(q('from pat | select id, a = split_part(s, "-", 1), b = split_part(s, "-", 2), c = split_part(s, "-", -1), d = split_part(s, "-", 0), e = split_part(s, "-", 9), f = split_part(s, "", 2), g = split_part(s, "-", -9)',
      "select id, split_part(s, '-', 1), split_part(s, '-', 2), split_part(s, '-', -1), split_part(s, '-', 0), split_part(s, '-', 9), split_part(s, '', 2), split_part(s, '-', -9) from pat2 order by id",
      ["id","a","b","c","d","e","f","g"]))
    recs.append(q('from pat | where id == 1 | select a = left("abc", 9223372036854775807), b = right("abc", -9223372036854775807), c = lpad("5", 3, "0"), d = lpad("12345", 3, "0"), e = split_part("a,,b", ",", 2), f = left(null, 1), g = lpad("é", 3, "xy")',
      "select left('abc', 4294967295), right('abc', -4294967295), lpad('5', 3, '0'), lpad('12345', 3, '0'), split_part('a,,b', ',', 2), left(NULL, 1), lpad('é', 3, 'xy')",
      ["a","b","c","d","e","f","g"]))
print("\n".join(recs))
