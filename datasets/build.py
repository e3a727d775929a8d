#!/usr/bin/env python3
"""Build terrain's bundled tables from the project's shared real open data.

    python3 datasets/build.py                          # ../shared/data -> datasets/
    python3 datasets/build.py --source DIR --out DIR   # other folders
    python3 datasets/build.py --gzip                   # .csv.gz instead of .csv

It reads the files of the shared data folder (see its README.md for their provenance)
and writes six tables: communes, epci, departements, regions, fibre, barometre, and the
outlines of départements and régions for `chart map` (contours/, copied byte for byte).
Nothing is invented: every value is copied from a source file, or is a sum, a count
or a ratio of copied values, as documented in datasets/README.md.

Python 3 standard library only.  The output is byte-reproducible: rows are sorted by
their key, numbers are formatted from exact decimals (no binary floating point), no
set or hash order reaches the output, and a gzip file has no name and mtime 0.
The script checks its input (row counts, codes, the sums the sources state) and stops
with a message naming the file and the row when something does not hold.
"""

import argparse
import csv
import gzip
import io
import os
import sys
from decimal import Decimal, ROUND_HALF_UP, InvalidOperation

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SOURCE = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))


class BuildError(Exception):
    pass


# --------------------------------------------------------------------------------------
# Reading and formatting
# --------------------------------------------------------------------------------------

def read_rows(source, name, expected_header_prefix):
    """Rows of a comma-separated UTF-8 source file as dicts; checks the header."""
    path = os.path.join(source, name)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f, delimiter=",", quotechar='"', strict=True)
            header = next(reader)
            missing = [c for c in expected_header_prefix if c not in header]
            if missing:
                raise BuildError(f"{path}: missing columns {', '.join(missing)}")
            rows = []
            for line_number, fields in enumerate(reader, start=2):
                if len(fields) != len(header):
                    raise BuildError(f"{path}:{line_number}: {len(fields)} fields, expected {len(header)}")
                rows.append(dict(zip(header, fields)))
            return rows
    except OSError as e:
        raise BuildError(f"{path}: {e.strerror}") from e
    except csv.Error as e:
        raise BuildError(f"{path}: {e}") from e


def number(text, where):
    """The exact decimal value of a source field, or None for an empty field."""
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BuildError(f"{where}: `{text}` is not a number") from None
    if not value.is_finite():
        raise BuildError(f"{where}: `{text}` is not a finite number")
    return value


def fmt(value, kind):
    """Fixed formatting: `int` without decimals, `dN` with exactly N decimals, half up."""
    if value is None:
        return ""
    if kind == "int":
        if value != value.to_integral_value():
            raise BuildError(f"{value} is not an integer")
        return str(int(value))
    if kind.startswith("d"):
        quantum = Decimal(1).scaleb(-int(kind[1:]))
        return str(value.quantize(quantum, rounding=ROUND_HALF_UP))
    raise BuildError(f"unknown number format {kind}")


def percent(numerator, denominator):
    """100 × numerator / denominator with one decimal, half up; None when undefined."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def sum_or_null(values):
    """terrain's `sum`: nulls skipped, null when every value is null."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    total = Decimal(0)
    for v in present:
        total += v
    return total


def write_table(out, name, header, rows, compress):
    """Writes one table; the bytes depend only on the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL,
                        lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        if len(row) != len(header):
            raise BuildError(f"{name}: a row has {len(row)} fields, the header {len(header)}")
        writer.writerow(row)
    data = buffer.getvalue().encode("utf-8")
    os.makedirs(out, exist_ok=True)
    if compress:
        path = os.path.join(out, name + ".csv.gz")
        with open(path + ".tmp", "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as z:
                z.write(data)
    else:
        path = os.path.join(out, name + ".csv")
        with open(path + ".tmp", "wb") as f:
            f.write(data)
    os.replace(path + ".tmp", path)
    return path


# Outlines for `chart map`: the shared GeoJSON files, byte for byte (checked to be GeoJSON
# FeatureCollections of the expected codes), written as contours/NAME.geojson[.gz].
CONTOURS = [
    ("departements", "contours_departements_ign_2018_simplifies.geojson", 96),
    ("regions", "contours_regions_ign_2018_simplifies.geojson", 13),
]


def write_contours(source, out, compress):
    """Copies the outlines (byte-identical; gzip without name and mtime 0 when compressed)."""
    import json
    written = []
    for name, file_name, expected in CONTOURS:
        path = os.path.join(source, file_name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise BuildError(f"{path}: {e.strerror}") from e
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise BuildError(f"{path}: not JSON: {e}") from e
        features = document.get("features") if isinstance(document, dict) else None
        check(document.get("type") == "FeatureCollection" and isinstance(features, list),
              f"{path}: not a GeoJSON FeatureCollection")
        codes = [str(f.get("properties", {}).get("code", "")) for f in features]
        check(len(codes) == expected and len(set(codes)) == expected and all(codes),
              f"{path}: {len(codes)} features with distinct codes, expected {expected}")
        folder = os.path.join(out, "contours")
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, name + (".geojson.gz" if compress else ".geojson"))
        with open(target + ".tmp", "wb") as raw:
            if compress:
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as z:
                    z.write(data)
            else:
                raw.write(data)
        os.replace(target + ".tmp", target)
        written.append((target, len(codes)))
    return written


def check(condition, message):
    if not condition:
        raise BuildError(message)


# --------------------------------------------------------------------------------------
# communes
# --------------------------------------------------------------------------------------

# (bundled column, source column of communes.csv, format). `text` is copied as is.
COMMUNE_COLUMNS = [
    ("code_insee", "code_insee", "text"),
    ("nom", "nom", "text"),
    ("code_departement", "code_departement", "text"),
    ("code_region", "code_region", "text"),
    ("code_arrondissement", "code_arrondissement", "text"),
    ("epci", "epci_siren", "text"),
    ("population", "population_municipale", "int"),
    ("population_totale", "population_totale", "int"),
    ("population_millesime", "population_millesime", "int"),
    ("superficie", "superficie_km2", "d2"),
    ("latitude", "latitude", "d5"),
    ("longitude", "longitude", "d5"),
    ("codes_postaux", "codes_postaux", "text"),
    ("pop_2013", "P13_POP", "int"),
    ("pop_2015", "population_2015", "int"),
    ("pop_2018", "P18_POP", "int"),
    ("pop_2021", "population_2021", "int"),
    ("naissances_2020", "NAISD20", "int"),
    ("deces_2020", "DECESD20", "int"),
    ("naissances_2022", "naissances_2022", "int"),
    ("deces_2022", "deces_2022", "int"),
    ("menages_2021", "menages_2021", "int"),
    ("logements_2018", "P18_LOG", "d1"),
    ("residences_principales_2018", "P18_RP", "d1"),
    ("residences_secondaires_2018", "P18_RSECOCC", "d1"),
    ("logements_vacants_2018", "P18_LOGVAC", "d1"),
    ("rp_proprietaires_2018", "P18_RP_PROP", "d1"),
    ("menages_fiscaux_2019", "NBMENFISC19", "int"),
    ("revenu_median_2019", "MED19", "int"),
    ("part_menages_imposes_2019", "PIMP19", "int"),
    ("taux_pauvrete_2019", "TP6019", "int"),
    ("habitants_15_64_2021", "pop_15_64_totale_2021", "int"),
    ("actifs_15_64_2021", "pop_15_64_active_2021", "int"),
    ("chomeurs_15_64_2021", "pop_15_64_chomage_2021", "int"),
    ("emplois_2013", "P13_EMPLT", "d1"),
    ("emplois_2018", "P18_EMPLT", "d1"),
    ("emplois_salaries_2018", "P18_EMPLT_SAL", "d1"),
    ("etablissements_2018", "ETTOT18", "int"),
    ("etab_agriculture_2018", "ETAZ18", "int"),
    ("etab_industrie_2018", "ETBE18", "int"),
    ("etab_construction_2018", "ETFZ18", "int"),
    ("etab_commerce_services_2018", "ETGU18", "int"),
    ("etab_administration_2018", "ETOQ18", "int"),
]

COMMUNE_TEXT_NOT_EMPTY = ["code_insee", "nom", "code_departement", "code_region"]


def build_communes(source):
    """One row per commune of the COG 2026, values as `Decimal` or text, keyed by code."""
    rows = read_rows(source, "communes.csv", [c[1] for c in COMMUNE_COLUMNS])
    check(len(rows) == 34875, f"communes.csv: {len(rows)} rows, expected 34875")
    communes = {}
    for line, r in enumerate(rows, start=2):
        where = f"communes.csv:{line}"
        row = {}
        for name, src, kind in COMMUNE_COLUMNS:
            text = r[src]
            if kind == "text":
                row[name] = text
            else:
                row[name] = number(text, f"{where} ({src})")
                # The format must render the value without losing anything but rounding.
                try:
                    fmt(row[name], kind)
                except BuildError as e:
                    raise BuildError(f"{where} ({src}): {e}") from None
        for name in COMMUNE_TEXT_NOT_EMPTY:
            check(row[name] != "", f"{where}: empty {name}")
        code = row["code_insee"]
        check(len(code) == 5, f"{where}: commune code `{code}` is not 5 characters")
        check(code not in communes, f"{where}: duplicate commune code {code}")
        communes[code] = row
    return communes


def commune_table(communes):
    kinds = {name: kind for name, _, kind in COMMUNE_COLUMNS}
    header = [c[0] for c in COMMUNE_COLUMNS]
    out = []
    for code in sorted(communes):
        row = communes[code]
        out.append([row[h] if kinds[h] == "text" else fmt(row[h], kinds[h]) for h in header])
    return header, out


# --------------------------------------------------------------------------------------
# fibre (ARCEP 2024, summed onto the 2026 communes)
# --------------------------------------------------------------------------------------

FIBRE_TECHNOLOGIES = ["fibre", "cable", "dsl", "thd_radio", "4g_fixe", "hd_radio", "satellite"]


def build_fibre(source, communes):
    """Per 2026 commune: the ARCEP counts of the source communes it contains."""
    columns = ["code_insee", "nb_locaux", "code_insee_2026"] + [f"nb_locaux_{t}" for t in FIBRE_TECHNOLOGIES]
    rows = read_rows(source, "fibre_communes_arcep_2024.csv", columns)
    check(len(rows) == 34941, f"fibre_communes_arcep_2024.csv: {len(rows)} rows, expected 34941")
    fibre = {}
    seen = set()
    for line, r in enumerate(rows, start=2):
        where = f"fibre_communes_arcep_2024.csv:{line}"
        check(r["code_insee"] not in seen, f"{where}: duplicate code {r['code_insee']}")
        seen.add(r["code_insee"])
        target = r["code_insee_2026"]
        if target == "":
            continue  # later split, or not a commune of the COG 2026 (see the README)
        check(target in communes, f"{where}: code_insee_2026 {target} is not a commune")
        locaux = number(r["nb_locaux"], f"{where} (nb_locaux)")
        check(locaux is not None, f"{where}: empty nb_locaux")
        entry = fibre.setdefault(target, {"sources": [], "locaux": Decimal(0),
                                          **{t: Decimal(0) for t in FIBRE_TECHNOLOGIES}})
        entry["sources"].append(r["code_insee"])
        entry["locaux"] += locaux
        for t in FIBRE_TECHNOLOGIES:
            # The source writes an empty field for 0 eligible locaux (its pct is then 0).
            value = number(r[f"nb_locaux_{t}"], f"{where} (nb_locaux_{t})")
            if value is not None:
                check(value <= locaux, f"{where}: nb_locaux_{t} > nb_locaux")
                entry[t] += value
    return fibre


def fibre_table(fibre, communes):
    header = ["code_insee", "nom", "locaux"] + [f"locaux_{t}" for t in FIBRE_TECHNOLOGIES] + ["codes_arcep"]
    out = []
    for code in sorted(fibre):
        e = fibre[code]
        out.append([code, communes[code]["nom"], fmt(e["locaux"], "int")]
                   + [fmt(e[t], "int") for t in FIBRE_TECHNOLOGIES]
                   + ["|".join(sorted(e["sources"]))])
    return header, out


# --------------------------------------------------------------------------------------
# Aggregates shared by epci, departements and regions
# --------------------------------------------------------------------------------------

# Sums over member communes (terrain's `sum`: nulls skipped, null if all are null), in
# the format of the commune column.  `locaux` and `locaux_fibre` come from `fibre`.
SUMMED = [
    ("population", "int"),
    ("population_totale", "int"),
    ("superficie", "d2"),
    ("pop_2015", "int"),
    ("pop_2021", "int"),
    ("naissances_2022", "int"),
    ("deces_2022", "int"),
    ("menages_2021", "int"),
    ("logements_2018", "d1"),
    ("residences_secondaires_2018", "d1"),
    ("logements_vacants_2018", "d1"),
    ("actifs_15_64_2021", "int"),
    ("chomeurs_15_64_2021", "int"),
    ("emplois_2018", "d1"),
    ("etablissements_2018", "int"),
    ("locaux", "int"),
    ("locaux_fibre", "int"),
]
SUMMED_HEADER = [name for name, _ in SUMMED] + ["share_ftth"]


def member_value(commune, fibre, name, kind):
    """A member's value as written in the bundled tables (so that sums reproduce)."""
    if name == "locaux":
        value = fibre[commune["code_insee"]]["locaux"] if commune["code_insee"] in fibre else None
    elif name == "locaux_fibre":
        value = fibre[commune["code_insee"]]["fibre"] if commune["code_insee"] in fibre else None
    else:
        value = commune[name]
    text = fmt(value, kind)
    return None if text == "" else Decimal(text)


def summed_fields(members, fibre):
    sums = {name: sum_or_null([member_value(c, fibre, name, kind) for c in members]) for name, kind in SUMMED}
    fields = [fmt(sums[name], kind) for name, kind in SUMMED]
    fields.append(fmt(percent(sums["locaux_fibre"], sums["locaux"]), "d1"))
    return fields, sums


def incomplete(members, fibre, label, report):
    """Records, for the summary, the sums that miss some (not all) member communes."""
    gaps = {}
    for name, kind in SUMMED:
        nulls = sum(1 for c in members if member_value(c, fibre, name, kind) is None)
        if 0 < nulls < len(members):
            gaps.setdefault(nulls, []).append(name)
    for nulls in sorted(gaps):
        report.append(f"{label} ({len(members)} communes): {nulls} missing in {', '.join(gaps[nulls])}")


# --------------------------------------------------------------------------------------
# epci
# --------------------------------------------------------------------------------------

def build_epci(source, communes, fibre, report):
    rows = read_rows(source, "epci.csv", ["epci_siren", "nom", "nature_juridique", "mode_financement",
                                          "dep_siege", "reg_siege", "nb_communes", "population_municipale_2023",
                                          "nb_departements", "departements_membres"])
    check(len(rows) == 1255, f"epci.csv: {len(rows)} rows, expected 1255")
    members = group(communes, "epci")
    members.pop("", None)  # the four island communes in no EPCI
    header = ["siren", "nom", "nature", "mode_financement", "dep", "code_region", "nb_departements",
              "departements_membres", "nb_communes"] + SUMMED_HEADER
    out = []
    seen = set()
    for line, r in enumerate(sorted(rows, key=lambda r: r["epci_siren"]), start=1):
        siren = r["epci_siren"]
        where = f"epci.csv (siren {siren})"
        check(len(siren) == 9 and siren.isdigit(), f"{where}: not a SIREN")
        check(siren not in seen, f"{where}: duplicate")
        seen.add(siren)
        mine = members.get(siren, [])
        check(len(mine) == int(r["nb_communes"]), f"{where}: {len(mine)} communes, the file says {r['nb_communes']}")
        fields, sums = summed_fields(mine, fibre)
        check(sums["population"] == number(r["population_municipale_2023"], where),
              f"{where}: population {sums['population']} differs from population_municipale_2023")
        deps = sorted({c["code_departement"] for c in mine})
        check("|".join(deps) == r["departements_membres"], f"{where}: member départements differ")
        incomplete(mine, fibre, f"epci {siren} {r['nom']}", report)
        out.append([siren, r["nom"], r["nature_juridique"], r["mode_financement"], r["dep_siege"], r["reg_siege"],
                    str(len(deps)), r["departements_membres"], str(len(mine))] + fields)
    check(set(members) <= seen, "communes.csv: an epci_siren is not in epci.csv")
    return header, out


# --------------------------------------------------------------------------------------
# departements and regions
# --------------------------------------------------------------------------------------

def group(communes, column):
    """Communes by the value of `column`, each list in code order."""
    groups = {}
    for code in sorted(communes):
        groups.setdefault(communes[code][column], []).append(communes[code])
    return groups


def epci_seats(epci_rows, column):
    counts = {}
    for row in epci_rows:
        counts[row[column]] = counts.get(row[column], 0) + 1
    return counts


def build_departements(source, communes, fibre, epci_header, epci_rows, report):
    rows = read_rows(source, "departements.csv", ["code_departement", "code_region", "nom", "cheflieu",
                                                  "nb_communes", "population_municipale"])
    check(len(rows) == 101, f"departements.csv: {len(rows)} rows, expected 101")
    seats = epci_seats(epci_rows, epci_header.index("dep"))
    by_departement = group(communes, "code_departement")
    header = ["code_departement", "nom", "code_region", "cheflieu", "nb_communes", "nb_epci"] + SUMMED_HEADER
    out = []
    for r in sorted(rows, key=lambda r: r["code_departement"]):
        code = r["code_departement"]
        where = f"departements.csv ({code})"
        mine = by_departement.get(code, [])
        check(len(mine) == int(r["nb_communes"]), f"{where}: {len(mine)} communes, the file says {r['nb_communes']}")
        check(all(c["code_region"] == r["code_region"] for c in mine), f"{where}: a commune has another région")
        fields, sums = summed_fields(mine, fibre)
        check(sums["population"] == number(r["population_municipale"], where), f"{where}: population differs")
        incomplete(mine, fibre, f"département {code} {r['nom']}", report)
        out.append([code, r["nom"], r["code_region"], r["cheflieu"], str(len(mine)), str(seats.get(code, 0))] + fields)
    check(sum(int(row[4]) for row in out) == len(communes), "départements do not cover every commune")
    return header, out


def build_regions(source, communes, fibre, epci_header, epci_rows, dep_rows, report):
    rows = read_rows(source, "regions.csv", ["code_region", "nom", "cheflieu", "nb_departements",
                                             "nb_communes", "population_municipale"])
    check(len(rows) == 18, f"regions.csv: {len(rows)} rows, expected 18")
    seats = epci_seats(epci_rows, epci_header.index("code_region"))
    by_region = group(communes, "code_region")
    header = ["code_region", "nom", "cheflieu", "nb_departements", "nb_communes", "nb_epci"] + SUMMED_HEADER
    out = []
    for r in sorted(rows, key=lambda r: r["code_region"]):
        code = r["code_region"]
        where = f"regions.csv ({code})"
        mine = by_region.get(code, [])
        deps = sum(1 for d in dep_rows if d[2] == code)
        check(deps == int(r["nb_departements"]), f"{where}: {deps} départements, the file says {r['nb_departements']}")
        check(len(mine) == int(r["nb_communes"]), f"{where}: {len(mine)} communes, the file says {r['nb_communes']}")
        fields, sums = summed_fields(mine, fibre)
        check(sums["population"] == number(r["population_municipale"], where), f"{where}: population differs")
        incomplete(mine, fibre, f"région {code} {r['nom']}", report)
        out.append([code, r["nom"], r["cheflieu"], str(deps), str(len(mine)), str(seats.get(code, 0))] + fields)
    return header, out


# --------------------------------------------------------------------------------------
# barometre
# --------------------------------------------------------------------------------------

BAROMETRE_COLUMNS = [
    ("indicateur", "indic_id"),
    ("libelle", "indic_nom"),
    ("maille", "maille"),
    ("code_zone", "code_zone"),
    ("date", "metric_enforce_date"),
    ("valeur_initiale", "indic_vi"),
    ("valeur", "indic_va"),
    ("valeur_cible", "indic_vc"),
    ("taux_avancement", "indic_ta"),
]
MAILLES = {"NAT": 0, "REG": 1, "DEPT": 2}


def build_barometre(source, dep_rows, region_rows):
    rows = read_rows(source, "barometre_transition.csv", [c[1] for c in BAROMETRE_COLUMNS])
    check(len(rows) == 15129, f"barometre_transition.csv: {len(rows)} rows, expected 15129")
    departements = {d[0] for d in dep_rows}
    regions = {r[0] for r in region_rows}
    out = []
    keys = set()
    for line, r in enumerate(rows, start=2):
        where = f"barometre_transition.csv:{line}"
        maille, zone, date = r["maille"], r["code_zone"], r["metric_enforce_date"]
        check(maille in MAILLES, f"{where}: unknown maille {maille}")
        check((maille == "NAT" and zone == "FR") or (maille == "REG" and zone in regions)
              or (maille == "DEPT" and zone in departements), f"{where}: zone {zone} is not a {maille}")
        check(len(date) == 10 and date[4] == "-" and date[7] == "-" and (date[:4] + date[5:7] + date[8:]).isdigit(),
              f"{where}: date `{date}` is not YYYY-MM-DD")
        key = (r["indic_id"], maille, zone, date)
        check(key not in keys, f"{where}: duplicate indicator, zone and date")
        keys.add(key)
        values = []
        for name, src in BAROMETRE_COLUMNS[5:]:
            number(r[src], f"{where} ({src})")  # validates; the source text is kept as written
            values.append(r[src])
        check(any(values), f"{where}: no value")
        out.append(([r["indic_id"], MAILLES[maille], zone, date],
                    [r["indic_id"], r["indic_nom"], maille, zone, date] + values))
    out.sort(key=lambda pair: pair[0])
    return [c[0] for c in BAROMETRE_COLUMNS], [row for _, row in out]


# --------------------------------------------------------------------------------------

def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="the shared data folder (default: %(default)s)")
    parser.add_argument("--out", default=HERE, help="where to write the tables (default: this folder)")
    parser.add_argument("--gzip", action="store_true", help="write deterministic .csv.gz files (mtime 0)")
    args = parser.parse_args(argv)
    try:
        report = []
        communes = build_communes(args.source)
        fibre = build_fibre(args.source, communes)
        epci_header, epci_rows = build_epci(args.source, communes, fibre, report)
        dep_header, dep_rows = build_departements(args.source, communes, fibre, epci_header, epci_rows, report)
        reg_header, reg_rows = build_regions(args.source, communes, fibre, epci_header, epci_rows, dep_rows, report)
        baro_header, baro_rows = build_barometre(args.source, dep_rows, reg_rows)
        tables = [
            ("communes", *commune_table(communes)),
            ("epci", epci_header, epci_rows),
            ("departements", dep_header, dep_rows),
            ("regions", reg_header, reg_rows),
            ("fibre", *fibre_table(fibre, communes)),
            ("barometre", baro_header, baro_rows),
        ]
        for name, header, rows in tables:
            path = write_table(args.out, name, header, rows, args.gzip)
            print(f"{os.path.basename(path)}: {len(rows)} rows, {len(header)} columns")
        for path, count in write_contours(args.source, args.out, args.gzip):
            print(f"contours/{os.path.basename(path)}: {count} outlines")
    except BuildError as e:
        print(f"build.py: error: {e}", file=sys.stderr)
        return 1
    print("sums that miss some member communes (nulls skipped, see README.md):")
    for line in report:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
