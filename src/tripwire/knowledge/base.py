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

import functools
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import cache
from ..errors import KnowledgeError
from .codes import CountryCodes
from .places import Country, PlaceIndex

from .records import ADMIRALTY_RELIABILITY, Actor, GazetteerEntry, Outlet, RelationLevel, Speaker, SponsorLink, WeaponSignature  # noqa: F401 - re-exported
from .parsing import (  # noqa: F401 - re-exported
    _actor, _countries, _finish_places, _gazetteer, _merge, _outlet, _relation, _replace, _speaker, _weapon, read_yaml_mapping,
)

PLACE_FILES = ("countries.csv", "provinces.csv", "cities.csv", "gazetteer.csv", "installations.csv")
"""The place files, in the order they are read."""

OPTIONAL_FILES = frozenset({"installations.csv"})
"""Bundled files that may be missing."""

FILES = ("actors.yaml", "outlets.yaml", "speakers.yaml", "weapons.yaml", "relations.yaml", "priors.yaml", *PLACE_FILES)


def _alias_pattern(alias: str) -> str:
    return r"(?<![\w-])" + re.escape(alias).replace(r"\ ", r"\s+") + r"(?![\w-])"


class _NameTable:
    """The names of one kind (actors, outlets, speakers): longest first, short acronyms case-sensitive.

    :meth:`find` runs one regex per alias (compiled on its first use);
    :meth:`exact` is a dictionary look-up giving the same answer as matching
    those regexes against the whole name.
    """

    def __init__(self, names: dict[str, tuple[str, ...]]) -> None:
        entries = [(alias, key) for key, aliases in names.items() for alias in aliases if alias]
        # longest alias first so "Iranian-backed Iraqi militia" wins over "Iran"
        entries.sort(key=lambda e: -len(e[0]))
        # Short all-caps aliases (IS, KH, US) must match case-sensitively.
        self.entries = [(alias, key, (alias.isupper() and len(alias) <= 4) or alias in {"IS", "AP"}) for alias, key in entries]
        self._cased: dict[str, tuple[int, str]] = {}
        self._folded: dict[str, tuple[int, str]] = {}
        for i, (alias, key, cased) in enumerate(self.entries):
            (self._cased if cased else self._folded).setdefault(alias if cased else alias.lower(), (i, key))
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        if self._patterns is None:
            self._patterns = [(re.compile(_alias_pattern(alias), 0 if cased else re.IGNORECASE), key) for alias, key, cased in self.entries]
        found: list[tuple[int, int, str, str]] = []
        taken: list[tuple[int, int]] = []
        for pattern, key in self._patterns:
            for m in pattern.finditer(text):
                s, e = m.span()
                if any(s < te and ts < e for ts, te in taken):
                    continue
                taken.append((s, e))
                found.append((s, e, key, m.group(0)))
        found.sort()
        return found

    def exact(self, name: str) -> str | None:
        name = " ".join(name.split())
        hits = [h for h in (self._cased.get(name), self._folded.get(name.lower())) if h is not None]
        return min(hits)[1] if hits else None


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
        self._country_codes: CountryCodes | None = None
        for c in self.countries.values():
            for d in c.demonyms:
                self.demonyms.setdefault(d.lower(), c.iso2)
        self._add_country_states()
        self._validate()
        self._place_names = PlaceIndex(places)

    @property
    def country_codes(self) -> CountryCodes:
        """The look-up of every country-code system (ISO, FIPS, Gleditsch-Ward, names), built on first use."""
        if self._country_codes is None:
            self._country_codes = CountryCodes(self.countries.values())
        return self._country_codes

    # name tables built on the first look-up, not at load (the extractor uses its own Lexicon)
    @functools.cached_property
    def _actor_index(self) -> "_NameTable":
        return _NameTable({a.id: (a.name, *a.aliases) for a in self.actors.values()})

    @functools.cached_property
    def _outlet_index(self) -> "_NameTable":
        return _NameTable({o.id: (o.name, *o.aliases) for o in self.outlets.values()})

    @functools.cached_property
    def _speaker_index(self) -> "_NameTable":
        return _NameTable({s.id: (s.name, *s.aliases) for s in self.speakers.values()})

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
        # built once per set of file contents, then unpickled from the on-disk cache (docs/knowledge.md)
        key = cache.key_for("knowledge", (part for name in FILES for origin, text in texts[name] for part in (name, origin, text)),
                            code=(__name__, "tripwire.knowledge.places", "tripwire.knowledge.records", "tripwire.knowledge.parsing"))
        kb = cache.load(key)
        if not isinstance(kb, cls):
            kb = cls._build(texts)
            kb._place_names.exact  # noqa: B018 - the alias table every extraction needs, stored with the rest
            cache.store(key, kb)
        kb.cache_key = key
        return kb

    @classmethod
    def _build(cls, texts: dict[str, list[tuple[str, str]]]) -> "KnowledgeBase":
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
            for ref in (actor.front_for, actor.part_of, actor.branch_of, *actor.members):
                if ref is not None and ref not in self.actors:
                    raise KnowledgeError(f"actor {actor.id!r} refers to unknown actor {ref!r}")
            for where in actor.operates_in:
                if where not in self.places and where not in self.countries and not (not self.countries and len(where) == 2 and where.isupper()):
                    raise KnowledgeError(f"actor {actor.id!r}: operates_in names {where!r}, neither a country code nor a known place")
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

    # -- look-ups ------------------------------------------------------------

    def find_actors(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every actor mention in ``text`` as (start, end, actor id, matched text), longest match wins."""
        return self._actor_index.find(text)

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
        return self._outlet_index.find(text)

    def find_speakers(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every known speaker mentioned in ``text`` as (start, end, speaker id, matched text)."""
        return self._speaker_index.find(text)

    def resolve_actor(self, name: str) -> str | None:
        """The actor id whose name or alias is exactly ``name`` (case-insensitive), else None."""
        return self._actor_index.exact(name)

    def resolve_outlet(self, name: str) -> str | None:
        """The outlet id named exactly ``name``, else None."""
        return self._outlet_index.exact(name)

    def resolve_speaker(self, name: str) -> str | None:
        """The speaker id named exactly ``name``, else None."""
        return self._speaker_index.exact(name)

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
        codes = self.country_codes
        iso = codes.iso2(text, "iso")
        if iso is None and len(text) == 2 and text.isalpha():
            iso = codes.from_fips(text)
        if iso is None and not text.isdigit() and len(text) > 3:
            entry = self.resolve_place(text, fuzzy=False)
            iso = entry.country if entry is not None and entry.kind == "country" else None
        return self.countries.get(iso) if iso else None

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


@lru_cache(maxsize=1)
def _bundled() -> KnowledgeBase:
    return KnowledgeBase._load(None)
