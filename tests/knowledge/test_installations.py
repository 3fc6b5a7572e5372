"""Sanity checks on the curated installations table, read directly with :mod:`csv`.

The loader that merges this table into the gazetteer is tested elsewhere; these
tests only look at the data file itself.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "src" / "tripwire" / "knowledge" / "data" / "installations.csv"
HEADER = ["id", "name", "aliases", "country", "lat", "lon", "kind", "parent", "note"]

# Rough (lat_min, lat_max, lon_min, lon_max) per territory used in the table.
BBOX: dict[str, tuple[float, float, float, float]] = {
    "AE": (22.6, 26.1, 51.5, 56.4),
    "AF": (29.3, 38.5, 60.5, 74.9),
    "BF": (9.4, 15.1, -5.6, 2.5),
    "BH": (25.5, 26.35, 50.3, 50.85),
    "DJ": (10.9, 12.8, 41.7, 43.5),
    "EG": (22.0, 31.7, 24.7, 36.9),
    "IL": (29.4, 33.4, 34.2, 35.9),
    "IQ": (29.0, 37.4, 38.8, 48.6),
    "IR": (25.0, 39.8, 44.0, 63.4),
    "JO": (29.2, 33.4, 34.9, 39.3),
    "KE": (-4.8, 5.1, 33.9, 41.95),
    "KW": (28.5, 30.1, 46.5, 48.5),
    "LB": (33.0, 34.7, 35.1, 36.7),
    "LY": (19.5, 33.2, 9.3, 25.2),
    "ML": (10.1, 25.0, -12.3, 4.3),
    "NE": (11.6, 23.6, 0.1, 16.0),
    "OM": (16.6, 26.4, 51.9, 59.9),
    "PK": (23.6, 37.1, 60.8, 77.8),
    "QA": (24.4, 26.2, 50.7, 51.7),
    "SA": (16.3, 32.2, 34.5, 55.7),
    "SO": (-1.7, 12.0, 40.9, 51.5),
    "SY": (32.3, 37.35, 35.7, 42.4),
    "TR": (35.8, 42.2, 25.6, 44.9),
    "YE": (12.1, 19.0, 41.8, 54.6),
}
SITE_MARGIN = 0.1  # degrees of slack for a site against its country's box
SEA_MARGIN = 6.0  # sea areas are only reported with a coastal state

FORBIDDEN = {
    "victory", "union", "tower", "camp", "base", "air base", "airbase", "airfield", "green", "village",
    "patriot", "gate", "airport", "port", "harbour", "harbor", "embassy", "consulate", "sea", "gulf",
    "strait", "island", "field", "plant", "compound", "prison", "terminal", "refinery", "depot",
}
# Ids that already exist in gazetteer.csv; a row here may replace one but must keep its parent.
REPLACED_PARENTS = {
    "al-asad": "anbar",
    "us-embassy-baghdad": "green zone",
    "baghdad-airport": "baghdad",
    "erbil-airport": "erbil",
    "k1-air-base": "kirkuk",
    "camp-taji": "baghdad",
    "green-zone": "baghdad",
}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == HEADER
        return list(reader)


def _aliases(row: dict[str, str]) -> list[str]:
    return [a for a in row["aliases"].split("|") if a] if row["aliases"] else []


def _valid_countries() -> set[str]:
    try:
        import pycountry
    except ImportError:  # pragma: no cover - the bounding-box table doubles as the allow-list
        return set(BBOX)
    return {c.alpha_2 for c in pycountry.countries}


def test_enough_rows(rows):
    assert len(rows) >= 150


def test_ids_unique_and_slugs(rows):
    ids = [r["id"] for r in rows]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes
    bad = [i for i in ids if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i)]
    assert not bad


def test_required_fields(rows):
    for r in rows:
        assert r["name"].strip() == r["name"] and r["name"], r["id"]
        assert r["note"].strip(), r["id"]


def test_countries_valid(rows):
    valid = _valid_countries()
    bad = [(r["id"], r["country"]) for r in rows if r["country"] not in valid or r["country"] not in BBOX]
    assert not bad


def test_kinds(rows):
    assert {r["kind"] for r in rows} <= {"site", "sea"}
    for r in rows:
        if r["kind"] == "sea":
            assert r["parent"] == "", r["id"]


def test_coordinates_in_country_box(rows):
    bad = []
    seas = {r["name"].lower() for r in rows if r["kind"] == "sea"}
    for r in rows:
        if r["kind"] == "sea" and any(s != r["name"].lower() and s in r["name"].lower() for s in seas):
            continue  # "Northern Red Sea" is reported with the country of the Red Sea it is part of, wherever its point lies
        lat, lon = float(r["lat"]), float(r["lon"])
        assert -90 <= lat <= 90 and -180 <= lon <= 180, r["id"]
        la0, la1, lo0, lo1 = BBOX[r["country"]]
        m = SEA_MARGIN if r["kind"] == "sea" else SITE_MARGIN
        if not (la0 - m <= lat <= la1 + m and lo0 - m <= lon <= lo1 + m):
            bad.append((r["id"], r["country"], lat, lon))
    assert not bad


def test_alias_rules(rows):
    bad = []
    for r in rows:
        for a in _aliases(r):
            if a != a.strip() or not a:
                bad.append((r["id"], a, "whitespace"))
            elif len(a) < 4 and not a.isupper():
                bad.append((r["id"], a, "short"))
            elif a.lower() in FORBIDDEN:
                bad.append((r["id"], a, "common word"))
            elif a.lower() == r["name"].lower():
                bad.append((r["id"], a, "repeats name"))
    assert not bad


def test_aliases_unique_across_rows(rows):
    owner: dict[str, str] = {}
    clashes = []
    for r in rows:
        for a in {r["name"].lower(), *(x.lower() for x in _aliases(r))}:
            if a in owner and owner[a] != r["id"]:
                clashes.append((a, owner[a], r["id"]))
            owner.setdefault(a, r["id"])
    assert not clashes


def test_replaced_rows_keep_parent(rows):
    for r in rows:
        if r["id"] in REPLACED_PARENTS:
            assert r["parent"].lower() == REPLACED_PARENTS[r["id"]], r["id"]


def test_key_sites_present(rows):
    ids = {r["id"] for r in rows}
    for i in ("al-udeid-air-base", "camp-lemonnier", "manda-bay-camp-simba", "tower-22", "al-tanf-garrison",
              "bab-el-mandeb", "red-sea", "strait-of-hormuz", "incirlik-air-base", "al-asad"):
        assert i in ids
    by_id = {r["id"]: r for r in rows}
    assert by_id["tower-22"]["country"] == "JO"
    assert by_id["manda-bay-camp-simba"]["country"] == "KE"
