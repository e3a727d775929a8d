"""Second-wave parts of the harness (issue 16), kept apart from harness.py's core:

- `build_baseline`: a second terrain built from another commit (`--baseline COMMIT`);
- `run_floor`: the memory-bandwidth floor of Q1 (floor.c, built here);
- `run_xlsx`: L3 (load communes.xlsx) and E2 (export 1M rows to xlsx) for terrain and the
  xlsx peers (peers_xlsx.py), with their answers checked;
- (P1/P2, PostgreSQL, are in harness_pg.py.)

Standard library only, like harness.py; the peers run in the harness's virtual environment.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# ------------------------------------------------------------------ --baseline COMMIT
def build_baseline(commit, log, loud):
    """Builds `commit` of terrain with `swift build -c release` in a temporary worktree, into
    its own build folder (benchmarks/data/baseline/SHA/build, kept: a second run with the same
    commit reuses it). Returns (binary path, short sha), or (None, None) after a loud line."""
    r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", f"{commit}^{{commit}}"],
                       capture_output=True, text=True)
    sha = r.stdout.strip()
    if r.returncode != 0 or not sha:
        loud(f"--baseline {commit}: not a commit of this repository")
        return None, None
    short = sha[:9]
    base = os.path.join(HERE, "data", "baseline", sha)
    scratch = os.path.join(base, "build")
    binpath = os.path.join(scratch, "release", "terrain")
    stamp = os.path.join(base, "built")
    if os.path.exists(stamp) and os.path.exists(binpath):
        log(f"baseline {short}: reusing {binpath}")
        return binpath, short
    os.makedirs(base, exist_ok=True)
    src = tempfile.mkdtemp(prefix=f"terrain-baseline-{short}-")
    shutil.rmtree(src)  # git worktree add wants to create it
    r = subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", src, sha], capture_output=True, text=True)
    if r.returncode != 0:
        loud(f"--baseline {short}: git worktree add failed: {r.stderr.strip()[-500:]}")
        return None, None
    try:
        # the dependencies' checkouts of this build, so that the baseline resolves offline
        mine = os.path.join(ROOT, ".build")
        for part in ("checkouts", "repositories"):
            if os.path.isdir(os.path.join(mine, part)) and not os.path.exists(os.path.join(scratch, part)):
                shutil.copytree(os.path.join(mine, part), os.path.join(scratch, part), symlinks=True)
        log(f"baseline {short}: swift build -c release --scratch-path {scratch}")
        r = subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch], cwd=src,
                           capture_output=True, text=True)
        if r.returncode != 0:
            loud(f"--baseline {short}: swift build -c release failed:\n{(r.stdout + r.stderr)[-2000:]}")
            return None, None
        with open(stamp, "w") as f:
            f.write(sha + "\n")
    finally:
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", src], capture_output=True)
    return binpath, short


# ------------------------------------------------------------------ Q1's memory-bandwidth floor
def run_floor(n, runs, log, loud):
    """Builds floor.c and runs it on N values per column. Returns {"1t": ms, "2t": ms} or None."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        loud("no C compiler (cc): the memory-bandwidth floor of Q1 is not measured")
        return None
    work = tempfile.mkdtemp(prefix="terrain-floor-")
    try:
        exe = os.path.join(work, "floor")
        r = subprocess.run([cc, "-O3", "-pthread", os.path.join(HERE, "floor.c"), "-o", exe],
                           capture_output=True, text=True)
        if r.returncode != 0:
            loud(f"floor.c does not build: {r.stderr.strip()[-500:]}")
            return None
        log("floor: summing Q1's three columns (C loop)")
        r = subprocess.run([exe, str(n), str(max(runs, 5))], capture_output=True, text=True, timeout=600)
        found = dict(re.findall(r"^floor (\dt) ([0-9.]+)$", r.stdout, re.M))
        if r.returncode != 0 or len(found) != 2:
            loud(f"floor failed (exit {r.returncode}): {r.stderr.strip()[-300:]}")
            return None
        return {k: float(v) for k, v in found.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def floor_line(floor, q1_ms):
    """The line printed beside the table: the floor and Q1 ÷ floor (with the faster floor)."""
    if not floor:
        return "Q1 memory-bandwidth floor: not measured"
    best = min(floor.values())
    ratio = f"{q1_ms / best:.2f}" if q1_ms else "—"
    return (f"Q1 memory-bandwidth floor (C loop summing ftth, debit, annee): 1 thread {floor['1t']:.3g} ms, "
            f"2 threads {floor['2t']:.3g} ms; terrain Q1 ÷ the faster floor = {ratio} (target ≤ 2)")


# ------------------------------------------------------------------ L3 / E2 (xlsx)
XLSX_PEERS = [("python-calamine", "calamine", ["python_calamine"]),
              ("polars (calamine / xlsxwriter)", "polars", ["polars"]),
              ("pandas (openpyxl)", "pandas", ["pandas", "openpyxl"])]
XLSX_PACKAGES = ["openpyxl", "xlsxwriter", "python-calamine", "fastexcel"]


def terrain_xlsx_script(communes_xlsx, locaux, runs, export_path):
    """L3: R+1 loads of communes.xlsx, then its check aggregate; E2: R+1 exports of 1M rows."""
    lines = [".timer on"]
    lines += [f'load "{communes_xlsx}" as communes_x'] * (runs + 1)
    lines.append("from communes_x | aggregate n = count(), p = sum(population), s = sum(superficie)")
    lines.append(f'load "{locaux}" as locaux')
    lines += [f'from locaux | take 1000000 | export "{export_path}"'] * (runs + 1)
    return "\n".join(lines) + "\n"


def run_terrain_xlsx(binpath, communes_xlsx, locaux, runs, timeout, work, tag):
    """terrain's L3 and E2 timings and the L3 answer; errors as a list."""
    export_path = os.path.join(work, f"e2_{tag}.xlsx")
    script = os.path.join(work, f"xlsx_{tag}.tq")
    with open(script, "w") as f:
        f.write(terrain_xlsx_script(communes_xlsx, locaux, runs, export_path))
    res = {"errors": []}
    try:
        p = subprocess.run([binpath, "--no-data", "--mode", "csv", script], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        res["errors"].append("xlsx script: timeout")
        return res
    times = [float(x) for x in re.findall(r"^time: ([0-9.]+) ms", p.stderr, re.M)]
    want = 2 * (runs + 1) + 2
    if p.returncode != 0 or len(times) < want:
        msg = (p.stderr.strip().splitlines() or ["(no message)"])[-1]
        res["errors"].append(f"xlsx script: exit {p.returncode} after {len(times)} of {want} statements: {msg}")
        return res
    times = times[-want:]
    res["L3"] = times[1:runs + 1]
    res["E2"] = times[runs + 4:]
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    try:
        i = lines.index("n,p,s")
        n, pop, sup = lines[i + 1].split(",")
        res["L3_answer"] = [int(n), int(pop), float(sup)]
    except (ValueError, IndexError):
        res["errors"].append("L3: check aggregate not found in terrain's output")
    res["E2_path"] = export_path
    return res


def same_answer(a, b):
    """L3 answers [rows, sum population, sum superficie] and E2 summaries compared (floats 1e-9)."""
    if a is None or b is None:
        return False
    if isinstance(a, dict):
        keys = ("rows", "id", "surface", "debit_empty")
        return all(same_answer([a[k]], [b[k]]) for k in keys)
    for x, y in zip(a, b):
        if isinstance(x, float) or isinstance(y, float):
            if abs(x - y) > 1e-9 * max(abs(x), abs(y), 1):
                return False
        elif x != y:
            return False
    return len(a) == len(b)


def run_xlsx(terrains, data, communes_csv, locaux, runs, timeout, py, have, log, loud):
    """L3 and E2 for each terrain binary ([(label, binpath)]) and each xlsx peer importable
    with `py`. Returns (results {label: {"L3": [...], "E2": [...]}}, mismatches, errors)."""
    results, mismatches, errors = {}, [], []
    communes_xlsx = os.path.join(data, "communes.xlsx")
    if not os.path.exists(communes_xlsx):
        if "polars" not in have or "xlsxwriter" not in have:
            loud("L3/E2 skipped: writing communes.xlsx needs polars and xlsxwriter in the harness's environment")
            return results, mismatches, errors
        r = subprocess.run([py, os.path.join(HERE, "peers_xlsx.py"), "prepare", communes_csv, communes_xlsx])
        if r.returncode != 0:
            loud("L3/E2 skipped: writing communes.xlsx with xlsxwriter failed")
            return results, mismatches, errors
    work = tempfile.mkdtemp(prefix="terrain-bench-xlsx-")
    try:
        for label, binpath in terrains:
            log(f"{label}: L3/E2 (xlsx)")
            t = run_terrain_xlsx(binpath, communes_xlsx, locaux, runs, timeout, work, re.sub(r"\W", "_", label))
            errors += [f"{label}: {e}" for e in t["errors"]]
            results[label] = t
        for label, eng, mods in XLSX_PEERS:
            missing = [m for m in mods if m not in have]
            if missing:
                loud(f"xlsx peer {label} unavailable ({', '.join(missing)} not importable): skipped")
                continue
            log(f"{label}: L3/E2 (xlsx)")
            out = os.path.join(work, f"{eng}.json")
            exp = os.path.join(work, f"e2_{eng}.xlsx")
            d = run_json([py, os.path.join(HERE, "peers_xlsx.py"), eng, communes_xlsx, locaux, str(runs), exp, out],
                         out, timeout)
            if d is None:
                loud(f"xlsx peer {label} failed: skipped")
                continue
            for k in ("skipped_L3", "skipped_E2"):
                if k in d:
                    loud(f"{label}: {k[-2:]} skipped ({d[k]})")
            results[label] = d
        # checks: L3 answers against the first terrain's; E2 files summarised by calamine
        ref_label = terrains[0][0]
        ref = results.get(ref_label, {}).get("L3_answer")
        for label, d in results.items():
            if label != ref_label and "L3_answer" in d and not same_answer(ref, d["L3_answer"]):
                mismatches.append(f"L3: {ref_label} {ref} vs {label} {d['L3_answer']}")
        paths = {label: d["E2_path"] for label, d in results.items() if d.get("E2_path") and os.path.exists(d["E2_path"])}
        if paths and "python_calamine" in have:
            r = subprocess.run([py, os.path.join(HERE, "peers_xlsx.py"), "summary", *paths.values()],
                               capture_output=True, text=True, timeout=timeout)
            sums = {json.loads(l)["path"]: json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")}
            want = min(1_000_000, count_rows(locaux))
            for label, path in paths.items():
                s = sums.get(path)
                if s is None:
                    mismatches.append(f"E2: {label}'s workbook could not be read back with calamine")
                elif s["rows"] != want:
                    mismatches.append(f"E2: {label} wrote {s['rows']} rows, expected {want}")
                elif label != ref_label and ref_label in paths and not same_answer(sums.get(paths[ref_label]), s):
                    mismatches.append(f"E2: {ref_label} {sums.get(paths[ref_label])} vs {label} {s}")
            if not mismatches:
                log(f"xlsx check: L3 and E2 equal across {', '.join(results)}")
        elif paths:
            loud("E2 not checked: python-calamine not importable")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results, mismatches, errors


def run_json(cmd, out, timeout, env=None):
    """Runs a peer process that writes its results as JSON into `out`; returns them (and
    removes the file), or None when it fails, times out or writes nothing."""
    try:
        r = subprocess.run(cmd, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if r.returncode != 0 or not os.path.exists(out):
        return None
    with open(out) as f:
        d = json.load(f)
    os.remove(out)
    return d


def count_rows(csv_path):
    with open(csv_path, "rb") as f:
        return sum(1 for _ in f) - 1


# ------------------------------------------------------------------ the second-wave table
def xlsx_table(results, terrain_labels):
    """Markdown table of L3 and E2 (medians, ms) per engine, with terrain ÷ the row's target
    peer (L3: calamine; E2: xlsxwriter)."""
    engines = [l for l in results]
    target = {"L3": "python-calamine", "E2": "polars (calamine / xlsxwriter)"}
    hdr = ["", *engines, "terrain ÷ target peer"]
    lines = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    names = {"L3": "L3 load communes.xlsx (35,000 rows)", "E2": "E2 export 1M rows to xlsx"}
    ratios = {}
    for key in ("L3", "E2"):
        vals = {e: statistics.median(results[e][key]) if results[e].get(key) else None for e in engines}
        t, p = vals.get(terrain_labels[0]), vals.get(target[key])
        ratio = t / p if t and p else None
        ratios[key] = ratio
        cells = [("—" if vals[e] is None else f"{vals[e]:.0f}" if vals[e] >= 100 else f"{vals[e]:.1f}") for e in engines]
        lines.append(f"| {names[key]} | " + " | ".join(cells) + f" | {'—' if ratio is None else f'{ratio:.2f}'} |")
    text = "\n".join(lines)
    text += ("\n\nL3 target ≤ 1.0 of calamine, E2 ≤ 0.5 of xlsxwriter; the peers' E2 and openpyxl's L3 are "
             "timed once or twice (they take seconds to minutes).")
    return text, ratios
