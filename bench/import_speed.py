"""Dataset import throughput, in rows per second, on generated ACLED, UCDP GED and GDELT 2.0 files.

    python bench/import_speed.py [--quick] [--rows N] [--formats acled,ucdp,gdelt] [--pg URL]

Writes N rows of each layout (current ACLED 31-column export, UCDP GED
global CSV, GDELT 2.0 event export; varied countries, actors, dates and
notes) to a temporary folder, then times, for each file:

- ``csv``: plain ``csv.reader`` over the same file, every field read and
  nothing else (the baseline: the least any CSV import can cost; best of 3);
- ``parse``: ``iter_events`` (rows to documents and events, no store; best of 3);
- ``cold``: ``import_file`` into a fresh SQLite store (every row new);
- ``warm``: ``import_file`` of the same file again (every row a duplicate).

Each line prints wall-clock rows/s, the ratio against the ``csv`` baseline
of the same file in the same run, and rows per CPU-second of this process
(on a shared machine the wall figure also counts time spent waiting for a
core; the load average is printed). Target (issue 11): cold import >= 5,000
rows/s on 2 cores. ``--pg URL`` adds cold/warm against a PostgreSQL store at URL
(its tables are emptied first: use a scratch database).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tripwire.interop import acled, gdelt, import_file, iter_events, ucdp
from tripwire.knowledge import KnowledgeBase

TARGET = 5000.0
COUNTRIES = [("Iraq", "368", "IRQ", "645", "IZ"), ("Syria", "760", "SYR", "652", "SY"), ("Benin", "204", "BEN", "434", "BN"),
             ("Nigeria", "566", "NGA", "475", "NI"), ("Yemen", "887", "YEM", "678", "YM"), ("Afghanistan", "004", "AFG", "700", "AF")]
ACTORS = ["Unidentified Armed Group ({c})", "Islamic State ({c})", "Military Forces of {c} (2014-)", "Kataib Hezbollah",
          "JNIM: Group for Support of Islam and Muslims", "Protesters ({c})", "Police Forces of {c} (2014-)"]
ACLED_TYPES = [("Explosions/Remote violence", "Shelling/artillery/missile attack"), ("Battles", "Armed clash"),
               ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest"), ("Explosions/Remote violence", "Air/drone strike"),
               ("Strategic developments", "Arrests")]
CAMEO = ["190", "193", "194", "195", "1831", "141", "043", "051", "183", "112"]


def _date(rng: np.random.Generator) -> dt.date:
    return dt.date(2015, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3000)))


def acled_rows(n: int, rng: np.random.Generator) -> tuple[list[str], list[list[str]]]:
    """``n`` rows of the current ACLED export (R-style NA in empty text fields, 'D Month YYYY' dates)."""
    rows = []
    for i in range(n):
        name, num, iso3, _gw, _fips = COUNTRIES[rng.integers(len(COUNTRIES))]
        kind, sub = ACLED_TYPES[rng.integers(len(ACLED_TYPES))]
        day = _date(rng)
        actor1 = ACTORS[rng.integers(len(ACTORS))].format(c=name)
        notes = f"On {day:%d %B %Y}, {actor1} carried out an attack near town {i % 997} in {name}; {int(rng.integers(0, 9))} people were reported killed."
        rows.append([f"{iso3}{100000 + i}", f"{day.day} {day:%B %Y}", str(day.year), "1", "Political violence", kind, sub, actor1, "NA", "3",
                     "Civilians ({})".format(name), "NA", "7", "37", "Civilian targeting", num, "Middle East", name, f"Province {i % 17}", "NA", "NA",
                     f"Town {i % 997}", f"{rng.uniform(5, 37):.4f}", f"{rng.uniform(1, 60):.4f}", "1", "Example Wire", "National",
                     notes, str(int(rng.integers(0, 9))), "NA", str(1_600_000_000 + i)])
    return list(acled.COLUMNS), rows


def ucdp_rows(n: int, rng: np.random.Generator) -> tuple[list[str], list[list[str]]]:
    """``n`` rows of the UCDP GED global CSV."""
    rows = []
    for i in range(n):
        name, _num, _iso3, gw, _fips = COUNTRIES[rng.integers(len(COUNTRIES))]
        day = _date(rng)
        violence = str(int(rng.integers(1, 4)))
        side_a, side_b = (f"Government of {name}", "IS") if violence != "3" else ("IS", "Civilians")
        best = int(rng.integers(1, 30))
        record = {c: "" for c in ucdp.COLUMNS}
        record.update(id=str(500000 + i), relid=f"{name[:3].upper()}-{day.year}-1-{i}", year=str(day.year), active_year="1", code_status="Clear",
                      type_of_violence=violence, dyad_name=f"{side_a} - {side_b}", side_a=side_a, side_b=side_b, number_of_sources="2",
                      source_headline=f"Fighting reported near town {i % 997}", where_prec="1", where_coordinates=f"Town {i % 997}",
                      adm_1=f"Province {i % 17}", latitude=f"{rng.uniform(5, 37):.4f}", longitude=f"{rng.uniform(1, 60):.4f}", country=name,
                      country_id=gw, region="Middle East", event_clarity="1", date_prec="1", date_start=f"{day} 00:00:00.000",
                      date_end=f"{day} 00:00:00.000", best=str(best), low=str(best), high=str(best + 2), gwnoa=gw)
        rows.append([record[c] for c in ucdp.COLUMNS])
    return list(ucdp.COLUMNS), rows


def gdelt_rows(n: int, rng: np.random.Generator) -> tuple[list[str], list[list[str]]]:
    """``n`` GDELT 2.0 event records (no header)."""
    rows = []
    for i in range(n):
        name, _num, iso3, _gw, fips = COUNTRIES[rng.integers(len(COUNTRIES))]
        day = _date(rng)
        code = CAMEO[rng.integers(len(CAMEO))]
        record = {c: "" for c in gdelt.COLUMNS}
        record.update(GLOBALEVENTID=str(900_000_000 + i), SQLDATE=f"{day:%Y%m%d}", MonthYear=f"{day:%Y%m}", Year=str(day.year),
                      Actor1Code=f"{iso3}MIL", Actor1Name=name.upper(), Actor1CountryCode=iso3, Actor1Type1Code="MIL", Actor2Name="CIVILIAN",
                      IsRootEvent=str(int(rng.integers(0, 2))), EventCode=code, EventBaseCode=code[:3], EventRootCode=code[:2], QuadClass="4",
                      GoldsteinScale="-10.0", NumMentions=str(int(rng.integers(1, 50))), NumSources=str(int(rng.integers(1, 6))), NumArticles="4",
                      AvgTone="-6.2", ActionGeo_Type="4", ActionGeo_FullName=f"Town {i % 997}, Province, {name}", ActionGeo_CountryCode=fips,
                      ActionGeo_Lat=f"{rng.uniform(5, 37):.4f}", ActionGeo_Long=f"{rng.uniform(1, 60):.4f}", DATEADDED=f"{day:%Y%m%d}120000",
                      SOURCEURL=f"https://news.example.org/{day:%Y/%m/%d}/story-{i}")
        rows.append([record[c] for c in gdelt.COLUMNS])
    return [], rows


GENERATORS: dict[str, tuple[str, Callable[[int, np.random.Generator], tuple[list[str], list[list[str]]]], str]] = {
    "acled": ("acled.csv", acled_rows, ","),
    "ucdp": ("ged.csv", ucdp_rows, ","),
    "gdelt": ("events.export.CSV", gdelt_rows, "\t"),
}


def write(path: Path, header: list[str], rows: list[list[str]], delimiter: str) -> None:
    """Write ``rows`` (with ``header`` when there is one) as a CSV/TSV file."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)


def best_of(fn: Callable[[], int], repeats: int = 3) -> tuple[float, float]:
    """The shortest of ``repeats`` runs of ``fn``: wall seconds, and CPU seconds of that run."""
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - start, time.process_time() - cpu))
    return best


def plain_csv(path: Path, delimiter: str) -> int:
    """Read every field of ``path`` with the csv module: the baseline."""
    n = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE):
            n += len(row) > 0
    return n


def timed_import(url: str, path: Path, fmt: str, kb: KnowledgeBase) -> tuple[float, float, int, int]:
    """Wall and CPU seconds to import ``path`` into the store at ``url``; rows added and duplicates."""
    from tripwire.store import Store

    with Store(url) as store:
        start, cpu = time.perf_counter(), time.process_time()
        report = import_file(store, path, format=fmt, kb=kb)
        return time.perf_counter() - start, time.process_time() - cpu, len(report.added), len(report.duplicates)


def empty_pg(url: str) -> None:
    """Remove every imported row from the PostgreSQL store at ``url``."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE claims, incident_documents, incidents, actions, document_locations, documents CASCADE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--formats", default="acled,ucdp,gdelt")
    parser.add_argument("--pg", default=None, help="PostgreSQL URL of a scratch database (emptied first)")
    args = parser.parse_args()
    n = args.rows or (2000 if args.quick else 20000)
    kb = KnowledgeBase.load()
    print(f"{n} rows per file; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; target cold >= {TARGET:,.0f} rows/s")
    print(f"{'file':8} {'step':12} {'seconds':>8} {'rows/s':>10} {'x csv':>7} {'rows/cpu-s':>11}  note")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            name, generate, delimiter = GENERATORS[fmt]
            path = Path(tmp) / name
            header, rows = generate(n, np.random.default_rng(20221228))
            write(path, header, rows, delimiter)
            base, base_cpu = best_of(lambda: plain_csv(path, delimiter))
            base_rate = n / base

            def line(step: str, seconds: float, cpu: float, note: str = "") -> float:
                rate = n / seconds
                print(f"{fmt:8} {step:12} {seconds:8.3f} {rate:10,.0f} {rate / base_rate:7.3f} {n / max(cpu, 1e-9):11,.0f}  {note}", flush=True)
                return rate

            line("csv", base, base_cpu, "baseline")
            line("parse", *best_of(lambda: sum(1 for _ in iter_events(path, format=fmt, kb=kb))))
            stores = [("sqlite", f"sqlite:///{Path(tmp) / (fmt + '.db')}")] + ([("pg", args.pg)] if args.pg else [])
            for label, url in stores:
                if label == "pg":
                    from tripwire.store import Store

                    Store(url).close()
                    empty_pg(url)
                seconds, cpu, added, dups = timed_import(url, path, fmt, kb)
                rate = line(f"cold {label}", seconds, cpu, f"{added} added, {dups} duplicates")
                failures += label == "sqlite" and rate < TARGET
                seconds, cpu, added, dups = timed_import(url, path, fmt, kb)
                line(f"warm {label}", seconds, cpu, f"{added} added, {dups} duplicates")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("target met" if not failures else f"target missed for {failures} file(s)")


if __name__ == "__main__":
    main()
