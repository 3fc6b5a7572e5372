"""Priors per theatre: which theatre an incident falls in, and its base rates.

``priors.yaml`` holds a default table (top-level ``perpetrators`` and
``relations``) and a ``theatres`` mapping, theatre id -> ``{name, countries,
seas, perpetrators, relations}``. An incident is placed in a theatre by its
place: a sea area (``seas``, matched against the place's gazetteer id, name
and parents) first, then the place's ISO country. A theatre's
``perpetrators`` replace the default table whole (omitted: the default is
used); its ``relations`` are merged key by key over the default ones.
Incidents with no place, or in a country no theatre covers, get the default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import KnowledgeError

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Incident, Place
    from .base import KnowledgeBase

__all__ = [
    "incident_priors",
    "incident_theatre",
    "perpetrator_priors",
    "relation_priors",
    "theatre_for",
    "theatre_of_place",
    "theatres",
    "validate_priors",
]

_ISO2 = re.compile(r"^[A-Z]{2}$")


def _key(name: str) -> str:
    """A sea name or gazetteer id folded for comparison ("Red Sea" == "red-sea")."""
    return re.sub(r"[\s_\-]+", "-", name.strip().casefold()).removeprefix("the-")


def theatres(kb: "KnowledgeBase") -> dict[str, dict[str, Any]]:
    """Theatre id -> its table from ``priors.yaml`` (empty when there are none)."""
    value = kb.priors.get("theatres") or {}
    return value if isinstance(value, dict) else {}


def _country_index(kb: "KnowledgeBase") -> dict[str, str]:
    out: dict[str, str] = {}
    for tid, table in theatres(kb).items():
        for code in table.get("countries") or ():
            out.setdefault(str(code).upper(), tid)
    return out


def _sea_index(kb: "KnowledgeBase") -> dict[str, str]:
    out: dict[str, str] = {}
    for tid, table in theatres(kb).items():
        for sea in table.get("seas") or ():
            out.setdefault(_key(str(sea)), tid)
    return out


def theatre_for(kb: "KnowledgeBase", country: str | None, *, place: str | None = None) -> str | None:
    """The theatre id for an ISO-2 ``country`` (and optionally a ``place``: gazetteer id or name), else None.

    A place that is, or lies in, one of a theatre's ``seas`` wins over the
    country; otherwise the theatre listing the country, if any.
    """
    if place:
        seas = _sea_index(kb)
        if seas:
            for name in _place_names(kb, place):
                tid = seas.get(_key(name))
                if tid is not None:
                    return tid
    if not country:
        return None
    return _country_index(kb).get(country.strip().upper())


def _place_names(kb: "KnowledgeBase", place: str) -> list[str]:
    """The place itself, then every name of its gazetteer entry and of its parents."""
    names = [place]
    entry = kb.places.get(place)
    if entry is None:
        entry = next((p for p in kb.places.values() if _key(p.name) == _key(place)), None)
    seen: set[str] = set()
    while entry is not None and entry.id not in seen:
        seen.add(entry.id)
        names.extend((entry.id, entry.name, *entry.aliases))
        parent = entry.parent
        entry = kb.places.get(parent) if parent else None
    return names


def theatre_of_place(kb: "KnowledgeBase", place: "Place | None") -> str | None:
    """The theatre of a resolved :class:`~tripwire.model.Place` (None for no place)."""
    if place is None:
        return None
    return theatre_for(kb, place.country, place=place.gazetteer_id or place.name)


def incident_theatre(kb: "KnowledgeBase", incident: "Incident | None") -> str | None:
    """The theatre of ``incident`` (from ``incident.place``), else None."""
    return theatre_of_place(kb, incident.place) if incident is not None else None


def _tables(kb: "KnowledgeBase", tid: str | None) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    base_perps = dict(kb.priors.get("perpetrators", {}) or {})
    base_rel = dict(kb.priors.get("relations", {}) or {})
    table = theatres(kb).get(tid) if tid else None
    if not table:
        return base_perps, base_rel
    perps = table.get("perpetrators")
    rel = {**base_rel, **(table.get("relations") or {})}
    return (dict(perps) if perps else base_perps), rel


def perpetrator_priors(kb: "KnowledgeBase", country: str | None = None, *, place: str | None = None) -> dict[str, float]:
    """Perpetrator base rates for an incident in ``country`` (ISO-2) / ``place``: its theatre's, else the default."""
    return _tables(kb, theatre_for(kb, country, place=place))[0]


def relation_priors(kb: "KnowledgeBase", country: str | None = None, *, place: str | None = None) -> dict[str, dict[str, float]]:
    """P(relation | perpetrator) tables (perpetrator or ``default`` -> level -> weight) for ``country`` / ``place``."""
    return _tables(kb, theatre_for(kb, country, place=place))[1]


def incident_priors(kb: "KnowledgeBase", incident: "Incident | None") -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """(perpetrator base rates, relation tables) for ``incident``; the default tables when it is None or has no place."""
    return _tables(kb, incident_theatre(kb, incident))


def _check_number(where: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise KnowledgeError(f"priors.yaml: {where} must be a non-negative number")


def _check_relations(where: str, tables: Any, levels: Mapping[str, Any]) -> None:
    if not isinstance(tables, dict):
        raise KnowledgeError(f"priors.yaml: {where} must be a mapping of perpetrator -> {{level: weight}}")
    for key, table in tables.items():
        if not isinstance(table, dict):
            raise KnowledgeError(f"priors.yaml: {where}.{key} must be a mapping of level -> weight")
        for level, p in table.items():
            if level not in levels:
                raise KnowledgeError(f"priors.yaml: {where}.{key} names unknown level {level!r}")
            _check_number(f"{where}.{key}.{level}", p)


def validate_priors(priors: Mapping[str, Any], actors: Mapping[str, Any], levels: Mapping[str, Any]) -> None:
    """Check the ``theatres`` section of ``priors.yaml``; raises :class:`KnowledgeError` naming the theatre at fault.

    Every theatre needs a list of ISO-2 ``countries`` (a country in one theatre
    only), optional ``seas`` (strings), ``perpetrators`` naming known actors
    with non-negative base rates, and ``relations`` naming known levels.
    """
    section = priors.get("theatres")
    if section is None:
        return
    if not isinstance(section, dict):
        raise KnowledgeError("priors.yaml: 'theatres' must be a mapping of theatre id -> table")
    owner: dict[str, str] = {}
    for tid, table in section.items():
        where = f"theatres.{tid}"
        if not isinstance(table, dict):
            raise KnowledgeError(f"priors.yaml: {where} must be a mapping")
        countries = table.get("countries", [])
        if not isinstance(countries, list) or not all(isinstance(c, str) and _ISO2.match(c) for c in countries):
            raise KnowledgeError(f"priors.yaml: {where}.countries must be a list of ISO 3166-1 alpha-2 codes (e.g. IQ)")
        for code in countries:
            if code in owner and owner[code] != tid:
                raise KnowledgeError(f"priors.yaml: country {code} is in two theatres, {owner[code]!r} and {tid!r}")
            owner[code] = tid
        seas = table.get("seas", [])
        if not isinstance(seas, list) or not all(isinstance(s, str) and s.strip() for s in seas):
            raise KnowledgeError(f"priors.yaml: {where}.seas must be a list of sea names")
        perps = table.get("perpetrators")
        if perps is not None:
            if not isinstance(perps, dict):
                raise KnowledgeError(f"priors.yaml: {where}.perpetrators must be a mapping of actor id -> base rate")
            for actor_id, p in perps.items():
                if actor_id not in actors:
                    raise KnowledgeError(f"priors.yaml: {where}: unknown perpetrator {actor_id!r}")
                _check_number(f"{where}.perpetrators.{actor_id}", p)
            if perps and sum(float(p) for p in perps.values()) <= 0:
                raise KnowledgeError(f"priors.yaml: {where}.perpetrators gives no weight to anyone")
        if table.get("relations") is not None:
            _check_relations(f"{where}.relations", table["relations"], levels)
