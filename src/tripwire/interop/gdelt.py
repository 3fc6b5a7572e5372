"""GDELT 2.0 event exports (``*.export.CSV``): tab-separated, no header, 61 columns.

GDELT codes each event with a CAMEO ``EventCode``; assault (18x), fight (19x)
and mass violence (20x) become incidents, protest (14x) and everything else
actions (see ``interop/data/event_types.yaml``). Places use FIPS 10-4 country
codes (``IZ`` is Iraq, ``IS`` Israel), converted here to ISO alpha-2. GDELT is
machine-coded from news and records no casualties; each event's ``NumMentions``,
``GoldsteinScale`` and ``SOURCEURL`` go into the summary.

Country codes are FIPS 10-4 (``IZ`` Iraq, ``NI`` Nigeria, ``RS`` Russia),
resolved through :attr:`KnowledgeBase.country_codes`. Two filters analysts
use are import options (:func:`keep`): ``root_only`` keeps events GDELT marks
``IsRootEvent`` 1 (reported in an article's lead paragraphs), ``min_sources``
those with at least that many ``NumSources``.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import Any

from ..knowledge import KnowledgeBase
from ..model import Action, Document, Incident, Place
from .common import (
    DatasetFormat,
    Event,
    attribution,
    dataset_key,
    event_types,
    parse_coord,
    parse_date,
    place_id,
    resolve_actor,
    row_document,
)

DATASET = "GDELT"

_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
_GEO = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")

#: The 61 columns of a GDELT 2.0 event record, in file order.
COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor1{c}" for c in _ACTOR), *(f"Actor2{c}" for c in _ACTOR),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"Actor1Geo_{c}" for c in _GEO), *(f"Actor2Geo_{c}" for c in _GEO), *(f"ActionGeo_{c}" for c in _GEO),
    "DATEADDED", "SOURCEURL",
)  # fmt: skip

QUAD = {"1": "verbal cooperation", "2": "material cooperation", "3": "verbal conflict", "4": "material conflict"}


def _mapping(code: str) -> dict[str, object]:
    table = event_types()["gdelt"]
    for n in range(len(code), 1, -1):
        hit = table["cameo"].get(code[:n])
        if hit:
            return hit
    return table["default"]


def parse_row(record: Mapping[str, str], location: str, kb: KnowledgeBase, raw: str | None = None) -> tuple[Document, Event]:
    """One GDELT event record as its provenance document and an :class:`Incident` or :class:`Action`."""
    key = dataset_key(record.get("GLOBALEVENTID"), column="GLOBALEVENTID")
    if not key.isdigit():
        raise ValueError(f"column 'GLOBALEVENTID': {key[:40]!r} is not an event number")
    date = parse_date(record.get("SQLDATE", ""), ("%Y%m%d",), column="SQLDATE")
    code = record.get("EventCode", "")
    if not code.isdigit():
        raise ValueError(f"column 'EventCode': {code[:40]!r} is not a CAMEO code")
    lat = parse_coord(record.get("ActionGeo_Lat"), column="ActionGeo_Lat", limit=90)
    lon = parse_coord(record.get("ActionGeo_Long"), column="ActionGeo_Long", limit=180)
    place_name = record.get("ActionGeo_FullName", "") or "unknown"
    country = kb.country_codes.from_fips(record.get("ActionGeo_CountryCode"))
    place = Place(name=place_name, country=country, lat=lat, lon=lon, gazetteer_id=place_id(kb, place_name.split(",")[0]))
    actor1, actor2 = record.get("Actor1Name", ""), record.get("Actor2Name", "")
    quad = QUAD.get(record.get("QuadClass", ""), "unknown class")
    parts = [f"CAMEO {code} ({quad})", f"{actor1 or '?'} -> {actor2 or '?'}"]
    if record.get("NumMentions", ""):
        parts.append(f"{record.get('NumMentions', '')} mentions")
    if record.get("GoldsteinScale", ""):
        parts.append(f"Goldstein {record.get('GoldsteinScale', '')}")
    if record.get("SOURCEURL", ""):
        parts.append(record.get("SOURCEURL", ""))
    doc = row_document(
        dataset=DATASET,
        key=key,
        record=record,
        location=f"{location}#{key}",
        media_type="text/tab-separated-values",
        title=f"GDELT {key}: CAMEO {code} in {place_name}",
        date=date,
        raw=raw if raw is not None else "\t".join(record.values()),
    )
    common = {
        "date": date,
        "date_text": record.get("SQLDATE", ""),
        "date_precision": "day",
        "place": place,
        "documents": (doc.id,),
        "summary": "; ".join(parts),
    }
    mapping = _mapping(code)
    conf = event_types()["gdelt"]
    state = record.get("Actor1Type1Code", "") in conf.get("state_types", ()) and not record.get("Actor1KnownGroupCode", "")
    event_id = f"gdelt-{key}"
    if mapping["event"] == "incident" and not (mapping.get("state_action") and state):
        statements = (attribution(kb, doc, column="Actor1Name", name=actor1, dataset=DATASET),) if actor1 else ()
        return doc, Incident(id=event_id, attack_type=str(mapping["attack_type"]), target=actor2 or None, attributions=statements, **common)
    actor = resolve_actor(kb, actor1) if actor1 else "unknown"
    return doc, Action(
        id=event_id,
        kind=str(mapping.get("state_action") or mapping.get("kind") or "other"),
        actor=None if actor == "unknown" else actor,
        target=actor2 or None,
        **common,
    )


def keep(record: Mapping[str, str], options: Mapping[str, Any]) -> bool:
    """Whether a record passes the ``root_only`` and ``min_sources`` import options."""
    if options.get("root_only") and record.get("IsRootEvent", "") != "1":
        return False
    least = int(options.get("min_sources") or 0)
    if least > 1:
        sources = record.get("NumSources", "")
        if not sources.isdigit() or int(sources) < least:
            return False
    return True


FORMAT = DatasetFormat(
    name="gdelt",
    label="GDELT 2.0 events",
    delimiter="\t",
    required=(),
    parse=parse_row,
    columns=COLUMNS,
    quoting=csv.QUOTE_NONE,
    media_type="text/tab-separated-values",
    keep=keep,
)
