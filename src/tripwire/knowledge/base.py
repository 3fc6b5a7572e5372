"""The knowledge base: actors, sponsor links, outlets, speakers, places, weapons and priors.

All of it is data (``knowledge/data/*.yaml`` and ``*.csv``) that users
extend by pointing the ``knowledge_dir`` setting at a folder with files of the
same names: entries there are added, and an entry with an existing ``id``
replaces the bundled one. :meth:`KnowledgeBase.load` validates every cross
reference and raises :class:`~tripwire.errors.KnowledgeError` naming the file
and entry at fault.

Places come from five CSV files, read in this order (bundled ones first, then
the user's of the same names, a later entry replacing an earlier one with the
same ``id``): ``countries.csv`` (every country, keyed by ISO-2; each also
becomes a gazetteer place of kind ``country``), ``provinces.csv``
(hand-written first-level divisions of the theatre), ``cities.csv``
(generated from GeoNames by ``tools/build_places.py``), ``gazetteer.csv``
(hand-written towns, districts and sites) and ``installations.csv`` (bases,
embassies, oil fields, sea areas; optional). The gazetteer columns are
``id,name,aliases,country,lat,lon,kind,parent`` (the original eight) plus the
optional ``match`` (``any``/``cased``/``exact-case``, see
:mod:`tripwire.knowledge.places`), ``population`` and ``note``; other columns
are ignored. ``parent`` is a gazetteer id or the name of a place in the same
country. Every name and alias is expanded with spelling variants at load time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import KnowledgeError
from ..yamlfiles import load_yaml
from .places import MATCH_MODES, Country, PlaceIndex, expand, norm, skeleton

ADMIRALTY_RELIABILITY = {"A": 0.95, "B": 0.8, "C": 0.65, "D": 0.5, "E": 0.35, "F": 0.5}
"""Default probability that a source of each Admiralty reliability grade reports truly.

F ("reliability cannot be judged") deliberately maps to the uninformative 0.5.
"""


@dataclass(frozen=True)
class SponsorLink:
    """A known tie between an actor and a sponsoring state."""

    sponsor: str
    relation: str
    confidence: float


@dataclass(frozen=True)
class Actor:
    """An actor: state, state organ, militia, insurgent group, front or category."""

    id: str
    name: str
    kind: str
    country: str | None = None
    aliases: tuple[str, ...] = ()
    sponsors: tuple[SponsorLink, ...] = ()
    front_for: str | None = None
    members: tuple[str, ...] = ()
    part_of: str | None = None


@dataclass(frozen=True)
class Outlet:
    """A news outlet or channel, with its Admiralty reliability grade."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    reliability: str = "F"
    wire: bool = False


@dataclass(frozen=True)
class Speaker:
    """A person or institution whose statements count as evidence, with its known biases."""

    id: str
    name: str
    kind: str = "unknown"
    country: str | None = None
    aliases: tuple[str, ...] = ()
    reliability: str = "F"
    labels: dict[str, float] = field(default_factory=dict)
    denies: tuple[str, ...] = ()
    interested: tuple[str, ...] = ()


@dataclass(frozen=True)
class GazetteerEntry:
    """A place the extractor can recognise, with ISO country and coordinates.

    ``aliases`` holds every other spelling, the generated variants included.
    ``match`` says how the names may be written in text (``any``: any case;
    ``cased``: the name's capitals must be capitals; ``exact-case``: exactly
    as written); :attr:`case_sensitive` is true for the last two.
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    country: str
    lat: float
    lon: float
    kind: str
    parent: str | None = None
    match: str = "any"
    population: int | None = None
    note: str = ""

    @property
    def case_sensitive(self) -> bool:
        """Whether the names only count when capitalised as written (``match`` is ``cased`` or ``exact-case``)."""
        return self.match != "any"


@dataclass(frozen=True)
class WeaponSignature:
    """A weapon/modus operandi, the words that name it and P(weapon | perpetrator)."""

    id: str
    name: str
    attack_type: str
    terms: tuple[str, ...]
    likelihood: dict[str, float]
    #: the coarse class news labels use: rocket, drone, ballistic-missile, cruise-missile, ied, ...
    weapon_class: str = "other"
    #: a word that does not say which weapon ("rockets", "missiles"): a specific term in the same story wins
    generic: bool = False
    #: attack types of one family can be one salvo described differently ("rockets" / "missiles" / "drones")
    family: str = ""

    def p_given(self, perpetrator: str) -> float:
        """P(this weapon | perpetrator), falling back to the ``default`` entry."""
        return self.likelihood.get(perpetrator, self.likelihood.get("default", 0.05))


@dataclass(frozen=True)
class RelationLevel:
    """One level of the state-responsibility spectrum."""

    id: str
    rank: int
    coarse: str
    aliases: tuple[str, ...]
    help: str


PLACE_FILES = ("countries.csv", "provinces.csv", "cities.csv", "gazetteer.csv", "installations.csv")
"""The place files, in the order they are read."""

OPTIONAL_FILES = frozenset({"installations.csv"})
"""Bundled files that may be missing."""

FILES = ("actors.yaml", "outlets.yaml", "speakers.yaml", "weapons.yaml", "relations.yaml", "priors.yaml", *PLACE_FILES)

_TIER = {"countries.csv": 1, "provinces.csv": 2, "gazetteer.csv": 2, "installations.csv": 2, "cities.csv": 3}


def _alias_pattern(alias: str) -> str:
    return r"(?<![\w-])" + re.escape(alias).replace(r"\ ", r"\s+") + r"(?![\w-])"


class KnowledgeBase:
    """Everything Tripwire knows before reading a single article.

    Build it with :meth:`load` (bundled data, optionally extended by a folder)
    rather than by hand.
    """

    def __init__(
        self,
        *,
        actors: dict[str, Actor],
        outlets: dict[str, Outlet],
        speakers: dict[str, Speaker],
        places: dict[str, GazetteerEntry],
        weapons: dict[str, WeaponSignature],
        relations: dict[str, RelationLevel],
        default_space: tuple[str, ...],
        priors: dict[str, Any],
        countries: dict[str, Country] | None = None,
    ) -> None:
        self.actors = actors
        self.outlets = outlets
        self.speakers = speakers
        self.places = places
        self.weapons = weapons
        self.relations = relations
        self.default_space = default_space
        self.priors = priors
        #: ISO-2 -> :class:`~tripwire.knowledge.places.Country`
        self.countries: dict[str, Country] = countries or {}
        #: lower-cased demonym ("nigerien", "emiratis", "british") -> ISO-2
        self.demonyms: dict[str, str] = {}
        self._country_codes: dict[str, str] = {}
        for c in self.countries.values():
            for d in c.demonyms:
                self.demonyms.setdefault(d.lower(), c.iso2)
        self._index_country_codes()
        self._add_country_states()
        self._validate()
        self._actor_index = self._build_index({a.id: (a.name, *a.aliases) for a in self.actors.values()})
        self._outlet_index = self._build_index({o.id: (o.name, *o.aliases) for o in outlets.values()})
        self._speaker_index = self._build_index({s.id: (s.name, *s.aliases) for s in speakers.values()})
        self._place_names = PlaceIndex(places)

    def _index_country_codes(self) -> None:
        codes = self._country_codes
        # weakest first, so that stronger schemes overwrite: names < FIPS < numeric < ISO-3 < ISO-2
        for c in self.countries.values():
            for name in (c.name, *c.aliases):
                codes.setdefault("name:" + norm(name), c.iso2)
        for c in self.countries.values():
            if c.fips:
                codes["fips:" + c.fips.upper()] = c.iso2
            if c.numeric:
                codes["numeric:" + str(int(c.numeric))] = c.iso2
            codes["iso3:" + c.iso3.upper()] = c.iso2
            codes["iso2:" + c.iso2.upper()] = c.iso2

    # -- loading -------------------------------------------------------------

    @classmethod
    def load(cls, extra_dir: str | Path | None = None) -> "KnowledgeBase":
        """The bundled knowledge, extended/overridden by files in ``extra_dir`` if given."""
        if not extra_dir:
            return _bundled()
        return cls._load(str(extra_dir))

    @classmethod
    def _load(cls, extra_dir: str | None) -> "KnowledgeBase":
        texts: dict[str, list[tuple[str, str]]] = {name: [] for name in FILES}
        pkg = resources.files("tripwire.knowledge") / "data"
        for name in FILES:
            source = pkg / name
            if name in OPTIONAL_FILES and not source.is_file():
                continue
            texts[name].append((f"bundled {name}", source.read_text(encoding="utf-8")))
        if extra_dir:
            folder = Path(extra_dir)
            if not folder.is_dir():
                raise KnowledgeError(f"knowledge folder {folder} does not exist or is not a folder")
            for name in FILES:
                path = folder / name
                if path.exists():
                    try:
                        texts[name].append((str(path), path.read_text(encoding="utf-8")))
                    except (OSError, UnicodeDecodeError) as exc:
                        raise KnowledgeError(f"cannot read knowledge file {path}: {exc}") from exc

        actors = {a.id: a for a in _merge(texts["actors.yaml"], "actors", _actor)}
        outlets = {o.id: o for o in _merge(texts["outlets.yaml"], "outlets", _outlet)}
        speakers = {s.id: s for s in _merge(texts["speakers.yaml"], "speakers", _speaker)}
        weapons = {w.id: w for w in _merge(texts["weapons.yaml"], "weapons", _weapon)}
        relations = {r.id: r for r in _merge(texts["relations.yaml"], "levels", _relation)}
        countries: dict[str, tuple[Country, GazetteerEntry, str, int]] = {}
        for origin, text in texts["countries.csv"]:
            for country, entry, line in _countries(origin, text):
                countries[country.iso2] = (country, entry, origin, line)
        # bundled files first, then the user's: the user's entries win
        rows: dict[str, tuple[GazetteerEntry, str, int, str]] = {}
        for c, entry, origin, line in countries.values():
            rows[entry.id] = (entry, origin, line, "countries.csv")
        for user in (False, True):
            for name in PLACE_FILES[1:]:
                for origin, text in texts[name]:
                    if origin.startswith("bundled ") == user:
                        continue
                    for entry, line in _gazetteer(origin, text):
                        rows.pop(entry.id, None)  # re-insert: the latest definition's position
                        rows[entry.id] = (entry, origin, line, name)
        places = _finish_places(rows, {c.iso2: c for c, _e, _o, _l in countries.values()}, actors)
        default_space: tuple[str, ...] = ()
        priors: dict[str, Any] = {}
        for origin, text in texts["relations.yaml"]:
            doc = read_yaml_mapping(origin, text)
            if "default_space" in doc:
                default_space = tuple(doc["default_space"])
        for origin, text in texts["priors.yaml"]:
            doc = read_yaml_mapping(origin, text)
            for key, value in doc.items():
                if isinstance(value, dict) and isinstance(priors.get(key), dict):
                    priors[key] = {**priors[key], **value}
                else:
                    priors[key] = value
        return cls(
            actors=actors,
            outlets=outlets,
            speakers=speakers,
            places=places,
            weapons=weapons,
            relations=relations,
            default_space=default_space,
            priors=priors,
            countries={c.iso2: c for c, _e, _o, _l in countries.values()},
        )

    def _add_country_states(self) -> None:
        """Every country is a state actor: those actors.yaml does not list get one from the country table.

        "Romania summoned the Iranian ambassador" needs Romania as an actor even
        where no file was written for it; a listed state (same ISO-2 country)
        always wins, and so do names an actor already uses.
        """
        have = {a.country for a in self.actors.values() if a.kind == "state" and a.country}
        taken = {n.lower() for a in self.actors.values() for n in (a.name, *a.aliases)}
        for c in self.countries.values():
            if c.iso2 in have:
                continue
            aid = re.sub(r"[^a-z0-9]+", "-", c.name.lower()).strip("-")
            if aid in self.actors:
                continue
            names = tuple(n for n in dict.fromkeys((c.name, *c.aliases)) if n and n.lower() not in taken and len(n) > 3)
            if not names:
                continue
            self.actors[aid] = Actor(id=aid, name=names[0], kind="state", country=c.iso2, aliases=names[1:])

    def _validate(self) -> None:
        for actor in self.actors.values():
            for link in actor.sponsors:
                if link.sponsor not in self.actors:
                    raise KnowledgeError(f"actor {actor.id!r}: sponsor {link.sponsor!r} is not a known actor")
                if link.relation not in self.relations:
                    raise KnowledgeError(f"actor {actor.id!r}: relation {link.relation!r} is not a level in relations.yaml")
            for ref in (actor.front_for, actor.part_of, *actor.members):
                if ref is not None and ref not in self.actors:
                    raise KnowledgeError(f"actor {actor.id!r} refers to unknown actor {ref!r}")
        for level in self.default_space:
            if level not in self.relations:
                raise KnowledgeError(f"relations.yaml: default_space names unknown level {level!r}")
        perps = self.priors.get("perpetrators", {})
        for actor_id, p in perps.items():
            if actor_id not in self.actors:
                raise KnowledgeError(f"priors.yaml: unknown perpetrator {actor_id!r}")
            if not isinstance(p, (int, float)) or p < 0:
                raise KnowledgeError(f"priors.yaml: prior for {actor_id!r} must be a non-negative number")
        for key, table in self.priors.get("relations", {}).items():
            for level, p in table.items():
                if level not in self.relations:
                    raise KnowledgeError(f"priors.yaml: relations.{key} names unknown level {level!r}")
                if not isinstance(p, (int, float)) or p < 0:
                    raise KnowledgeError(f"priors.yaml: relations.{key}.{level} must be a non-negative number")
        from .priors import validate_priors  # theatres section (priors per theatre)

        validate_priors(self.priors, self.actors, self.relations)
        for speaker in self.speakers.values():
            for ref in (*speaker.labels, *speaker.denies, *speaker.interested):
                if ref not in self.actors:
                    raise KnowledgeError(f"speaker {speaker.id!r} refers to unknown actor {ref!r}")
        for weapon in self.weapons.values():
            for ref in weapon.likelihood:
                if ref != "default" and ref not in self.actors:
                    raise KnowledgeError(f"weapon {weapon.id!r} gives a likelihood for unknown actor {ref!r}")
        for place in self.places.values():
            if place.parent is not None and place.parent not in self.places:
                raise KnowledgeError(f"place {place.id!r}: parent {place.parent!r} is not a gazetteer id")
            if self.countries and place.country not in self.countries:
                raise KnowledgeError(f"place {place.id!r}: country {place.country!r} is not an ISO 3166-1 alpha-2 code in countries.csv")

    @staticmethod
    def _build_index(names: dict[str, tuple[str, ...]]) -> list[tuple[re.Pattern[str], str, str]]:
        entries = [(alias, key) for key, aliases in names.items() for alias in aliases if alias]
        # longest alias first so "Iranian-backed Iraqi militia" wins over "Iran"
        entries.sort(key=lambda e: -len(e[0]))
        index = []
        for alias, key in entries:
            # Short all-caps aliases (IS, KH, US) must match case-sensitively.
            flags = 0 if (alias.isupper() and len(alias) <= 4) or alias in {"IS", "AP"} else re.IGNORECASE
            index.append((re.compile(_alias_pattern(alias), flags), key, alias))
        return index

    # -- look-ups ------------------------------------------------------------

    @staticmethod
    def _find(index: list[tuple[re.Pattern[str], str, str]], text: str) -> list[tuple[int, int, str, str]]:
        found: list[tuple[int, int, str, str]] = []
        taken: list[tuple[int, int]] = []
        for pattern, key, _alias in index:
            for m in pattern.finditer(text):
                s, e = m.span()
                if any(s < te and ts < e for ts, te in taken):
                    continue
                taken.append((s, e))
                found.append((s, e, key, m.group(0)))
        found.sort()
        return found

    def find_actors(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every actor mention in ``text`` as (start, end, actor id, matched text), longest match wins."""
        return self._find(self._actor_index, text)

    def find_places(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every gazetteer place mentioned in ``text`` as (start, end, place id, matched text).

        Longest name first; entries whose ``match`` is ``cased`` or
        ``exact-case`` count only when written with their capitals.
        """
        return self._place_names.find(text)

    def place_match_ok(self, place_id: str, surface: str) -> bool:
        """Whether the text ``surface`` (matched case-insensitively) may name ``place_id`` under its ``match`` rule."""
        return self._place_names.ok(place_id, surface)

    def find_outlets(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every outlet mentioned in ``text`` as (start, end, outlet id, matched text)."""
        return self._find(self._outlet_index, text)

    def find_speakers(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every known speaker mentioned in ``text`` as (start, end, speaker id, matched text)."""
        return self._find(self._speaker_index, text)

    def resolve_actor(self, name: str) -> str | None:
        """The actor id whose name or alias is exactly ``name`` (case-insensitive), else None."""
        return self._exact(self._actor_index, name)

    def resolve_outlet(self, name: str) -> str | None:
        """The outlet id named exactly ``name``, else None."""
        return self._exact(self._outlet_index, name)

    def resolve_speaker(self, name: str) -> str | None:
        """The speaker id named exactly ``name``, else None."""
        return self._exact(self._speaker_index, name)

    def resolve_place(self, name: str, country: str | None = None, *, fuzzy: bool = True) -> GazetteerEntry | None:
        """The gazetteer entry ``name`` denotes, else None.

        An exact name or alias (case rules applied; spelling variants are
        aliases) wins; then a coarse spelling skeleton ("Dayr al-Zour" ~
        "Deir ez-Zor"); then, with ``fuzzy``, the closest name by rapidfuzz
        ratio above a high threshold. Among equals, places in ``country``
        (ISO-2) are preferred.
        """
        key = self._place_names.resolve(name, country, fuzzy)
        return self.places[key] if key else None

    def country_by_code(self, code: str | int) -> Country | None:
        """The country an ISO-2, ISO-3, ISO numeric, FIPS 10-4 code or an English name denotes, else None.

        A two-letter code is read as ISO-2 first and as FIPS only when no
        country has it as ISO-2 ("IZ" -> Iraq, but "NI" is Nicaragua, not
        FIPS Nigeria). Names and aliases are case-insensitive ("the UAE").
        """
        text = str(code).strip()
        if not text:
            return None
        codes = self._country_codes
        if text.isdigit():
            iso = codes.get("numeric:" + str(int(text)))
        elif len(text) == 2 and text.isalpha():
            iso = codes.get("iso2:" + text.upper()) or codes.get("fips:" + text.upper())
        elif len(text) == 3 and ("iso3:" + text.upper()) in codes:
            iso = codes["iso3:" + text.upper()]
        else:
            name = norm(text)
            iso = codes.get("name:" + name) or (codes.get("name:" + name[4:]) if name.startswith("the ") else None)
            if iso is None:
                entry = self.resolve_place(text, fuzzy=False)
                iso = entry.country if entry is not None and entry.kind == "country" else None
        return self.countries.get(iso) if iso else None

    @staticmethod
    def _exact(index: list[tuple[re.Pattern[str], str, str]], name: str) -> str | None:
        name = " ".join(name.split())
        for pattern, key, _alias in index:
            m = pattern.fullmatch(name)
            if m:
                return key
        return None

    def sponsors_of(self, actor_id: str) -> tuple[SponsorLink, ...]:
        """Known sponsor links of an actor, following a front group to the actor it fronts for."""
        actor = self.actors.get(actor_id)
        if actor is None:
            return ()
        if actor.front_for and not actor.sponsors:
            return self.sponsors_of(actor.front_for)
        return actor.sponsors

    def relation_rank(self, level: str) -> int:
        """Rank of a relation level on the spectrum (higher = more state responsibility)."""
        try:
            return self.relations[level].rank
        except KeyError:
            raise KnowledgeError(f"unknown relation level {level!r}; known: {', '.join(self.relations)}") from None

    def relation_from_word(self, word: str) -> str | None:
        """The relation level a word such as 'backed', 'directed' or 'instructed' denotes."""
        w = word.lower().strip()
        for level in self.relations.values():
            if w == level.id or w in level.aliases:
                return level.id
        return None


# -- file parsing helpers -------------------------------------------------------


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


@lru_cache(maxsize=1)
def _bundled() -> KnowledgeBase:
    return KnowledgeBase._load(None)
