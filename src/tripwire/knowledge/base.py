"""The knowledge base: actors, sponsor links, outlets, speakers, places, weapons and priors.

All of it is data (``knowledge/data/*.yaml`` and ``gazetteer.csv``) that users
extend by pointing the ``knowledge_dir`` setting at a folder with files of the
same names: entries there are added, and an entry with an existing ``id``
replaces the bundled one. :meth:`KnowledgeBase.load` validates every cross
reference and raises :class:`~tripwire.errors.KnowledgeError` naming the file
and entry at fault.
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
    """A place the extractor can recognise, with ISO country and coordinates."""

    id: str
    name: str
    aliases: tuple[str, ...]
    country: str
    lat: float
    lon: float
    kind: str
    parent: str | None = None


@dataclass(frozen=True)
class WeaponSignature:
    """A weapon/modus operandi, the words that name it and P(weapon | perpetrator)."""

    id: str
    name: str
    attack_type: str
    terms: tuple[str, ...]
    likelihood: dict[str, float]

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


FILES = ("actors.yaml", "outlets.yaml", "speakers.yaml", "weapons.yaml", "relations.yaml", "priors.yaml", "gazetteer.csv")


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
    ) -> None:
        self.actors = actors
        self.outlets = outlets
        self.speakers = speakers
        self.places = places
        self.weapons = weapons
        self.relations = relations
        self.default_space = default_space
        self.priors = priors
        self._validate()
        self._actor_index = self._build_index({a.id: (a.name, *a.aliases) for a in actors.values()})
        self._outlet_index = self._build_index({o.id: (o.name, *o.aliases) for o in outlets.values()})
        self._speaker_index = self._build_index({s.id: (s.name, *s.aliases) for s in speakers.values()})
        self._place_index = self._build_index({p.id: (p.name, *p.aliases) for p in places.values()})

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
            texts[name].append((f"bundled {name}", (pkg / name).read_text(encoding="utf-8")))
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
        places: dict[str, GazetteerEntry] = {}
        for origin, text in texts["gazetteer.csv"]:
            for entry in _gazetteer(origin, text):
                places[entry.id] = entry
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
        )

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
        for speaker in self.speakers.values():
            for ref in (*speaker.labels, *speaker.denies, *speaker.interested):
                if ref not in self.actors:
                    raise KnowledgeError(f"speaker {speaker.id!r} refers to unknown actor {ref!r}")
        for weapon in self.weapons.values():
            for ref in weapon.likelihood:
                if ref != "default" and ref not in self.actors:
                    raise KnowledgeError(f"weapon {weapon.id!r} gives a likelihood for unknown actor {ref!r}")

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
        """Every gazetteer place mentioned in ``text`` as (start, end, place id, matched text)."""
        return self._find(self._place_index, text)

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

    def resolve_place(self, name: str) -> GazetteerEntry | None:
        """The gazetteer entry named exactly ``name``, else None."""
        key = self._exact(self._place_index, name)
        return self.places[key] if key else None

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
        doc = yaml.safe_load(text) or {}
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
    )


def _relation(raw: dict[str, Any]) -> RelationLevel:
    return RelationLevel(
        id=str(raw["id"]),
        rank=int(raw["rank"]),
        coarse=str(raw.get("coarse", raw["id"])),
        aliases=tuple(str(a).lower() for a in raw.get("aliases", []) or []),
        help=str(raw.get("help", "")),
    )


def _gazetteer(origin: str, text: str) -> list[GazetteerEntry]:
    out = []
    reader = csv.DictReader(io.StringIO(text))
    required = {"id", "name", "country", "lat", "lon"}
    if not required <= set(reader.fieldnames or ()):
        raise KnowledgeError(f"{origin}: gazetteer needs columns {sorted(required)}")
    for line, row in enumerate(reader, start=2):
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError("coordinates out of range")
            out.append(
                GazetteerEntry(
                    id=row["id"],
                    name=row["name"],
                    aliases=tuple(a for a in (row.get("aliases") or "").split("|") if a),
                    country=row["country"],
                    lat=lat,
                    lon=lon,
                    kind=row.get("kind") or "place",
                    parent=row.get("parent") or None,
                )
            )
        except (TypeError, ValueError) as exc:
            raise KnowledgeError(f"{origin}: line {line}: {exc}") from exc
    return out


@lru_cache(maxsize=1)
def _bundled() -> KnowledgeBase:
    return KnowledgeBase._load(None)
