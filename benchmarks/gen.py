#!/usr/bin/env python3
"""Deterministic generator for the benchmark data described in shared/BENCHMARKS.md.

    python3 gen.py OUTDIR N

writes OUTDIR/communes.csv (35,000 rows) and OUTDIR/locaux_N.csv (N rows), each to a
temporary name renamed at the end. With numpy (the harness's venv has it) the work is
vectorised and written in chunks of 1,000,000 rows; without numpy a pure-Python path
(fine for the smoke size) produces data of the same shape from Python's `random`
(deterministic too, but not the same rows as the numpy path). The first line of each file
is its header; the generator kind is recorded in OUTDIR/GENERATOR.
"""
import os
import sys

SEED_COMMUNES = 20260101
SEED_LOCAUX = 20260102
N_COMMUNES = 35_000
N_EPCI = 1_250
DEPS = [f"{i:02d}" for i in range(1, 96) if i != 20] + ["2A", "2B"]  # 96 départements
TYPES = ["habitation", "professionnel", "mixte"]
TYPE_P = [0.85, 0.12, 0.03]
CLASSES = ["A", "B", "C", "D", "E", "F", "G"]
CLASSE_P = [0.04, 0.09, 0.20, 0.27, 0.21, 0.12, 0.07]
CHUNK = 1_000_000

try:
    import numpy as np
except ImportError:  # pragma: no cover - smoke path without numpy
    np = None


def _atomic_write(path, write_fn):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        write_fn(f)
    os.replace(tmp, path)


# ---------------------------------------------------------------- communes
def communes_rows_numpy():
    rng = np.random.default_rng(SEED_COMMUNES)
    # commune i lives in département DEPS[i % 96]; its 3-digit number is i // 96 + 1
    # (1…365), so every code is unique; a shuffle spreads the row order.
    idx = rng.permutation(N_COMMUNES)
    codes = [DEPS[i % 96] + f"{i // 96 + 1:03d}" for i in idx]
    epci_codes = 200_000_000 + rng.choice(99_999_999, size=N_EPCI, replace=False)
    epci_idx = np.concatenate([np.arange(N_EPCI), rng.integers(0, N_EPCI, N_COMMUNES - N_EPCI)])
    rng.shuffle(epci_idx)
    pop = np.clip(np.exp(rng.normal(6.3, 1.55, N_COMMUNES)), 10, 500_000).astype(np.int64)
    sup = np.round(np.clip(np.exp(rng.normal(2.7, 0.8, N_COMMUNES)), 1, 300), 2)
    rows = []
    for k in range(N_COMMUNES):
        c = codes[k]
        rows.append((c, f"Commune {c}", c[:2], str(int(epci_codes[epci_idx[k]])), int(pop[k]), float(sup[k])))
    return rows


def communes_rows_pure():
    import math
    import random
    r = random.Random(SEED_COMMUNES)
    idx = list(range(N_COMMUNES))
    r.shuffle(idx)
    codes = [DEPS[i % 96] + f"{i // 96 + 1:03d}" for i in idx]
    epci_codes = [str(c) for c in r.sample(range(200_000_000, 299_999_999), N_EPCI)]
    epci_idx = list(range(N_EPCI)) + [r.randrange(N_EPCI) for _ in range(N_COMMUNES - N_EPCI)]
    r.shuffle(epci_idx)
    rows = []
    for k in range(N_COMMUNES):
        c = codes[k]
        pop = int(min(max(math.exp(r.gauss(6.3, 1.55)), 10), 500_000))
        sup = round(min(max(math.exp(r.gauss(2.7, 0.8)), 1), 300), 2)
        rows.append((c, f"Commune {c}", c[:2], epci_codes[epci_idx[k]], pop, sup))
    return rows


def write_communes(path, rows):
    def w(f):
        f.write("commune,nom,dep,epci,population,superficie\n")
        for c, nom, dep, epci, pop, sup in rows:
            f.write(f"{c},{nom},{dep},{epci},{pop},{sup:.2f}\n")
    _atomic_write(path, w)


def read_communes(path):
    codes, pops = [], []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split(",")
            codes.append(p[0])
            pops.append(int(p[4]))
    return codes, pops


# ---------------------------------------------------------------- locaux
HEADER = "id,commune,dep,type,annee,surface,conso_kwh,ftth,debit,classe\n"


def write_locaux_numpy(path, n, codes, pops):
    rng = np.random.default_rng(SEED_LOCAUX)
    p = np.asarray(pops, dtype=np.float64)
    p /= p.sum()
    codes_arr = np.array(codes, dtype=object)
    deps_arr = np.array([c[:2] for c in codes], dtype=object)
    types = np.array(TYPES, dtype=object)
    classes = np.array(CLASSES, dtype=object)

    def w(f):
        f.write(HEADER)
        start = 0
        while start < n:
            m = min(CHUNK, n - start)
            ci = rng.choice(len(codes), size=m, p=p)
            ty = rng.choice(3, size=m, p=TYPE_P)
            annee = rng.integers(1900, 2025, size=m)
            surface = np.round(np.maximum(np.exp(rng.normal(np.log(80.0), 0.5, m)), 5.0), 2)
            conso = np.round(surface * rng.uniform(80.0, 300.0, m), 1)
            ftth = (rng.random(m) < 0.8).astype(np.int64)
            debit = np.where(ftth == 1, rng.uniform(300.0, 2000.0, m), rng.uniform(2.0, 100.0, m))
            debit = np.round(debit, 1)
            missing = rng.random(m) < 0.02
            cl = rng.choice(7, size=m, p=CLASSE_P)
            ids = np.arange(start + 1, start + m + 1)
            # format column-wise with numpy's string ops, then join rows
            deb_s = np.char.mod("%.1f", debit).astype(object)
            deb_s[missing] = ""
            cols = [
                ids.astype(str).astype(object),
                codes_arr[ci],
                deps_arr[ci],
                types[ty],
                annee.astype(str).astype(object),
                np.char.mod("%.2f", surface).astype(object),
                np.char.mod("%.1f", conso).astype(object),
                ftth.astype(str).astype(object),
                deb_s,
                classes[cl],
            ]
            line = cols[0]
            for c in cols[1:]:
                line = line + "," + c
            f.write("\n".join(line.tolist()))
            f.write("\n")
            start += m
    _atomic_write(path, w)


def write_locaux_pure(path, n, codes, pops):
    import bisect
    import itertools
    import math
    import random
    r = random.Random(SEED_LOCAUX)
    cum = list(itertools.accumulate(pops))
    total = cum[-1]
    tcum = list(itertools.accumulate(TYPE_P))
    ccum = list(itertools.accumulate(CLASSE_P))
    mu = math.log(80.0)

    def w(f):
        f.write(HEADER)
        buf = []
        for i in range(1, n + 1):
            c = codes[min(bisect.bisect_right(cum, r.random() * total), len(codes) - 1)]
            ty = TYPES[min(bisect.bisect_right(tcum, r.random()), 2)]
            annee = r.randint(1900, 2024)
            surface = round(max(math.exp(r.gauss(mu, 0.5)), 5.0), 2)
            conso = round(surface * r.uniform(80.0, 300.0), 1)
            ftth = 1 if r.random() < 0.8 else 0
            debit = r.uniform(300.0, 2000.0) if ftth else r.uniform(2.0, 100.0)
            deb_s = "" if r.random() < 0.02 else f"{debit:.1f}"
            cl = CLASSES[min(bisect.bisect_right(ccum, r.random()), 6)]
            buf.append(f"{i},{c},{c[:2]},{ty},{annee},{surface:.2f},{conso:.1f},{ftth},{deb_s},{cl}\n")
            if len(buf) >= 100_000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
    _atomic_write(path, w)


def ensure(outdir, n, quiet=False):
    os.makedirs(outdir, exist_ok=True)
    kind = "numpy" if np is not None else "pure-python"
    cpath = os.path.join(outdir, "communes.csv")
    lpath = os.path.join(outdir, f"locaux_{n}.csv")
    if not os.path.exists(cpath):
        if not quiet:
            print(f"generating {cpath} ({kind})", file=sys.stderr)
        write_communes(cpath, communes_rows_numpy() if np is not None else communes_rows_pure())
    if not os.path.exists(lpath):
        if not quiet:
            print(f"generating {lpath} ({n:,} rows, {kind})", file=sys.stderr)
        codes, pops = read_communes(cpath)
        (write_locaux_numpy if np is not None else write_locaux_pure)(lpath, n, codes, pops)
        with open(os.path.join(outdir, "GENERATOR"), "a") as g:
            g.write(f"locaux_{n}.csv {kind}\n")
    return cpath, lpath


def ensure_parquet(outdir, n, quiet=False):
    """L2/Q1p: `locaux_<n>.parquet`, the CSV's rows written by pyarrow (zstd, row groups of
    1,000,000 rows, pyarrow's defaults otherwise: dictionary pages, statistics); `commune` and
    `dep` read as text, as every engine reads them."""
    _, lpath = ensure(outdir, n, quiet)
    ppath = os.path.join(outdir, f"locaux_{n}.parquet")
    if not os.path.exists(ppath):
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
        import pyarrow as pa
        if not quiet:
            print(f"generating {ppath} (pyarrow {pa.__version__}, zstd, row groups of 1,000,000)", file=sys.stderr)
        table = pacsv.read_csv(lpath, convert_options=pacsv.ConvertOptions(
            column_types={"commune": pa.string(), "dep": pa.string()}))
        pq.write_table(table, ppath + ".tmp", compression="zstd", row_group_size=1_000_000)
        os.replace(ppath + ".tmp", ppath)
    return ppath


if __name__ == "__main__":
    if "--parquet" in sys.argv[3:]:
        ensure_parquet(sys.argv[1], int(sys.argv[2]))
    else:
        ensure(sys.argv[1], int(sys.argv[2]))
