#!/usr/bin/env python3
"""terrain benchmark harness (see benchmarks/README.md and shared/BENCHMARKS.md).

Runs with the system python3 (standard library only); the peers run in subprocesses with
the harness's own virtual environment (benchmarks/.venv).
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import harness_extra
import harness_pg

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
VENV = os.path.join(HERE, ".venv")
VPY = os.path.join(VENV, "bin", "python")
PEER_PACKAGES = ["duckdb", "polars", "pandas", "pyarrow", "numpy"] + harness_extra.XLSX_PACKAGES + harness_pg.PG_PACKAGES
ALL_PEERS = ["duckdb", "polars", "pandas", "sqlite"]

QUERIES = {
    "Q1": 'from locaux | where ftth == 1 and debit > 500 and annee >= 1990 | aggregate n = count()',
    "Q2": 'from locaux | where type == "habitation" | aggregate s = sum(conso_kwh / surface), m = avg(surface * 1.1 + 2)',
    "Q3": 'from locaux | aggregate n = count(), d = avg(debit), c = sum(conso_kwh) by dep',
    "Q4": 'from locaux | aggregate n = count(), f = sum(ftth), s = max(surface) by commune',
    "Q5": 'from locaux | join communes on commune | aggregate n = count(), d = avg(debit) by epci',
    "Q6": 'from locaux | sort conso_kwh desc | take 10 | select id, commune, conso_kwh',
    "Q7": 'from locaux | where (surface * 2 + conso_kwh / 100 > 500 or classe in ("F", "G")) and not (type == "mixte") | aggregate n = count()',
    "Q8": 'from locaux | where annee < 1950 | select commune, intensite = conso_kwh / surface | sort intensite desc | take 100',
    # second wave: windows, pivot, patterns
    "Q9": 'from locaux | derive r = rank() by dep sort conso_kwh desc | where r <= 3 | aggregate n = count(), s = sum(conso_kwh)',
    "Q10": 'from locaux | derive p = share(conso_kwh) by commune | where p > 0.01 | aggregate n = count()',
    "Q11": 'from locaux | where dep == "69" | derive c = cumsum(surface), prev = lag(surface) by commune sort annee, id | aggregate m = max(c), d = sum(surface - prev)',
    "Q12": 'from locaux | pivot classe using count() by dep | sort dep',
    "Q13": 'from locaux | where classe like "F%" or commune like "69%" | aggregate n = count()',
}
CLASSES = ["A", "B", "C", "D", "E", "F", "G"]
HEADERS = {
    "Q1": ["n"], "Q2": ["s", "m"], "Q3": ["dep", "n", "d", "c"], "Q4": ["commune", "n", "f", "s"],
    "Q5": ["epci", "n", "d"], "Q6": ["id", "commune", "conso_kwh"], "Q7": ["n"], "Q8": ["commune", "intensite"],
    "Q9": ["n", "s"], "Q10": ["n"], "Q11": ["m", "d"], "Q12": ["dep"] + CLASSES, "Q13": ["n"],
}
GROUPED = {"Q3", "Q4", "Q5", "Q12"}
SORTED = {"Q6": 2, "Q8": 1}  # query -> index of its (descending) sort key
ALL_QUERIES = list(QUERIES)
FIRST_WAVE = ALL_QUERIES[:8]
QNAMES = list(ALL_QUERIES)  # the queries of this run (--queries)


def parse_queries(spec):
    """`Q1-Q8,Q13` -> ['Q1', …, 'Q8', 'Q13'], in workload order."""
    chosen = set()
    for part in spec.split(","):
        part = part.strip().upper()
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            if a not in QUERIES or b not in QUERIES:
                raise SystemExit(f"unknown query range {part}")
            i, j = ALL_QUERIES.index(a), ALL_QUERIES.index(b)
            chosen.update(ALL_QUERIES[min(i, j):max(i, j) + 1])
        elif part in QUERIES:
            chosen.add(part)
        else:
            raise SystemExit(f"unknown query {part}: expected names among {', '.join(ALL_QUERIES)}")
    return [q for q in ALL_QUERIES if q in chosen]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loud(msg):
    bar = "!" * 78
    print(f"{bar}\n!! {msg}\n{bar}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ environment
def ensure_venv():
    """Create benchmarks/.venv and pip-install the peers. Returns the set of importable modules."""
    if not os.path.exists(VPY):
        log(f"creating virtual environment {VENV}")
        r = subprocess.run([sys.executable, "-m", "venv", VENV])
        if r.returncode != 0:
            loud("python3 -m venv failed: no peers available (install python3-venv)")
            return set()
    have = importable()
    missing = [p for p in PEER_PACKAGES if module_name(p) not in have]
    if missing:
        log(f"pip install {' '.join(missing)} into {VENV}")
        r = subprocess.run([VPY, "-m", "pip", "install", "--quiet", *missing])
        if r.returncode != 0:
            log("pip install failed for some packages; trying them one by one")
            for p in missing:
                subprocess.run([VPY, "-m", "pip", "install", "--quiet", p])
        have = importable()
    return have


def module_name(package):
    """The import name of a pip package (python-calamine -> python_calamine, psycopg[binary] -> psycopg)."""
    return re.sub(r"\[.*\]$", "", package).replace("-", "_")


def importable(py=None):
    mods = [module_name(p) for p in PEER_PACKAGES]
    code = ("import importlib.util,json;print(json.dumps([m for m in %r if importlib.util.find_spec(m)]))"
            % (mods,))
    try:
        out = subprocess.run([py or VPY, "-c", code], capture_output=True, text=True, timeout=60).stdout
        return set(json.loads(out))
    except Exception:
        return set()


def build_terrain(args):
    if args.terrain_bin:
        return os.path.abspath(args.terrain_bin)
    log("building terrain: swift build -c release")
    t = time.time()
    for attempt in range(3):  # others may be editing sources: "modified during the build" is worth a retry
        r = subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, capture_output=True, text=True)
        sys.stderr.write(r.stdout[-4000:] + r.stderr[-4000:])
        if r.returncode == 0 or "modified during the build" not in r.stdout + r.stderr:
            break
        log("sources changed during the build: building again")
    if r.returncode != 0:
        loud("swift build -c release failed")
        sys.exit(1)
    log(f"built in {time.time() - t:.0f} s")
    binpath = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                             capture_output=True, text=True).stdout.strip()
    return os.path.join(binpath, "terrain")


def machine_info():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem": mem, "kernel": platform.release()}


def swift_version():
    try:
        return subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.strip().splitlines()[0]
    except Exception:
        return "?"


# ------------------------------------------------------------------ values and checks
def parse_field(s):
    if s == "" or s == "null":
        return None
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s)
    except ValueError:
        return s


def parse_csv_rows(lines):
    import csv
    return [list(r) for r in csv.reader(lines)]


def keystr(v):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def num_eq(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return keystr(a) == keystr(b)
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    a, b = float(a), float(b)
    if a == b:
        return True
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def rows_eq(r1, r2):
    return len(r1) == len(r2) and all(num_eq(a, b) for a, b in zip(r1, r2))


def compare(q, ref, other):
    """Compare result rows; return None if equal, else a description of the difference."""
    if q in GROUPED:
        d1 = {keystr(r[0]): r[1:] for r in ref}
        d2 = {keystr(r[0]): r[1:] for r in other}
        if len(d1) != len(ref) or len(d2) != len(other):
            return f"duplicate group keys (terrain {len(ref)} rows/{len(d1)} keys, peer {len(other)} rows/{len(d2)} keys)"
        if d1.keys() != d2.keys():
            only1 = sorted(d1.keys() - d2.keys())[:5]
            only2 = sorted(d2.keys() - d1.keys())[:5]
            return f"group keys differ: {len(d1)} vs {len(d2)} groups; only in terrain {only1}, only in peer {only2}"
        bad = [k for k in d1 if not rows_eq(d1[k], d2[k])]
        if bad:
            k = bad[0]
            return f"{len(bad)} groups differ, e.g. {k}: terrain {d1[k]} vs peer {d2[k]}"
        return None
    if q in SORTED:
        ki = SORTED[q]
        if len(ref) != len(other):
            return f"row count {len(ref)} vs {len(other)}"
        for i, (a, b) in enumerate(zip(ref, other)):
            if not num_eq(a[ki], b[ki]):
                return f"sort key differs at row {i + 1}: terrain {a} vs peer {b}"
        # rows compared as multisets, except those tied with the last key (either may be cut)
        last = ref[-1][ki] if ref else None
        norm = lambda rows: sorted(tuple(keystr(x) if isinstance(x, str) else x for x in r)
                                   for r in rows if not num_eq(r[ki], last))
        a, b = norm(ref), norm(other)
        for ra, rb in zip(a, b):
            if not rows_eq(ra, rb):
                return f"rows differ (beyond tie order): terrain {ra} vs peer {rb}"
        if len(a) != len(b):
            return "rows differ around ties of the last key"
        return None
    if len(ref) != len(other):
        return f"row count {len(ref)} vs {len(other)}"
    for a, b in zip(ref, other):
        if not rows_eq(a, b):
            return f"terrain {a} vs peer {b}"
    return None


# ------------------------------------------------------------------ terrain
def terrain_script(locaux, communes, runs, export_path):
    lines = [".timer on", f'load "{locaux}" as locaux', f'load "{communes}" as communes']
    for q in QNAMES:
        lines.append(QUERIES[q])  # warm-up, printed: its result is the one checked
        for i in range(runs):
            lines.append(f"let bench_{q.lower()}_{i} = {QUERIES[q]}")  # timed, materialised, not printed
    for _ in range(runs + 1):
        lines.append(f'from locaux | take 1000000 | export "{export_path}"')
    return "\n".join(lines) + "\n"


def split_results(stdout):
    """Split the concatenated CSV outputs of Q1..Q8 by their known header lines."""
    lines = stdout.splitlines()
    out, i = {}, 0
    for qi, q in enumerate(QNAMES):
        hdr = ",".join(HEADERS[q])
        while i < len(lines) and lines[i].strip() != hdr:
            i += 1
        if i >= len(lines):
            return out
        i += 1
        nxt = ",".join(HEADERS[QNAMES[qi + 1]]) if qi + 1 < len(QNAMES) else None
        body = []
        while i < len(lines) and (nxt is None or lines[i].strip() != nxt):
            if lines[i].strip():
                body.append(lines[i])
            i += 1
        out[q] = typed_rows(q, parse_csv_rows(body))
    return out


def typed_rows(q, rows):
    """A query's CSV rows (header dropped) with numbers parsed; group keys and codes kept as text."""
    if q in GROUPED:
        return [[r[0]] + [parse_field(x) for x in r[1:]] for r in rows]
    return [[x if HEADERS[q][j] in ("commune", "dep") else parse_field(x) for j, x in enumerate(r)] for r in rows]


def rows_of(q, lines):
    """One query's result printed as CSV (its header, then its rows), as typed_rows gives it."""
    rows = [r for r in parse_csv_rows([l for l in lines if l.strip()])]
    if rows and rows[0] == HEADERS[q]:
        rows = rows[1:]
    return typed_rows(q, rows)


def merge_rounds(rs):
    """Several rounds of one engine: per query, the timed runs of the least disturbed round
    (lowest median); load and export likewise; answers from the first round."""
    if len(rs) == 1:
        return rs[0]
    m = dict(rs[0])
    m["times"] = {}
    for q in QNAMES:
        cands = [r["times"][q] for r in rs if r.get("times", {}).get(q)]
        if cands:
            m["times"][q] = min(cands, key=statistics.median)
    loads = [r["load_ms"] for r in rs if r.get("load_ms") is not None]
    m["load_ms"] = min(loads) if loads else None
    exps = [r["export_ms"] for r in rs if r.get("export_ms")]
    m["export_ms"] = min(exps, key=statistics.median) if exps else []
    rss = [r["rss_mib"] for r in rs if r.get("rss_mib") is not None]
    m["rss_mib"] = min(rss) if rss else None
    m["errors"] = [e for r in rs for e in r.get("errors", [])]
    return m


def run_terrain(binpath, locaux, communes, runs, timeout):
    res = {"engine": "terrain", "times": {}, "results": {}, "errors": []}
    workdir = tempfile.mkdtemp(prefix="terrain-bench-")
    export_path = os.path.join(workdir, "out_terrain.csv")
    script = os.path.join(workdir, "bench.tq")
    with open(script, "w") as f:
        f.write(terrain_script(locaux, communes, runs, export_path))
    log(f"terrain: running {script}")
    t0 = time.time()
    try:
        p = subprocess.run([binpath, "--no-data", "--mode", "csv", script], capture_output=True, text=True,
                           timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = "timeout", (e.stdout or b"").decode(errors="replace"), (e.stderr or b"").decode(errors="replace")
    res["wall_s"] = time.time() - t0
    times = [float(x) for x in re.findall(r"^time: ([0-9.]+) ms", err, re.M)]
    expected = 2 + len(QNAMES) * (1 + runs) + (runs + 1)
    if rc != 0 or len(times) < expected:
        loud(f"terrain failed (exit {rc}) after {len(times)} of {expected} timed statements")
        tail = "\n".join(l for l in err.splitlines() if not l.startswith("time:"))[-3000:]
        log(tail)
        res["errors"].append(f"bench script: exit {rc}: {tail.strip().splitlines()[-1] if tail.strip() else ''}")
        # find which statements fail, one process each
        for q in QNAMES:
            s = f'load "{locaux}" as locaux\nload "{communes}" as communes\n{QUERIES[q]}\n'
            try:
                p = subprocess.run([binpath, "--no-data", "--mode", "csv", "-c", s], capture_output=True, text=True,
                                   timeout=timeout)
                if p.returncode != 0:
                    msg = (p.stderr.strip().splitlines() or ["(no message)"])[-1]
                    res["errors"].append(f"{q}: exit {p.returncode}: {msg}")
                    loud(f"terrain {q} fails alone: exit {p.returncode}: {msg}\n   repro: terrain --no-data -c '{s.strip()}'")
            except subprocess.TimeoutExpired:
                res["errors"].append(f"{q}: timeout")
        shutil.rmtree(workdir, ignore_errors=True)
        return res
    times = times[-expected:]
    res["load_ms"] = times[0] + times[1]
    k = 2
    for q in QNAMES:
        res["times"][q] = times[k + 1:k + 1 + runs]
        k += 1 + runs
    res["export_ms"] = times[k + 1:k + 1 + runs]
    try:
        with open(export_path) as f:
            nlines = sum(1 for _ in f)
        res["export_lines"] = nlines
        with open(locaux) as f:
            want = min(1_000_000, sum(1 for _ in f) - 1) + 1
        if nlines != want:
            res["errors"].append(f"E1: export wrote {nlines} lines, expected {want} (header + rows)")
    except OSError as e:
        res["errors"].append(f"E1: export file missing: {e}")
    res["results"] = split_results(out)
    for q in QNAMES:
        if q not in res["results"]:
            res["errors"].append(f"{q}: result not found in stdout")
    shutil.rmtree(workdir, ignore_errors=True)
    return res


def terrain_rss(binpath, locaux, communes, timeout):
    """Peak RSS (MiB) of a terrain process after loading the two files: its VmHWM, read while
    it waits on standard input, as the peers read their own VmHWM after load.

    Not the ru_maxrss of wait4: Linux carries the parent's memory high-water mark into a child
    across fork (or posix_spawn) and exec, so a child of this Python process, which holds the
    peers' results by then, reported 110 MiB for a load that peaks at 93 MiB."""
    s = f'load "{locaux}" as locaux\nload "{communes}" as communes\n.read /dev/stdin\n'
    p = subprocess.Popen([binpath, "--no-data", "-c", s], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    try:
        loaded = 0
        while loaded < 2:
            line = p.stderr.readline()
            if not line:
                return None  # an error, or killed by the timer
            loaded += line.startswith(b"loaded ")
        with open(f"/proc/{p.pid}/status") as f:
            hwm = next((int(l.split()[1]) for l in f if l.startswith("VmHWM:")), None)
        p.stdin.close()
        p.stderr.read()
        p.wait()
    finally:
        timer.cancel()
    return hwm / 1024.0 if hwm is not None and p.returncode == 0 else None


# ------------------------------------------------------------------ reference (smoke, no peers)
def reference_results(locaux, communes):
    """Pure-Python answers to Q1-Q8, used to check terrain when no peer runs (smoke mode)."""
    import csv
    epci = {}
    with open(communes, newline="") as f:
        for r in csv.DictReader(f):
            epci[r["commune"]] = int(r["epci"])
    q1 = q7 = 0
    q2s, q2m, q2n = 0.0, 0.0, 0
    g3, g4, g5 = {}, {}, {}
    top6, q8 = [], []
    with open(locaux, newline="") as f:
        for r in csv.DictReader(f):
            ftth, annee = int(r["ftth"]), int(r["annee"])
            surface, conso = float(r["surface"]), float(r["conso_kwh"])
            debit = float(r["debit"]) if r["debit"] else None
            typ, dep, com = r["type"], r["dep"], r["commune"]
            if ftth == 1 and debit is not None and debit > 500 and annee >= 1990:
                q1 += 1
            if typ == "habitation":
                q2s += conso / surface
                q2m += surface * 1.1 + 2
                q2n += 1
            if (surface * 2 + conso / 100 > 500 or r["classe"] in ("F", "G")) and not typ == "mixte":
                q7 += 1
            for g, key in ((g3, dep), (g5, epci[com])):
                a = g.setdefault(key, [0, 0.0, 0, 0.0])
                a[0] += 1
                if debit is not None:
                    a[1] += debit
                    a[2] += 1
                a[3] += conso
            a = g4.setdefault(com, [0, 0, -math.inf])
            a[0] += 1
            a[1] += ftth
            a[2] = max(a[2], surface)
            top6.append((-conso, int(r["id"]), com, conso))
            if annee < 1950:
                q8.append((-(conso / surface), len(q8), com, conso / surface))
    top6.sort()
    q8.sort()
    wave2 = reference_wave2(locaux)
    return {**wave2, 
        "Q1": [[q1]], "Q2": [[q2s, q2m / q2n if q2n else None]],
        "Q3": [[k, a[0], a[1] / a[2] if a[2] else None, a[3]] for k, a in g3.items()],
        "Q4": [[k, a[0], a[1], a[2]] for k, a in g4.items()],
        "Q5": [[k, a[0], a[1] / a[2] if a[2] else None] for k, a in g5.items()],
        "Q6": [[i, c, v] for _, i, c, v in top6[:10]],
        "Q7": [[q7]],
        "Q8": [[c, v] for _, _, c, v in q8[:100]],
    }


def reference_wave2(locaux):
    """Pure-Python answers to Q9-Q13 (smoke mode)."""
    import csv
    rows = []
    with open(locaux, newline="") as f:
        for r in csv.DictReader(f):
            rows.append((int(r["id"]), r["commune"], r["dep"], int(r["annee"]), float(r["surface"]),
                         float(r["conso_kwh"]), r["classe"]))
    # Q9: rank() by dep sort conso_kwh desc, r <= 3 (ties share the smallest rank)
    by_dep = {}
    for row in rows:
        by_dep.setdefault(row[2], []).append(row[5])
    n9, s9 = 0, 0.0
    for vals in by_dep.values():
        vals.sort(reverse=True)
        for i, v in enumerate(vals):
            rank = vals.index(v) + 1  # first position of an equal value
            if rank <= 3:
                n9 += 1
                s9 += v
            else:
                break
    # Q10: share of the commune's total above 1 %
    tot = {}
    for row in rows:
        tot[row[1]] = tot.get(row[1], 0.0) + row[5]
    n10 = sum(1 for row in rows if tot[row[1]] and row[5] / tot[row[1]] > 0.01)
    # Q11: dep 69, by commune sort annee, id: running sum and previous surface
    groups = {}
    for row in rows:
        if row[2] == "69":
            groups.setdefault(row[1], []).append(row)
    m11, d11, seen = None, 0.0, False
    for g in groups.values():
        g.sort(key=lambda r: (r[3], r[0]))
        c, prev = 0.0, None
        for r in g:
            c += r[4]
            m11 = c if m11 is None else max(m11, c)
            if prev is not None:
                d11 += r[4] - prev
                seen = True
            prev = r[4]
    # Q12: count by dep and classe
    piv = {}
    for row in rows:
        piv.setdefault(row[2], {}).setdefault(row[6], 0)
        piv[row[2]][row[6]] += 1
    q12 = [[dep] + [piv[dep].get(c) for c in CLASSES] for dep in sorted(piv)]
    # Q13
    n13 = sum(1 for row in rows if row[6].startswith("F") or row[1].startswith("69"))
    return {"Q9": [[n9, s9 if n9 else None]], "Q10": [[n10]], "Q11": [[m11, d11 if seen else None]],
            "Q12": q12, "Q13": [[n13]]}


# ------------------------------------------------------------------ table
def fmt_ms(v):
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def geomean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def baseline_ratio(key, vals, base, first, med):
    """terrain ÷ the baseline terrain on one row (the geomean row: geomean of the per-query ratios)."""
    if key == "GM":
        rs = [med("terrain", q) / med(base, q) for q in first if med("terrain", q) and med(base, q)]
        r = geomean(rs) if len(rs) == len(first) else None
    else:
        r = vals["terrain"] / vals[base] if vals.get("terrain") and vals.get(base) else None
    return f"{r:.2f}" if r is not None else "—"


def build_table(engines, results, n):
    """Markdown table: rows L1, Q1..Q8, geomean, E1, RSS; columns engines + best peer + ratio
    (+ terrain ÷ the baseline commit's terrain, with --baseline)."""
    peers = [e for e in engines if not e.startswith("terrain")]
    base = next((e for e in engines if e.startswith("terrain @")), None)
    hdr = ["", *engines]
    if peers:
        hdr += ["best peer", "terrain ÷ best"]
    if base:
        hdr += [f"terrain ÷ {base[len('terrain '):]}"]
    rows = []

    def med(e, key):
        r = results.get(e)
        if not r:
            return None
        if key == "L1":
            return r.get("load_ms")
        if key == "E1":
            v = r.get("export_ms")
            return statistics.median(v) if v else None
        if key == "RSS":
            return r.get("rss_mib")
        v = r.get("times", {}).get(key)
        return statistics.median(v) if v else None

    ratios = {}
    first = [q for q in QNAMES if q in FIRST_WAVE]
    labels = [("L1", "L1 load CSV"), *[(q, q) for q in QNAMES], ("GM", "geomean Q1–Q8"),
              ("E1", "E1 export 1M rows"), ("RSS", "peak RSS after load, MiB")]
    for key, label in labels:
        if key == "GM":
            vals = {e: geomean([med(e, q) for q in first]) if first and all(med(e, q) for q in first) else None
                    for e in engines}
        else:
            vals = {e: med(e, key) for e in engines}
        row = [label] + [fmt_ms(vals[e]) for e in engines]
        if peers:
            pv = [(vals[e], e) for e in peers if vals[e] is not None]
            if pv:
                best, be = min(pv)
                if key == "GM":
                    rs = [ratios.get(q) for q in first]
                    ratio = geomean(rs) if rs and all(rs) else None
                else:
                    ratio = vals["terrain"] / best if vals.get("terrain") and best else None
                ratios[key] = ratio
                row += [f"{fmt_ms(best)} ({be})", f"{ratio:.2f}" if ratio is not None else "—"]
            else:
                row += ["—", "—"]
        if base:
            row.append(baseline_ratio(key, vals, base, first, med))
        rows.append(row)
    lines = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines), ratios


# ------------------------------------------------------------------ smoke: peers without network
def smoke_peers(args):
    """--smoke runs every peer the Python at hand can import (no pip, no network), one timed run,
    so that CI checks each peer's answer checker on tiny data; --peers narrows the list."""
    args.runs = 1
    return ALL_PEERS if args.peers is None else [p for p in args.peers.split(",") if p]


def smoke_python():
    """The interpreter for the peers in --smoke: the harness's venv when it exists, else
    $TERRAIN_PYTHON, else the Python running the harness (CI puts its venv first on the PATH)."""
    for py in (VPY, os.environ.get("TERRAIN_PYTHON"), sys.executable):
        if py and os.path.exists(py):
            return py, importable(py)
    return sys.executable, set()


# ------------------------------------------------------------------ main
def peer_configs(peers):
    """Each peer's configurations: (label, engine argument of peers.py, environment)."""
    configs = []
    for p in peers:
        if p == "duckdb":
            configs += [("duckdb 1t", "duckdb1", {}), ("duckdb 2t", "duckdb2", {})]
        elif p == "polars":
            configs += [("polars 1t", "polars1", {"POLARS_MAX_THREADS": "1"}),
                        ("polars 2t", "polars2", {"POLARS_MAX_THREADS": "2"})]
        else:
            configs.append((p, p, {}))
    return configs


# ------------------------------------------------------------------ L2 / Q1p (Parquet)
Q1P = QUERIES["Q1"].replace("from locaux", "from lp")


def parquet_terrain_script(path, runs):
    """L2: `load` then `let lp_all = from lp`, which decodes every column (`load` alone reads
    the footer: each statement decodes the columns it reads). Q1p: `load` then Q1, the first
    pair printed (checked). Each measure is the sum of its two statements' times."""
    lines = [".timer on"]
    for _ in range(runs + 1):
        lines += [f'load "{path}" as lp', "let lp_all = from lp"]
    lines += [f'load "{path}" as lp', Q1P]
    for i in range(runs):
        lines += [f'load "{path}" as lp', f"let bench_q1p_{i} = {Q1P}"]
    return "\n".join(lines) + "\n"


def run_terrain_parquet(binpath, path, runs, timeout):
    res = {"engine": "terrain", "times": {}, "results": {}, "errors": []}
    p = subprocess.run([binpath, "--no-data", "--mode", "csv", "-c", parquet_terrain_script(path, runs)],
                       capture_output=True, text=True, timeout=timeout)
    times = [float(x) for x in re.findall(r"^time: ([0-9.]+) ms", p.stderr, re.M)]
    pairs = [times[i] + times[i + 1] for i in range(0, len(times) - 1, 2)]
    if p.returncode != 0 or len(pairs) != 2 * (runs + 1):
        res["errors"].append(f"terrain parquet script: exit {p.returncode}: {p.stderr.strip().splitlines()[-1:]}")
        return res
    res["times"]["L2"] = pairs[1:runs + 1]
    res["times"]["Q1p"] = pairs[runs + 2:]
    # Digit groups as terrain prints them (thin spaces) or with commas.
    m = re.search(r"loaded ([0-9][0-9,\u2009\u202f\u00a0 ]*) rows", p.stderr)
    res["results"]["L2"] = int(re.sub(r"[^0-9]", "", m.group(1))) if m else None
    body = [l for l in p.stdout.splitlines() if l.strip()]
    res["results"]["Q1p"] = int(body[body.index("n") + 1]) if "n" in body else None
    return res


def run_parquet_wave(args, binpath, peers, timeout):
    """`--parquet`: L2 and Q1p on `locaux_<N>.parquet` (gen.py --parquet), terrain and each
    peer in its own process; answers (row count, Q1's count) checked across engines."""
    if not os.path.exists(VPY):
        loud("no virtual environment with pyarrow: the Parquet file cannot be written; L2/Q1p skipped")
        return [], []
    r = subprocess.run([VPY, os.path.join(HERE, "gen.py"), DATA, str(args.n), "--parquet"])
    if r.returncode != 0:
        loud("writing the Parquet file failed: L2/Q1p skipped")
        return [], []
    path = os.path.join(DATA, f"locaux_{args.n}.parquet")
    for peer in peers:
        if peer == "sqlite":
            log("sqlite: no Parquet reader, skipped for L2/Q1p")
    configs = peer_configs([p for p in peers if p != "sqlite"])
    rounds = {}
    for _ in range(args.rounds):
        rounds.setdefault("terrain", []).append(run_terrain_parquet(binpath, path, args.runs, timeout))
        for label, eng, env in configs:
            out = os.path.join(tempfile.gettempdir(), f"terrain-bench-pq-{eng}-{os.getpid()}.json")
            log(f"{label}: L2/Q1p")
            pr = subprocess.run([VPY, os.path.join(HERE, "peers.py"), "parquet", eng, path, str(args.runs), out],
                                env=dict(os.environ, **env), timeout=timeout)
            if pr.returncode != 0 or not os.path.exists(out):
                loud(f"{label} failed on L2/Q1p: skipped")
                continue
            with open(out) as f:
                rounds.setdefault(label, []).append(json.load(f))
            os.remove(out)
    engines = [e for e in ["terrain"] + [c[0] for c in configs] if e in rounds]
    best = {e: {k: min((statistics.median(r["times"][k]) for r in rounds[e] if r["times"].get(k)), default=None)
                for k in ("L2", "Q1p")} for e in engines}
    problems = [x for r in rounds["terrain"] for x in r["errors"]]
    want = rounds["terrain"][0]["results"]
    for e in engines[1:]:
        for k in ("L2", "Q1p"):
            got = rounds[e][0]["results"].get(k)
            if got != want.get(k):
                problems.append(f"{k}: terrain {want.get(k)} vs {e} {got}")
    head = "| | " + " | ".join(engines) + " | best peer | terrain ÷ best |"
    lines = [head, "|" + "---|" * (len(engines) + 3)]
    for k, label in (("L2", "L2 load Parquet (every column)"), ("Q1p", "Q1p load + Q1")):
        peer_times = [best[e][k] for e in engines[1:] if best[e][k] is not None]
        fastest = min(peer_times) if peer_times else None
        t = best["terrain"][k]
        ratio = f"{t / fastest:.2f}" if t is not None and fastest else "–"
        lines.append(f"| {label} | " + " | ".join(fmt_ms(best[e][k]) for e in engines)
                     + f" | {fmt_ms(fastest)} | {ratio} |")
    print()
    print(f"Parquet, N = {args.n:,} rows ({os.path.getsize(path) / 1e6:.0f} MB, zstd, row groups of 1,000,000), "
          f"median of {args.runs} runs after one warm-up, milliseconds")
    print("\n".join(lines))
    for x in problems:
        loud("L2/Q1p: " + x)
    return lines, problems


def main():
    ap = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000, help="rows of locaux (default 1,000,000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per query after one warm-up (default 5)")
    ap.add_argument("--peers", default=None, help="comma list among duckdb,polars,pandas,sqlite (default: all)")
    ap.add_argument("--smoke", action="store_true", help="tiny N, terrain only, checked against a pure-Python reference")
    ap.add_argument("--rounds", type=int, default=1,
                    help="repeat the whole measurement; per query the least disturbed round (lowest median) is kept")
    ap.add_argument("--queries", default="Q1-Q13",
                    help="queries to run, e.g. Q1-Q8 (an older binary without the second wave) or Q9,Q12 (default Q1-Q13)")
    ap.add_argument("--terrain-bin", help="use this terrain binary instead of building one")
    ap.add_argument("--terrain-rev", help="label for the terrain binary given with --terrain-bin (e.g. its commit)")
    ap.add_argument("--baseline", metavar="COMMIT",
                    help="also build COMMIT of terrain (release, its own worktree and build folder) and run it "
                         "side by side: one more column and the ratio to it")
    ap.add_argument("--no-xlsx", action="store_true",
                    help="skip the L3/E2 (xlsx) rows, whose peers take minutes (for runs about the queries)")
    ap.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    ap.add_argument("--parquet", action="store_true",
                    help="only L2 and Q1p (load locaux_<N>.parquet; Q1 straight on it), terrain and its peers")
    ap.add_argument("--postgres", action="store_true",
                    help="only P1 and P2 (a local PostgreSQL: pull a 6-column table; Q1–Q8 pushed down vs psql)")
    ap.add_argument("--show-sql", action="store_true", help="with --postgres: print the SQL terrain sends for Q1–Q8")
    ap.add_argument("--assemble", action="store_true",
                    help="only rewrite RESULTS.md from results/N*.md and results/notes.md (after editing the notes)")
    args = ap.parse_args()
    if args.assemble:
        assemble_results(os.path.join(HERE, "results"))
        return
    args.load_start = os.getloadavg()[0]
    global QNAMES
    QNAMES = parse_queries(args.queries)

    if args.smoke:
        args.n = 20_000 if args.n == 1_000_000 else args.n
        args.runs = min(args.runs, 3)
        peers = smoke_peers(args)
    else:
        peers = ALL_PEERS if args.peers is None else [p for p in args.peers.split(",") if p]
        for p in peers:
            if p not in ALL_PEERS:
                ap.error(f"unknown peer {p}")
    if "sqlite" in peers and args.n > 1_000_000:
        log("sqlite: skipped (in-memory SQLite is run at N ≤ 1,000,000 only)")
        peers = [p for p in peers if p != "sqlite"]

    global VPY
    have = set()
    if args.smoke:
        VPY, have = smoke_python()
    elif peers:
        have = ensure_venv()
    if peers:
        for p, mods in (("duckdb", ["duckdb"]), ("polars", ["polars"]), ("pandas", ["pandas"]), ("sqlite", [])):
            if p in peers and any(m not in have for m in mods):
                loud(f"peer {p} unavailable ({', '.join(mods)} not importable{'' if args.smoke else ' after pip install'}): skipped")
                peers = [x for x in peers if x != p]
        if "sqlite" in peers and not os.path.exists(VPY):
            peers.remove("sqlite")
        log(f"peers: {', '.join(peers) if peers else 'none'}")

    # data
    gen_py = VPY if (os.path.exists(VPY) and "numpy" in have) else sys.executable
    t = time.time()
    r = subprocess.run([gen_py, os.path.join(HERE, "gen.py"), DATA, str(args.n)])
    if r.returncode != 0:
        loud("data generation failed")
        sys.exit(1)
    if time.time() - t > 1:
        log(f"data ready in {time.time() - t:.0f} s")
    communes = os.path.join(DATA, "communes.csv")
    locaux = os.path.join(DATA, f"locaux_{args.n}.csv")

    binpath = build_terrain(args)
    timeout = 300 if args.smoke else max(1800, args.n // 2000)
    if args.parquet:
        _, problems = run_parquet_wave(args, binpath, peers, timeout)
        sys.exit(1 if problems else 0)
    if args.postgres:
        text, problems = run_postgres_rows(args, [("terrain", binpath)], have, locaux, communes, timeout)
        print()
        print(f"N = {args.n:,} rows (load average {args.load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end)")
        print(text)
        if problems:
            print("PROBLEMS:\n  " + "\n  ".join(problems))
        sys.exit(1 if problems else 0)
    baseline, base_errors = None, []
    if args.baseline:
        bbin, bshort = harness_extra.build_baseline(args.baseline, log, loud)
        if bbin:
            baseline = (f"terrain @{bshort}", bbin)
        else:
            base_errors.append(f"--baseline {args.baseline}: could not be built")

    configs = peer_configs(peers)

    rounds = {}  # label -> list of per-round results
    for rnd in range(args.rounds):
        if args.rounds > 1:
            log(f"round {rnd + 1} of {args.rounds}")
        t = run_terrain(binpath, locaux, communes, args.runs, timeout)
        rounds.setdefault("terrain", []).append(t)
        if t["errors"]:
            break  # terrain failed: no point in another round
        if baseline:
            rounds.setdefault(baseline[0], []).append(run_terrain(baseline[1], locaux, communes, args.runs, timeout))
        for label, eng, env in configs:
            out = os.path.join(tempfile.gettempdir(), f"terrain-bench-{eng}-{os.getpid()}.json")
            exp = os.path.join(tempfile.gettempdir(), f"terrain-bench-{eng}-{os.getpid()}.csv")
            log(f"{label}: running")
            d = harness_extra.run_json([VPY, os.path.join(HERE, "peers.py"), eng, locaux, communes, str(args.runs), exp,
                                        out, ",".join(QNAMES)], out, timeout, env=dict(os.environ, **env))
            if d is None:
                loud(f"{label} failed: skipped")
                continue
            d["rss_mib"] = d.get("rss_after_load_mib")
            rounds.setdefault(label, []).append(d)
    terrains = [("terrain", binpath)] + ([baseline] if baseline and baseline[0] in rounds else [])
    engines = [lbl for lbl, _ in terrains] + [lbl for lbl, _, _ in configs if lbl in rounds]
    results = {lbl: merge_rounds(rs) for lbl, rs in rounds.items()}
    for lbl, b in terrains:
        results[lbl]["rss_mib"] = terrain_rss(b, locaux, communes, timeout)
    rev = args.terrain_rev or (subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                              capture_output=True, text=True).stdout.strip() or "?")
    results["terrain"]["version"] = f"terrain {rev}"
    if len(terrains) > 1:
        results[terrains[1][0]]["version"] = terrains[1][0]

    # checks
    failures = list(results["terrain"]["errors"]) + base_errors
    failures += [f"{lbl}: {e}" for lbl, _ in terrains[1:] for e in results[lbl]["errors"]]
    mismatches = []
    tres = results["terrain"]["results"]
    refs = [(lbl + (f" (round {i + 1})" if len(rounds[lbl]) > 1 else ""), r["results"])
            for lbl in engines[1:] for i, r in enumerate(rounds[lbl])]
    if args.smoke:
        log("computing pure-Python reference answers")
        refs.append(("reference", reference_results(locaux, communes)))
    for lbl, rr in refs:
        for q in QNAMES:
            if q not in tres or q not in rr:
                continue
            diff = compare(q, tres[q], [list(x) for x in rr[q]])
            if diff:
                mismatches.append(f"{q}: terrain vs {lbl}: {diff}")
    for m in mismatches:
        loud("MISMATCH " + m)
    if not mismatches and refs and not failures:
        log(f"answers check: terrain = {', '.join(l for l, _ in refs)} on {', '.join(QNAMES)}")

    extra, extra_bad = run_extra_rows(args, terrains, results, have, locaux, communes, timeout)
    mismatches += extra_bad
    table, ratios = build_table(engines, results, args.n)
    table += "\n\n" + extra
    print()
    print(f"N = {args.n:,} rows, median of {args.runs} runs after one warm-up"
          f"{f' (least disturbed of {args.rounds} rounds)' if args.rounds > 1 else ''}, milliseconds")
    print(table)
    if peers:
        far = sorted(((ratios.get(q) or 0, q) for q in QNAMES), reverse=True)[:3]
        print("furthest from the fastest peer: " + ", ".join(f"{q} {r:.2f}×" for r, q in far))
    if failures:
        print("terrain errors: " + "; ".join(failures))
    if mismatches:
        print("MISMATCHES:\n  " + "\n  ".join(mismatches))

    if not args.smoke and not args.no_write:
        write_results(args, engines, results, table, ratios, mismatches, failures)

    if failures or mismatches:
        sys.exit(1)


def run_extra_rows(args, terrains, results, have, locaux, communes, timeout):
    """The second wave's rows beside the main table (harness_extra): Q1's bandwidth floor,
    L3/E2 (xlsx) and P1/P2 (PostgreSQL). Returns (markdown text, mismatches)."""
    parts, bad = [], []
    q1 = results["terrain"].get("times", {}).get("Q1")
    floor = harness_extra.run_floor(args.n, args.runs, log, loud) if "Q1" in QNAMES else None
    if "Q1" in QNAMES:
        parts.append(harness_extra.floor_line(floor, statistics.median(q1) if q1 else None))
    if args.no_xlsx:
        loud("L3/E2 skipped (--no-xlsx)")
        xres, xbad, xerr = None, [], []
    else:
        xres, xbad, xerr = harness_extra.run_xlsx(terrains, DATA, communes, locaux, args.runs, timeout, VPY, have,
                                                  log, loud)
    bad += xbad + xerr
    for m in xbad:
        loud("MISMATCH " + m)
    if xres:
        text, _ = harness_extra.xlsx_table(xres, [lbl for lbl, _ in terrains])
        parts.append(text)
    else:
        parts.append("L3/E2 (xlsx): not measured (see the lines above).")
    pg_text, pg_bad = run_postgres_rows(args, terrains, have, locaux, communes, timeout)
    parts.append(pg_text)
    return "\n\n".join(parts), bad + pg_bad


def run_postgres_rows(args, terrains, have, locaux, communes, timeout):
    """P1/P2 (harness_pg): markdown text and the mismatches and errors (which fail the run)."""
    import peers
    text, mism, errs, sent = harness_pg.run_postgres(
        terrains, locaux, communes, QUERIES, peers.SQL, args.runs, args.rounds, timeout, VPY, have, args.smoke,
        rows_of, compare, log, loud)
    for e in errs:
        loud("P1/P2: " + e)
    if getattr(args, "show_sql", False):
        for label, qs in sent.items():
            for q, sql in qs.items():
                log(f"{label} {q} sends:\n{sql}")
    return text, mism + errs


def write_results(args, engines, results, table, ratios, mismatches, failures):
    mi = machine_info()
    frag_dir = os.path.join(HERE, "results")
    os.makedirs(frag_dir, exist_ok=True)
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    versions = ", ".join(dict.fromkeys(results[e].get("version", e) for e in engines))
    load_end = os.getloadavg()[0]
    check = ("every engine gave the same answers as terrain on " + ", ".join(QNAMES) if not mismatches and not failures
             else "**differences:** " + "; ".join(failures + mismatches))
    frag = (f"## N = {args.n:,}\n\n"
            f"Measured {now} on {mi['nproc']} cores ({mi['cpu']}), {mi['mem']} RAM, Linux {mi['kernel']}; "
            f"{args.runs} timed runs after one warm-up, median in ms"
            f"{f' of the least disturbed of {args.rounds} rounds' if args.rounds > 1 else ''}. Versions: {versions}; {swift_version()}. "
            f"Load average (1 min) {args.load_start:.2f} at the start, {load_end:.2f} at the end "
            f"(other work on the machine disturbs the figures; ratios in one run are what count).\n\n"
            f"{table}\n\nCheck: {check}.\n")
    with open(os.path.join(frag_dir, f"N{args.n}.md"), "w") as f:
        f.write(frag)
    assemble_results(frag_dir)


def assemble_results(frag_dir):
    """Writes RESULTS.md from the per-N sections and the hand-written notes."""
    frags = sorted((fn for fn in os.listdir(frag_dir) if re.match(r"N\d+\.md$", fn)), key=lambda s: int(s[1:-3]))
    body = ["# Benchmark results\n",
            "Written by `benchmarks/run` (see README.md); one section per N, each measured in one run "
            "(terrain and every peer side by side on the same data). Times in milliseconds; the ratio is terrain's "
            "median ÷ the fastest peer's. L1 includes loading communes.csv (35,000 rows); "
            "RSS is VmHWM after load (terrain: a separate process that only loads).\n"]
    for fn in frags:
        with open(os.path.join(frag_dir, fn)) as f:
            body.append(f.read())
    notes = os.path.join(frag_dir, "notes.md")  # hand-written observations, kept across runs
    if os.path.exists(notes):
        with open(notes) as f:
            body.append(f.read())
    with open(os.path.join(HERE, "RESULTS.md"), "w") as f:
        f.write("\n".join(body))
    log(f"wrote {os.path.join(HERE, 'RESULTS.md')}")


if __name__ == "__main__":
    main()
