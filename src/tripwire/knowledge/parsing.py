"""Reading the knowledge files into entries: YAML mappings, merged by id, and the place CSVs.

Errors name the file (and line) at fault. :mod:`.records` holds what is built;
:class:`~tripwire.knowledge.base.KnowledgeBase` composes the results.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml

from ..errors import KnowledgeError
from ..yamlfiles import load_yaml
from .places import MATCH_MODES, Country, expand, norm, skeleton
from .records import ADMIRALTY_RELIABILITY, Actor, GazetteerEntry, Outlet, RelationLevel, Speaker, SponsorLink, WeaponSignature

#: which place file wins a name two files give (lower first): countries, then hand-written places, then GeoNames cities
_TIER = {"countries.csv": 1, "provinces.csv": 2, "gazetteer.csv": 2, "installations.csv": 2, "cities.csv": 3}

def read_yaml_mapping(origin: str, text: str) -> dict[str, Any]:
    """Parse a knowledge YAML file that must hold a mapping; errors name ``origin``."""
    try:
        doc = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise KnowledgeError(f"{origin}: expected a mapping at the top level")
    return doc


def _merge(sources: list[tuple[str, str]], key: str, build: Any) -> list[Any]:
    merged: dict[str, Any] = {}
    for origin, text in sources:
        doc = read_yaml_mapping(origin, text)
        items = doc.get(key, [])
        if not isinstance(items, list):
            raise KnowledgeError(f"{origin}: '{key}' must be a list")
        for i, raw in enumerate(items):
            if not isinstance(raw, dict) or "id" not in raw:
                raise KnowledgeError(f"{origin}: {key}[{i}] must be a mapping with an 'id'")
            try:
                item = build(raw)
            except (TypeError, ValueError, KeyError) as exc:
                raise KnowledgeError(f"{origin}: {key} entry {raw.get('id')!r} is malformed: {exc}") from exc
            merged[item.id] = item
    return list(merged.values())


def _grade(value: Any) -> str:
    grade = str(value).strip().upper()
    if grade not in ADMIRALTY_RELIABILITY:
        raise ValueError(f"reliability must be an Admiralty grade A-F, got {value!r}")
    return grade


def _actor(raw: dict[str, Any]) -> Actor:
    return Actor(
        id=str(raw["id"]),
        name=str(raw.get("name", raw["id"])),
        kind=str(raw.get("kind", "unknown")),
        country=raw.get("country"),
        aliases=tuple(str(a) for a in raw.get("aliases", []) or []),
        sponsors=tuple(SponsorLink(str(s["sponsor"]), str(s.get("relation", "supported")), float(s.get("confidence", 0.5))) for s in raw.get("sponsors", []) or []),
        front_for=raw.get("front_for"),
        members=tuple(raw.get("members", []) or []),
        part_of=raw.get("part_of"),
        branch_of=raw.get("branch_of"),
        operates_in=tuple(str(a) for a in raw.get("operates_in", []) or []),
        leaders=tuple(str(a) for a in raw.get("leaders", []) or []),
    )


def _outlet(raw: dict[str, Any]) -> Outlet:
    return Outlet(
        id=str(raw["id"]),
        name=str(raw.get("name", raw["id"])),
        aliases=tuple(str(a) for a in raw.get("aliases", []) or []),
        reliability=_grade(raw.get("reliability", "F")),
        wire=bool(raw.get("wire", False)),
    )


def _speaker(raw: dict[str, Any]) -> Speaker:
    labels = {str(k): float(v) for k, v in (raw.get("labels") or {}).items()}
    for k, v in labels.items():
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"label rate for {k!r} must be in [0, 1]")
    return Speaker(
        id=str(raw["id"]),
        name=str(raw.get("name", raw["id"])),
        kind=str(raw.get("kind", "unknown")),
        country=raw.get("country"),
        aliases=tuple(str(a) for a in raw.get("aliases", []) or []),
        reliability=_grade(raw.get("reliability", "F")),
        labels=labels,
        denies=tuple(raw.get("denies", []) or []),
        interested=tuple(raw.get("interested", []) or []),
    )


def _weapon(raw: dict[str, Any]) -> WeaponSignature:
    likelihood = {str(k): float(v) for k, v in (raw.get("likelihood") or {}).items()}
    if any(not 0.0 < v <= 1.0 for v in likelihood.values()):
        raise ValueError("weapon likelihoods must be in (0, 1]")
    return WeaponSignature(
        id=str(raw["id"]),
        name=str(raw.get("name", raw["id"])),
        attack_type=str(raw.get("attack_type", "attack")),
        terms=tuple(str(t) for t in raw.get("terms", []) or []),
        likelihood=likelihood,
        weapon_class=str(raw.get("class", raw["id"])),
        generic=bool(raw.get("generic", False)),
        family=str(raw.get("family", "")),
    )


def _relation(raw: dict[str, Any]) -> RelationLevel:
    return RelationLevel(
        id=str(raw["id"]),
        rank=int(raw["rank"]),
        coarse=str(raw.get("coarse", raw["id"])),
        aliases=tuple(str(a).lower() for a in raw.get("aliases", []) or []),
        help=str(raw.get("help", "")),
    )


def _gazetteer(origin: str, text: str) -> list[tuple[GazetteerEntry, int]]:
    out = []
    reader = csv.DictReader(io.StringIO(text))
    required = {"id", "name", "country", "lat", "lon"}
    if not required <= set(reader.fieldnames or ()):
        raise KnowledgeError(f"{origin}: gazetteer needs columns {sorted(required)}")
    for line, row in enumerate(reader, start=2):
        try:
            if not (row.get("id") or "").strip():
                raise ValueError("missing id")
            lat, lon = float(row["lat"]), float(row["lon"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError("coordinates out of range")
            match = (row.get("match") or "any").strip()
            if match not in MATCH_MODES:
                raise ValueError(f"match must be one of {', '.join(MATCH_MODES)}, got {match!r}")
            population = (row.get("population") or "").strip()
            out.append(
                (
                    GazetteerEntry(
                        id=row["id"].strip(),
                        name=row["name"].strip(),
                        aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                        country=(row["country"] or "").strip().upper(),
                        lat=lat,
                        lon=lon,
                        kind=(row.get("kind") or "").strip() or "place",
                        parent=(row.get("parent") or "").strip() or None,
                        match=match,
                        population=int(population) if population else None,
                        note=(row.get("note") or "").strip(),
                    ),
                    line,
                )
            )
        except (TypeError, ValueError) as exc:
            raise KnowledgeError(f"{origin}: line {line}: {exc}") from exc
    return out


def _countries(origin: str, text: str) -> list[tuple[Country, GazetteerEntry, int]]:
    out = []
    reader = csv.DictReader(io.StringIO(text))
    required = {"iso2", "iso3", "name", "lat", "lon"}
    if not required <= set(reader.fieldnames or ()):
        raise KnowledgeError(f"{origin}: countries need columns {sorted(required)}")
    for line, row in enumerate(reader, start=2):
        try:
            iso2 = (row.get("iso2") or "").strip().upper()
            if len(iso2) != 2 or not iso2.isalpha():
                raise ValueError(f"iso2 must be two letters, got {iso2!r}")
            name = row["name"].strip()
            aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
            place_id = (row.get("place") or "").strip() or _slug(name)
            lat, lon = float(row["lat"]), float(row["lon"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError("coordinates out of range")
            numeric = (row.get("numeric") or "").strip()
            country = Country(
                iso2=iso2,
                iso3=(row.get("iso3") or "").strip().upper(),
                numeric=numeric.zfill(3) if numeric else "",
                fips=(row.get("fips") or "").strip().upper() or None,
                name=name,
                aliases=aliases,
                demonyms=tuple(d.strip() for d in (row.get("demonyms") or "").split("|") if d.strip()),
                place=place_id,
            )
            # two-letter codes ("US", "UK") name the state far more often than the place
            place_aliases = tuple(a for a in aliases if len(a.replace(".", "")) > 2)
            entry = GazetteerEntry(
                id=place_id, name=name, aliases=place_aliases, country=iso2, lat=lat, lon=lon, kind="country", match="cased"
            )
        except (TypeError, ValueError, KeyError) as exc:
            raise KnowledgeError(f"{origin}: line {line}: {exc}") from exc
        out.append((country, entry, line))
    return out


def _slug(text: str) -> str:
    from .places import slug

    return slug(text)


_DIVISION_SUFFIXES = ("", " governorate", " province", " region", " municipality", " county", " state", " emirate", " district")
_KIND_RANK = {"province": 0, "region": 0, "governorate": 0, "state": 0, "county": 0, "district": 1, "city": 2, "town": 2}


def _finish_places(
    rows: dict[str, tuple[GazetteerEntry, str, int, str]], countries: dict[str, Country], actors: dict[str, Actor]
) -> dict[str, GazetteerEntry]:
    """Resolve parents given by name, check countries, and add spelling variants to every place."""
    by_name: dict[tuple[str, str], list[str]] = {}
    by_skeleton: dict[tuple[str, str], list[str]] = {}
    resolved: dict[str, GazetteerEntry] = {}
    raw: list[tuple[object, int, int]] = []
    for pid, (entry, origin, line, fname) in rows.items():
        if countries and entry.country not in countries:
            raise KnowledgeError(f"{origin}: line {line}: place {pid!r} has unknown country {entry.country!r} (not an ISO-2 code in countries.csv)")
        parent = entry.parent
        if parent is not None and parent not in rows:
            if not by_name:
                for other, (e, _o, _l, _f) in rows.items():
                    for alias in (e.name, *e.aliases):
                        bucket = by_name.setdefault((e.country, norm(alias)), [])
                        if other not in bucket:
                            bucket.append(other)
            candidates = []
            for suffix in _DIVISION_SUFFIXES:  # "Al Khor" -> "Al Khor Municipality"
                candidates = [c for c in by_name.get((entry.country, norm(parent + suffix)), ()) if c != pid]
                if candidates:
                    break
            if not candidates:
                if not by_skeleton:
                    for other, (e, _o, _l, _f) in rows.items():
                        for alias in (e.name, *e.aliases):
                            bucket = by_skeleton.setdefault((e.country, skeleton(alias)), [])
                            if other not in bucket:
                                bucket.append(other)
                candidates = [c for c in by_skeleton.get((entry.country, skeleton(parent)), ()) if c != pid]
            if not candidates:
                raise KnowledgeError(
                    f"{origin}: line {line}: place {pid!r}: parent {parent!r} is neither a gazetteer id nor the name of a place in {entry.country}"
                )
            candidates.sort(key=lambda c: _KIND_RANK.get(rows[c][0].kind, 3))
            parent = candidates[0]
        if parent == pid:
            raise KnowledgeError(f"{origin}: line {line}: place {pid!r} is its own parent")
        if parent != entry.parent:
            entry = _replace(entry, parent=parent)
        resolved[pid] = entry
        user = not origin.startswith("bundled ")
        raw.append((entry, 0 if user else _TIER.get(fname, 2), entry.population or 0))
    blocked = frozenset(norm(a) for actor in actors.values() for a in (actor.name, *actor.aliases))
    aliases = expand(raw, blocked)
    return {
        pid: GazetteerEntry(e.id, e.name, aliases[pid], e.country, e.lat, e.lon, e.kind, e.parent, e.match, e.population, e.note)
        for pid, e in resolved.items()
    }


def _replace(entry: GazetteerEntry, **changes: Any) -> GazetteerEntry:
    from dataclasses import replace

    return replace(entry, **changes)
