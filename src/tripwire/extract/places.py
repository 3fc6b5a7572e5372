"""Places and targets: choosing where an event happened and what it hit.

Places come from the gazetteer via the :class:`~.lexicon.Lexicon`. When a
sentence names several, the event gets the most specific one (a site beats its
city, a city beats its country) among those in the clause of the event's cue,
falling back to the whole sentence. Two places are *compatible* (may be the
same event's) when one is the other, an ancestor of it, or its country.
"""

from __future__ import annotations

import math
import re

from . import prefilter
from ..model import Place
from .lexicon import Lexicon, Mention

_TARGET = prefilter.compile(
    r"\b(?P<t>(?:the\s+)?(?:US|U\.S\.|American|coalition|Iraqi|foreign)(?:-led)?\s+(?:(?:military|air|diplomatic|logistics|supply)\s+)?"
    r"(?:embassy|consulate|base|bases|convoy|convoys|troops|forces|personnel|targets|facility|compound|diplomatic\s+mission|military\s+base|air\s+base))\b"
    r"|\b(?P<w>(?:(?:five|several|two|three|four)\s+)?weapons\s+(?:depots?|facilities|storage\s+sites?)|facilities)\b",
    re.I,
)


def to_place(lex: Lexicon, place_id: str) -> Place:
    """The model :class:`~tripwire.model.Place` for a gazetteer id."""
    entry = lex.kb.places[place_id]
    return Place(name=entry.name, country=entry.country, lat=entry.lat, lon=entry.lon, gazetteer_id=entry.id)


def choose_place(lex: Lexicon, candidates: list[Mention], preferred: list[Mention]) -> str | None:
    """The gazetteer id of the most specific place, looking first at ``preferred`` mentions."""
    for pool in (preferred, candidates):
        if pool:
            best = max(pool, key=lambda m: (lex.depth(m.key), -m.start))
            return best.key
    return None


#: A sea area and a coastal place this close (km) can be the place of one attack on shipping.
SEA_RADIUS_KM = 600.0
#: Two sites or towns this close (km) can be the place of one event ("near Erbil", a base outside its town).
NEAR_KM = 30.0
#: How far from its centre a province or region reaches, for places the gazetteer does not nest in it.
AREA_KM = {"province": 150.0, "region": 300.0}


def distance_km(a: Place, b: Place) -> float | None:
    """Great-circle distance between two places with coordinates, else None."""
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    la1, lo1, la2, lo2 = (math.radians(float(x)) for x in (a.lat, a.lon, b.lat, b.lon))  # type: ignore[arg-type]
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _sea_core(name: str) -> str:
    return re.sub(r"^(?:the\s+)?(?:(?:north|south|east|west)(?:ern)?|central|upper|lower)\s+", "", name.strip().lower())


def compatible(lex: Lexicon, a: Place | None, b: Place | None) -> bool:
    """Whether two places can be the place of one event.

    The same place, one inside the other, one just the country of the other, a
    sea area and a coast within :data:`SEA_RADIUS_KM`, or two sites within
    :data:`NEAR_KM` of each other.
    """
    if a is None or b is None:
        return True
    if a.gazetteer_id and a.gazetteer_id == b.gazetteer_id:
        return True
    ka = lex.kb.places.get(a.gazetteer_id or "")
    kb_ = lex.kb.places.get(b.gazetteer_id or "")
    kinds = {ka.kind if ka else None, kb_.kind if kb_ else None}
    if kinds == {"sea"} and ka is not None and kb_ is not None and _sea_core(ka.name) == _sea_core(kb_.name):
        return True  # "the northern Red Sea" is part of "the Red Sea"
    if "sea" in kinds and "country" not in kinds:
        d = distance_km(a, b)
        return d is not None and d <= SEA_RADIUS_KM
    if a.country and b.country and a.country != b.country:
        return False
    if ka is not None and kb_ is not None and "country" not in kinds:
        d = distance_km(a, b)
        reach = max(AREA_KM.get(ka.kind, NEAR_KM), AREA_KM.get(kb_.kind, NEAR_KM))
        if d is not None and d <= reach:
            return True
    if ka is None or kb_ is None:
        return a.name == b.name
    if ka.kind == "country" or kb_.kind == "country":
        return True
    return ka.id in lex.ancestors(kb_.id) or kb_.id in lex.ancestors(ka.id)


def more_specific(lex: Lexicon, a: Place | None, b: Place | None) -> Place | None:
    """Whichever of two compatible places is more specific (``a`` on a tie)."""
    if a is None:
        return b
    if b is None:
        return a
    da, db = lex.depth(a.gazetteer_id or ""), lex.depth(b.gazetteer_id or "")
    return b if db > da else a


def find_target(text: str, start: int, end: int, places: list[Mention], lex: Lexicon) -> str | None:
    """The thing attacked, looked for in text[start:end]: a US facility, a base, or a site/district place."""
    m = _TARGET.search(text, start, end)
    site = next((p for p in places if start <= p.start < end and lex.kb.places[p.key].kind in {"site", "district"}), None)
    if site is not None and (m is None or site.start <= m.start()):
        return lex.kb.places[site.key].name
    if m is not None:
        found = m.group(0)
        return re.sub(r"^the\s+", "", " ".join(found.split()), flags=re.I)
    return None
