"""P1/P2 of the harness (shared/BENCHMARKS.md, second wave): terrain against a local PostgreSQL.

- The server: `$TERRAIN_BENCH_PG` (a libpq connection string) when set; in `--smoke`, else
  `$TERRAIN_TEST_PG` (the throwaway server CI starts for the tests); else a throwaway cluster
  started here with `scripts/pg-test-cluster start` and stopped (and deleted) at the end; else
  P1/P2 are skipped with a visible line saying why.
- The data, in schema `terrain_bench` (dropped and made anew when it does not hold this N):
  `locaux` (all ten columns of locaux_<N>.csv, loaded with psql's `\\copy`), `communes` (Q5),
  and `locaux6`, P1's 6-column table (`id`, `commune`, `type`, `annee`, `surface`,
  `conso_kwh`: two bigint, two text, two double precision), made with CREATE TABLE AS from
  locaux. Integers are `bigint`, decimals `double precision`, text `text` (the types terrain
  reads as int, float, text). Then VACUUM ANALYZE and a scan of each table, so that every
  engine meets the same hot caches.
- P1: terrain `attach … as pg` then `let pulled = from pg.locaux6` (timed with `.timer on`);
  connectorx `read_sql(…, return_type="arrow")` with one connection and with
  `partition_on="id", partition_num=2`; psycopg 3 binary COPY into NumPy (peers_pg.py).
  Checked: row count, the sum of each numeric column, the count of distinct values of each
  text column.
- P2: Q1–Q8 on `pg.locaux` (each checked to be pushed down whole: `.explain` shows one
  statement sent), against the peers' SQL (peers.py) typed into psql with `\\timing`; answers
  compared as the main table's are. Per query, terrain's process then psql's (psql's first in
  every other round), one warm-up then R timed runs each, so that both meet the same machine.

Standard library only, like harness.py.
"""
import contextlib
import csv
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCHEMA = "terrain_bench"
P1_TABLE = "locaux6"
P1_COLUMNS = ["id", "commune", "type", "annee", "surface", "conso_kwh"]
P1_TEXT = {"commune", "type"}
PG_PACKAGES = ["connectorx", "psycopg[binary]"]
P1_PEERS = [("connectorx", "connectorx", ["connectorx", "pyarrow"]),
            ("connectorx 2 partitions", "connectorx2", ["connectorx", "pyarrow"]),
            ("psycopg COPY binary", "psycopg", ["psycopg", "numpy"])]
P2_QUERIES = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8"]
LOCAUX_TYPES = {"id": "bigint", "commune": "text", "dep": "text", "type": "text", "annee": "bigint",
                "surface": "double precision", "conso_kwh": "double precision", "ftth": "bigint",
                "debit": "double precision", "classe": "text"}
COMMUNES_TYPES = {"commune": "text", "nom": "text", "dep": "text", "epci": "bigint", "population": "bigint",
                  "superficie": "double precision"}


# ------------------------------------------------------------------ the server
def find_initdb():
    """initdb on PATH, else Debian's versioned folder (as scripts/pg-test-cluster looks)."""
    found = shutil.which("initdb")
    if found:
        return found
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return cands[-1] if cands else None


@contextlib.contextmanager
def server(smoke, log):
    """Yields (conninfo, None) or (None, why there is none). A cluster started here is stopped
    and deleted on the way out, whatever happens."""
    dsn = os.environ.get("TERRAIN_BENCH_PG")
    if dsn:
        log("P1/P2: the server of $TERRAIN_BENCH_PG")
        yield dsn, None
        return
    if smoke and os.environ.get("TERRAIN_TEST_PG"):
        log("P1/P2: the test server of $TERRAIN_TEST_PG (smoke)")
        yield os.environ["TERRAIN_TEST_PG"], None
        return
    if not shutil.which("psql"):
        yield None, "no psql on PATH (Debian: apt-get install postgresql-client), and no $TERRAIN_BENCH_PG"
        return
    if not find_initdb():
        yield None, "no initdb (Debian: apt-get install postgresql) to start a throwaway server, and no $TERRAIN_BENCH_PG"
        return
    script = os.path.join(ROOT, "scripts", "pg-test-cluster")
    log("P1/P2: starting a throwaway PostgreSQL (scripts/pg-test-cluster start)")
    try:
        r = subprocess.run([script, "start"], capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        yield None, "scripts/pg-test-cluster start timed out"
        return
    env = dict(re.findall(r"^export (\w+)='([^']*)'$", r.stdout, re.M))
    if r.returncode != 0 or "TERRAIN_TEST_PG" not in env:
        if env.get("TERRAIN_TEST_PG_DIR"):
            subprocess.run([script, "stop", env["TERRAIN_TEST_PG_DIR"]], capture_output=True)
        yield None, f"scripts/pg-test-cluster start failed: {(r.stderr.strip().splitlines() or ['?'])[-1]}"
        return
    try:
        yield env["TERRAIN_TEST_PG"], None
    finally:
        log("P1/P2: stopping the throwaway PostgreSQL")
        subprocess.run([script, "stop", env["TERRAIN_TEST_PG_DIR"]], capture_output=True)


def psql(dsn, sql, timeout=3600, csv_out=False):
    """Runs `sql` (a script) with psql; returns (exit status, stdout, stderr)."""
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn] + (["--csv"] if csv_out else [])
    r = subprocess.run(cmd, input=sql, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def header_of(path):
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def load(dsn, locaux, communes, log):
    """Makes schema terrain_bench hold locaux_<N>.csv, communes.csv and locaux6 (see the module
    docstring), unless it already holds them (a comment on locaux names the file, its size and
    time). Returns None, or why it failed."""
    st = os.stat(locaux)
    stamp = f"{os.path.basename(locaux)} {st.st_size} {int(st.st_mtime)}"
    rc, out, _ = psql(dsn, f"select obj_description('{SCHEMA}.locaux'::regclass, 'pg_class');\n", csv_out=True)
    if rc == 0 and stamp in out and P1_TABLE in psql(dsn, f"select to_regclass('{SCHEMA}.{P1_TABLE}');\n", csv_out=True)[1]:
        log(f"P1/P2: schema {SCHEMA} already holds {os.path.basename(locaux)}")
        return None
    cols = header_of(locaux)
    ccols = header_of(communes)
    if set(cols) != set(LOCAUX_TYPES) or set(ccols) != set(COMMUNES_TYPES):
        return f"unexpected columns in {locaux} or {communes}"

    def table(name, header, types):
        return f"create table {SCHEMA}.{name} (" + ", ".join(f'"{c}" {types[c]}' for c in header) + ");"

    def path(p):
        return "'" + os.path.abspath(p).replace("'", "''") + "'"

    sql = "\n".join([
        f"drop schema if exists {SCHEMA} cascade;",
        f"create schema {SCHEMA};",
        table("communes", ccols, COMMUNES_TYPES),
        f"\\copy {SCHEMA}.communes from {path(communes)} with (format csv, header true)",
        table("locaux", cols, LOCAUX_TYPES),
        f"\\copy {SCHEMA}.locaux from {path(locaux)} with (format csv, header true)",
        f"create table {SCHEMA}.{P1_TABLE} as select {', '.join(P1_COLUMNS)} from {SCHEMA}.locaux;",
        f"vacuum analyze {SCHEMA}.communes;",
        f"vacuum analyze {SCHEMA}.locaux;",
        f"vacuum analyze {SCHEMA}.{P1_TABLE};",
        f"comment on table {SCHEMA}.locaux is '{stamp}';",
    ]) + "\n"
    log(f"P1/P2: loading {os.path.basename(locaux)} and communes.csv into schema {SCHEMA} (psql \\copy)")
    rc, _, err = psql(dsn, sql)
    if rc != 0:
        return f"loading the data with psql failed: {(err.strip().splitlines() or ['?'])[-1]}"
    return None


def warm(dsn):
    """One scan of each table (the OS cache and PostgreSQL's buffers hot for every engine)."""
    psql(dsn, "".join(f"select count(*), sum(length(t::text)) from {SCHEMA}.{n} t;\n"
                      for n in ("communes", "locaux", P1_TABLE)))


# ------------------------------------------------------------------ terrain
def terrain_query(q, queries):
    """Qn over the attached tables (`pg.locaux`, `pg.communes`)."""
    return queries[q].replace("from locaux", "from pg.locaux", 1).replace("join communes", "join pg.communes")


def attach_line(dsn):
    return f'attach "{dsn}" as pg with (schema = "{SCHEMA}")'


def run_terrain_script(binpath, script, timeout, want):
    """Runs a terrain script (CSV output); returns (times in ms, stdout, error or None)."""
    try:
        p = subprocess.run([binpath, "--no-data", "--mode", "csv", "-c", script], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return [], "", "timeout"
    times = [float(x) for x in re.findall(r"^time: ([0-9.]+) ms", p.stderr, re.M)]
    if p.returncode != 0 or len(times) < want:
        msg = ([l for l in p.stderr.strip().splitlines() if not l.startswith("time:")] or ["(no message)"])[-1]
        return times, p.stdout, f"exit {p.returncode} after {len(times)} of {want} statements: {msg}"
    return times[-want:], p.stdout, None


def terrain_p1(binpath, dsn, runs, timeout):
    """P1 in terrain: R+1 pulls of locaux6 (the first a warm-up), then the check aggregate."""
    check = ("from pulled | aggregate rows = count(), "
             + ", ".join(f"{c} = count_distinct({c})" if c in P1_TEXT else f"{c} = sum({c})" for c in P1_COLUMNS))
    script = "\n".join([".timer on", attach_line(dsn)] + [f"let pulled = from pg.{P1_TABLE}"] * (runs + 1)
                       + [check]) + "\n"
    times, out, err = run_terrain_script(binpath, script, timeout, runs + 3)
    if err:
        return {"error": f"P1: {err}"}
    rows = list(csv.reader(l for l in out.splitlines() if l.strip()))
    try:
        i = next(k for k, r in enumerate(rows) if r and r[0] == "rows")
        answer = {k: parse_number(v) for k, v in zip(rows[i], rows[i + 1])}
    except (StopIteration, IndexError):
        return {"error": "P1: the check aggregate was not found in terrain's output"}
    return {"times": times[2:2 + runs], "answer": answer}


def parse_number(s):
    try:
        return int(s)
    except ValueError:
        return float(s)


def pushed_down(binpath, dsn, queries, timeout):
    """`.explain` of each query (one process each): {Qn: the SQL sent} for those pushed down
    whole, and the list of those that are not."""
    sql, not_pushed = {}, []
    for q in P2_QUERIES:
        p = subprocess.run([binpath, "--no-data", "-c", attach_line(dsn) + f"\n.explain {terrain_query(q, queries)}\n"],
                           capture_output=True, text=True, timeout=timeout)
        if p.returncode == 0 and p.stdout.startswith("Remote pg (PostgreSQL): the whole pipeline"):
            sql[q] = "\n".join(l[2:] for l in p.stdout.splitlines()[1:] if not l.startswith("  --")).strip()
        else:
            not_pushed.append(q)
    return sql, not_pushed


def terrain_p2(binpath, dsn, q, queries, runs, timeout):
    text = terrain_query(q, queries)
    script = "\n".join([".timer on", attach_line(dsn), text] + [f"let p2_{i} = {text}" for i in range(runs)]) + "\n"
    times, out, err = run_terrain_script(binpath, script, timeout, runs + 2)
    if err:
        return {"error": f"{q}: {err}"}
    return {"times": times[2:], "stdout": out}


# ------------------------------------------------------------------ psql (P2's peer)
def psql_p2(dsn, q, sql_text, runs, timeout):
    """The hand-written SQL in psql with `\\timing`: a warm-up (its rows kept for the check)
    then R timed runs. psql's `Time:` is from sending the statement to having its result."""
    script = f"set search_path = {SCHEMA};\n\\timing on\n" + f"{sql_text};\n" * (runs + 1)
    try:
        rc, out, err = psql(dsn, script, timeout=timeout, csv_out=True)
    except subprocess.TimeoutExpired:
        return {"error": f"{q}: psql timeout"}
    times = [float(x) for x in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]
    if rc != 0 or len(times) != runs + 1:
        return {"error": f"{q}: psql exit {rc}: {(err.strip().splitlines() or ['?'])[-1]}"}
    first = out.split("Time:", 1)[0]
    return {"times": times[1:], "stdout": first}


# ------------------------------------------------------------------ the rows
def same_summary(a, b):
    """P1 answers: integers exactly, floats to 1e-9 relative."""
    if set(a) != set(b):
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, float) or isinstance(y, float):
            if abs(x - y) > 1e-9 * max(abs(x), abs(y), 1):
                return False
        elif x != y:
            return False
    return True


def reference_p1(locaux):
    """P1's answer computed from the CSV (smoke: no peer may be importable)."""
    sums = {c: (set() if c in P1_TEXT else 0) for c in P1_COLUMNS}
    n = 0
    with open(locaux, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            n += 1
            for c in P1_COLUMNS:
                if c in P1_TEXT:
                    sums[c].add(r[c])
                elif c in ("id", "annee"):
                    sums[c] += int(r[c])
                else:
                    sums[c] += float(r[c])
    return dict({"rows": n}, **{c: len(v) if c in P1_TEXT else v for c, v in sums.items()})


def run_postgres(terrains, locaux, communes, queries, peer_sql, runs, rounds, timeout, py, have, smoke,
                 rows_of, compare, log, loud):
    """P1 and P2 for each terrain binary ([(label, path)]) against the peers. `rows_of(q, lines)`
    parses a CSV result as the main table does, `compare(q, ref, other)` checks it. Returns
    (markdown text, mismatches, errors, {terrain label: {Qn: the SQL it sent}})."""
    with server(smoke, log) as (dsn, why):
        if dsn is None:
            reason = f"P1/P2 skipped: {why}"
            loud(reason)
            return reason + ".", [], [], {}
        why = load(dsn, locaux, communes, log)
        if why:
            loud(f"P1/P2 skipped: {why}")
            return f"P1/P2 skipped: {why}.", [], [], {}
        warm(dsn)
        return measure(dsn, terrains, locaux, queries, peer_sql, runs, rounds, timeout, py, have, smoke,
                       rows_of, compare, log, loud)


def measure(dsn, terrains, locaux, queries, peer_sql, runs, rounds, timeout, py, have, smoke, rows_of, compare,
            log, loud):
    mismatches, errors = [], []
    p1 = {}   # engine -> list of {"times", "answer"} per round
    p2 = {}   # engine -> q -> list of times per round
    answers = {}  # engine -> q -> rows
    peers = []
    for label, eng, mods in P1_PEERS:
        missing = [m for m in mods if m not in have]
        if missing:
            loud(f"P1 peer {label} unavailable ({', '.join(missing)} not importable): skipped")
        else:
            peers.append((label, eng))
    # A baseline commit from before `attach` has no P rows: skipped with a visible line (the
    # terrain being measured must attach, else it is an error like any other).
    kept = []
    for k, (label, binpath) in enumerate(terrains):
        p = subprocess.run([binpath, "--no-data", "-c", attach_line(dsn)], capture_output=True, text=True,
                           timeout=timeout)
        if p.returncode == 0 or k == 0:
            kept.append((label, binpath))
        else:
            loud(f"P1/P2: {label} cannot attach a database (a commit from before `attach`): skipped")
    terrains = kept
    # pushed down?
    sent = {}
    for label, binpath in terrains:
        sql, not_pushed = pushed_down(binpath, dsn, queries, timeout)
        sent[label] = sql
        for q in not_pushed:
            errors.append(f"P2 {q}: {label} does not push it down whole (.explain shows no single statement)")
    for rnd in range(rounds):
        if rounds > 1:
            log(f"P1/P2 round {rnd + 1} of {rounds}")
        for label, binpath in terrains:
            log(f"{label}: P1 (pull {P1_TABLE})")
            r = terrain_p1(binpath, dsn, runs, timeout)
            if "error" in r:
                errors.append(f"{label}: {r['error']}")
            else:
                p1.setdefault(label, []).append(r)
        for label, eng in peers:
            log(f"{label}: P1")
            out = os.path.join(tempfile.gettempdir(), f"terrain-bench-p1-{eng}-{os.getpid()}.json")
            try:
                pr = subprocess.run([py, os.path.join(HERE, "peers_pg.py"), eng, dsn, f"{SCHEMA}.{P1_TABLE}", str(runs), out],
                                    timeout=timeout)
            except subprocess.TimeoutExpired:
                pr = None
            if pr is None or pr.returncode != 0 or not os.path.exists(out):
                loud(f"P1 peer {label} failed: skipped")
                continue
            with open(out) as f:
                p1.setdefault(label, []).append(json.load(f))
            os.remove(out)
        for q in P2_QUERIES:
            # terrain then psql, psql first in every other round (neither always meets the
            # machine as the other left it)
            runners = [(label, lambda b=binpath: terrain_p2(b, dsn, q, queries, runs, timeout)) for label, binpath in terrains]
            runners.append(("psql", lambda: psql_p2(dsn, q, peer_sql[q], runs, timeout)))
            if rnd % 2 == 1:
                runners.reverse()
            for label, run in runners:
                log(f"{label}: P2 {q}")
                r = run()
                if "error" in r:
                    errors.append(f"{label}: P2 {r['error']}")
                    continue
                p2.setdefault(label, {}).setdefault(q, []).append(r["times"])
                answers.setdefault(label, {}).setdefault(q, rows_of(q, r["stdout"].splitlines()))
    # checks
    ref_label = terrains[0][0]
    p1_ref = p1.get(ref_label, [{}])[0].get("answer")
    others = [(lbl, rs[0]["answer"]) for lbl, rs in p1.items() if lbl != ref_label]
    if smoke:
        others.append(("reference (CSV)", reference_p1(locaux)))
    for lbl, a in others:
        if p1_ref is not None and not same_summary(p1_ref, a):
            mismatches.append(f"P1: {ref_label} {p1_ref} vs {lbl} {a}")
    ref_answers = answers.get(ref_label, {})
    for lbl, qs in answers.items():
        if lbl == ref_label:
            continue
        for q, rows in qs.items():
            if q in ref_answers:
                diff = compare(q, ref_answers[q], rows)
                if diff:
                    mismatches.append(f"P2 {q}: {ref_label} vs {lbl}: {diff}")
    if not mismatches and p1_ref is not None:
        log(f"P1/P2 check: {ref_label} = {', '.join(l for l, _ in others) or '(no peer)'} on P1; "
            f"= {', '.join(l for l in answers if l != ref_label) or '(no peer)'} on Q1–Q8")
    for m in mismatches:
        loud("MISMATCH " + m)
    text = table(terrains, p1, p2, peers, runs, rounds)
    return text, mismatches, errors, sent


def best_median(rounds_times):
    """The lowest median over rounds (the least disturbed round)."""
    meds = [statistics.median(t) for t in rounds_times if t]
    return min(meds) if meds else None


def fmt(v):
    if v is None:
        return "—"
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def geomean(xs):
    import math
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def table(terrains, p1, p2, peers, runs, rounds):
    """The P1 and P2 tables (medians in ms, and terrain ÷ the best peer / ÷ psql)."""
    t_labels = [l for l, _ in terrains]
    p1_med = {e: best_median([r["times"] for r in rs]) for e, rs in p1.items()}
    peer_meds = [(p1_med[l], l) for l, _ in peers if p1_med.get(l) is not None]
    best = min(peer_meds) if peer_meds else None
    engines = [l for l in t_labels] + [l for l, _ in peers]
    hdr = ["", *engines, "best peer", "terrain ÷ best"]
    lines = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    t = p1_med.get(t_labels[0])
    ratio = f"{t / best[0]:.2f}" if t and best else "—"
    lines.append(f"| P1 pull {P1_TABLE} ({len(P1_COLUMNS)} columns) | " + " | ".join(fmt(p1_med.get(e)) for e in engines)
                 + f" | {fmt(best[0]) + ' (' + best[1] + ')' if best else '—'} | {ratio} |")
    hdr2 = ["", *t_labels, "psql (hand SQL)", "terrain ÷ psql"]
    lines2 = ["| " + " | ".join(hdr2) + " |", "|" + "---|" * len(hdr2)]
    ratios = []
    for q in P2_QUERIES:
        vals = {e: best_median(p2.get(e, {}).get(q, [])) for e in t_labels + ["psql"]}
        t, p = vals[t_labels[0]], vals["psql"]
        r = t / p if t and p else None
        ratios.append(r)
        lines2.append(f"| {q} | " + " | ".join(fmt(vals[e]) for e in t_labels + ["psql"])
                      + f" | {'—' if r is None else f'{r:.2f}'} |")
    gm = geomean(ratios) if all(ratios) else None
    lines2.append("| geomean of the ratios | " + " | ".join("" for _ in t_labels) + " | | "
                  + f"{'—' if gm is None else f'{gm:.2f}'} |")
    note = (f"P1/P2 (PostgreSQL, schema {SCHEMA}): median of {runs} runs after one warm-up"
            f"{f', least disturbed of {rounds} rounds' if rounds > 1 else ''}, ms. "
            "P1 target ≤ 1.0 of the best peer; P2 target ≤ 1.1 of psql per query.")
    return note + "\n\n" + "\n".join(lines) + "\n\n" + "\n".join(lines2)
