"""The condition language of red-line rules: leaves and combinators.

A condition is a tree. Leaves test one aspect of an incident:

* :class:`CasualtyCondition` -- reported people killed/injured of a nationality/category;
* :class:`AttributionCondition` -- who is behind it, from the attribution posterior;
* :class:`PlaceCondition` -- country or gazetteer place;
* :class:`DateCondition` -- a date window;
* :class:`WeaponCondition` -- the weapon or attack type used.

Combinators join them: :class:`AllOf` (``all:``), :class:`AnyOf` (``any:``) and
:class:`NotOf` (``not:``). Leaves are validated against the knowledge base
(passed as validation context ``{"kb": kb}``; the bundled one otherwise), and
attribution leaves resolve, once, the relation levels and actor sets they
mean, so checking needs no knowledge base.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Union

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from ..knowledge import KnowledgeBase
from ..model import Frozen


def _kb(info: ValidationInfo) -> KnowledgeBase:
    ctx = info.context or {}
    kb = ctx.get("kb") if isinstance(ctx, dict) else None
    if kb is None:
        raise ValueError("conditions are validated against a knowledge base: "
                         "use parse_condition(data, kb=kb) or model_validate(data, context={'kb': kb})")
    return kb  # type: ignore[no-any-return]


def _country(code: str) -> str:
    code = code.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, IQ)")
    return code


class CasualtyCondition(Frozen):
    """At least ``min_count`` people reported ``status`` (of ``nationality``/``category`` when given)."""

    status: Literal["killed", "injured", "any"] = "killed"
    nationality: str | None = None
    category: tuple[str, ...] | None = None
    min_count: int = Field(default=1, ge=1)

    @field_validator("nationality")
    @classmethod
    def _nat(cls, v: str | None) -> str | None:
        return None if v is None else _country(v)

    @field_validator("category", mode="before")
    @classmethod
    def _cat(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    def describe(self) -> str:
        """Plain words: ``>=1 killed, nationality US``."""
        parts = [f">={self.min_count} {self.status}"]
        if self.nationality:
            parts.append(f"nationality {self.nationality}")
        if self.category:
            parts.append("category " + "/".join(self.category))
        return ", ".join(parts)


class AttributionCondition(Frozen):
    """Who is behind the incident, as the attribution posterior says.

    ``sponsor`` with ``relation_at_least`` (or an explicit ``relations`` list)
    asks for the sponsor's responsibility at those levels; a hypothesis whose
    perpetrator *is* the sponsor or one of its state organs counts as level
    ``executed``. ``perpetrators`` restricts to named perpetrators;
    ``aligned_with`` to perpetrators with a known sponsor link to that actor
    (and fronts or category labels for them), whatever the relation. Filters
    combine with AND. ``sponsor`` alone means any level above ``independent``.
    """

    sponsor: str | None = None
    relation_at_least: str | None = None
    relations: tuple[str, ...] | None = None
    perpetrators: tuple[str, ...] | None = None
    aligned_with: str | None = None
    # resolved from the knowledge base by the validator below
    _relations: frozenset[str] | None = PrivateAttr(default=None)
    _organs: frozenset[str] = PrivateAttr(default=frozenset())
    _aligned: frozenset[str] | None = PrivateAttr(default=None)

    @field_validator("perpetrators", "relations", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> "AttributionCondition":
        kb = _kb(info)
        if not any((self.sponsor, self.perpetrators, self.aligned_with)):
            raise ValueError("an attribution condition needs at least one of sponsor, perpetrators, aligned_with")
        for field, actor in (("sponsor", self.sponsor), ("aligned_with", self.aligned_with)):
            if actor is not None and actor not in kb.actors:
                raise ValueError(f"{field}: unknown actor {actor!r} (not in the knowledge base)")
        for actor in self.perpetrators or ():
            if actor not in kb.actors:
                raise ValueError(f"perpetrators: unknown actor {actor!r} (not in the knowledge base)")
        if (self.relation_at_least or self.relations) and not self.sponsor:
            raise ValueError("relation_at_least/relations need a sponsor")
        if self.relation_at_least and self.relations:
            raise ValueError("give relation_at_least or relations, not both")
        levels: frozenset[str] | None = None
        if self.relation_at_least is not None:
            if self.relation_at_least not in kb.relations:
                raise ValueError(f"relation_at_least: unknown relation level {self.relation_at_least!r}; known: {', '.join(kb.relations)}")
            floor = kb.relations[self.relation_at_least].rank
            levels = frozenset(r.id for r in kb.relations.values() if r.rank >= floor)
        elif self.relations is not None:
            for level in self.relations:
                if level not in kb.relations:
                    raise ValueError(f"relations: unknown relation level {level!r}; known: {', '.join(kb.relations)}")
            levels = frozenset(self.relations)
        elif self.sponsor is not None:
            levels = frozenset(r.id for r in kb.relations.values() if r.rank > 0)
        organs = frozenset(a.id for a in kb.actors.values() if self.sponsor and a.part_of == self.sponsor)
        aligned = None
        if self.aligned_with is not None:
            linked = {a.id for a in kb.actors.values() if any(s.sponsor == self.aligned_with for s in a.sponsors)}
            members = {m for a in kb.actors.values() if a.id in linked for m in a.members}
            fronts = {a.id for a in kb.actors.values() if a.front_for in linked | members}
            aligned = frozenset(linked | members | fronts)
        self._relations = levels
        self._organs = organs
        self._aligned = aligned
        return self

    @property
    def resolved_relations(self) -> frozenset[str] | None:
        """The relation levels this condition accepts (None: no sponsor filter)."""
        return self._relations

    @property
    def aligned_perpetrators(self) -> frozenset[str] | None:
        """The perpetrators ``aligned_with`` admits (None: no such filter)."""
        return self._aligned

    def matches(self, perpetrator: str, sponsor: str | None, relation: str) -> bool:
        """Whether a hypothesis (perpetrator, sponsor, relation) satisfies this condition."""
        private = self.__pydantic_private__ or {}  # read once: pydantic's attribute hook is slow in this hot loop
        if self.perpetrators is not None and perpetrator not in self.perpetrators:
            return False
        aligned = private.get("_aligned")
        if aligned is not None and perpetrator not in aligned:
            return False
        if self.sponsor is not None:
            if perpetrator == self.sponsor or perpetrator in private.get("_organs", ()):
                level = "executed"
            elif sponsor == self.sponsor:
                level = relation
            else:
                return False
            levels = private.get("_relations")
            if levels is not None and level not in levels:
                return False
        return True

    def describe(self) -> str:
        """Plain words: ``sponsor iran at executed/ordered``."""
        parts = []
        if self.sponsor:
            levels = "/".join(sorted(self.resolved_relations or ())) or "any level"
            parts.append(f"sponsor {self.sponsor} at {levels}")
        if self.perpetrators:
            parts.append("perpetrator in " + "/".join(self.perpetrators))
        if self.aligned_with:
            parts.append(f"perpetrator aligned with {self.aligned_with}")
        return "; ".join(parts)


class PlaceCondition(Frozen):
    """The incident happened in one of ``countries`` or at/inside one of gazetteer ``places``."""

    countries: tuple[str, ...] | None = None
    places: tuple[str, ...] | None = None
    _inside: frozenset[str] = PrivateAttr(default=frozenset())

    @field_validator("countries", "places", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @field_validator("countries")
    @classmethod
    def _codes(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if v is None else tuple(_country(c) for c in v)

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> "PlaceCondition":
        if not self.countries and not self.places:
            raise ValueError("a place condition needs countries or places")
        kb = _kb(info)
        for pid in self.places or ():
            if pid not in kb.places:
                raise ValueError(f"places: unknown gazetteer place {pid!r}")
        # expand each place to itself and every place inside it
        if self.places:
            inside = set(self.places)
            changed = True
            while changed:
                changed = False
                for entry in kb.places.values():
                    if entry.parent in inside and entry.id not in inside:
                        inside.add(entry.id)
                        changed = True
            self._inside = frozenset(inside)
        return self

    def matches(self, country: str | None, place_id: str | None) -> bool:
        """Whether an incident at ``place_id`` in ``country`` lies in this place condition."""
        if self.countries and country is not None and country.upper() in self.countries:
            return True
        return bool(self.places) and place_id is not None and place_id in self._inside

    def describe(self) -> str:
        """Plain words."""
        return "place in " + "/".join((self.countries or ()) + (self.places or ()))


class DateCondition(Frozen):
    """The incident's date lies in ``[from, to]`` (either end open when omitted)."""

    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None

    model_config = Frozen.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _order(self) -> "DateCondition":
        if self.from_ is None and self.to is None:
            raise ValueError("a date condition needs from or to")
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError(f"from {self.from_} is after to {self.to}")
        return self

    def describe(self) -> str:
        """Plain words."""
        return f"date in [{self.from_ or '...'}, {self.to or '...'}]"


class WeaponCondition(Frozen):
    """The incident's weapon is one of the knowledge base's ``weapons`` (or its attack type one of ``attack_types``).

    An incident's ``weapon`` matches a signature by id, name or any of its
    terms (case-insensitive).
    """

    weapons: tuple[str, ...] | None = None
    attack_types: tuple[str, ...] | None = None
    _names: frozenset[str] = PrivateAttr(default=frozenset())

    @field_validator("weapons", "attack_types", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> "WeaponCondition":
        if not self.weapons and not self.attack_types:
            raise ValueError("a weapon condition needs weapons or attack_types")
        kb = _kb(info)
        names: set[str] = set()
        for wid in self.weapons or ():
            if wid not in kb.weapons:
                raise ValueError(f"weapons: unknown weapon {wid!r}; known: {', '.join(kb.weapons)}")
            sig = kb.weapons[wid]
            names |= {wid.lower(), sig.name.lower(), *(t.lower() for t in sig.terms)}
        self._names = frozenset(names)
        return self

    def matches(self, weapon: str | None, attack_type: str | None) -> bool:
        """Whether an incident with this weapon / attack type satisfies the condition."""
        if weapon is not None and weapon.strip().lower() in self._names:
            return True
        wanted = {a.lower() for a in self.attack_types or ()}
        return attack_type is not None and attack_type.strip().lower() in wanted

    def describe(self) -> str:
        """Plain words."""
        return "weapon " + "/".join((self.weapons or ()) + (self.attack_types or ()))


class AllOf(Frozen):
    """Every sub-condition holds (probabilities multiply: independence assumed)."""

    all: tuple["Condition", ...] = Field(min_length=1)


class AnyOf(Frozen):
    """At least one sub-condition holds: ``1 - prod(1 - p)``."""

    any: tuple["Condition", ...] = Field(min_length=1)


class NotOf(Frozen):
    """The sub-condition does not hold: ``1 - p``."""

    not_: "Condition" = Field(alias="not")

    model_config = Frozen.model_config | {"populate_by_name": True}


Leaf = Union[CasualtyCondition, AttributionCondition, PlaceCondition, DateCondition, WeaponCondition]
Condition = Union[AllOf, AnyOf, NotOf, CasualtyCondition, AttributionCondition, PlaceCondition, DateCondition, WeaponCondition]

#: YAML key of each leaf kind -> its model.
LEAVES: dict[str, type[Frozen]] = {
    "casualties": CasualtyCondition,
    "attribution": AttributionCondition,
    "place": PlaceCondition,
    "date": DateCondition,
    "weapon": WeaponCondition,
}
LEAF_KEYS: dict[type, str] = {v: k for k, v in LEAVES.items()}

AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


def condition_to_data(cond: Condition) -> dict[str, Any]:
    """The YAML/JSON form of a condition tree (the inverse of the rule loader's parser)."""
    if isinstance(cond, AllOf):
        return {"all": [condition_to_data(c) for c in cond.all]}
    if isinstance(cond, AnyOf):
        return {"any": [condition_to_data(c) for c in cond.any]}
    if isinstance(cond, NotOf):
        return {"not": condition_to_data(cond.not_)}
    data = cond.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {LEAF_KEYS[type(cond)]: data}


def describe(cond: Condition) -> str:
    """A one-line rendering of a condition tree for tables and reports."""
    if isinstance(cond, AllOf):
        return "(" + " AND ".join(describe(c) for c in cond.all) + ")"
    if isinstance(cond, AnyOf):
        return "(" + " OR ".join(describe(c) for c in cond.any) + ")"
    if isinstance(cond, NotOf):
        return "NOT " + describe(cond.not_)
    return f"{LEAF_KEYS[type(cond)]}[{cond.describe()}]"
