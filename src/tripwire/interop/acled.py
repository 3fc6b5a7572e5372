"""ACLED (Armed Conflict Location & Event Data) CSV exports.

One ACLED row is one event: ``event_id_cnty`` identifies it, ``event_type`` /
``sub_event_type`` say what happened, ``actor1`` (with ``assoc_actor_1``) did
it to ``actor2``, ``fatalities`` counts the dead. Battles, remote violence and
violence against civilians become incidents; protests, riots and strategic
developments become actions (see ``interop/data/event_types.yaml``).

Three layouts are read: the current 31-column export (dates ISO or "28
December 2022", ``iso`` an ISO 3166 numeric code, empty fields possibly
written as R's ``NA``), the legacy layout of the 2016-era files (upper-case
headers, ``GWNO`` Gleditsch-Ward country numbers, ``ALLY_ACTOR_1``, dd/mm/yyyy
dates, the pre-2019 event types such as "Battle-No change of territory" and
"Remote violence", often Windows-1252 bytes) and the JSON of ACLED's API
(``{"data": [...]}``; see :mod:`.records`). An actor field may name
alternatives ("X and/or Y"): each becomes its own statement, hedged.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..knowledge import KnowledgeBase
from ..model import Action, Document, Incident, Place
from .common import (
    MISSING_VALUES,
    DatasetFormat,
    Event,
    actor_names,
    attributions,
    dataset_key,
    event_types,
    is_state_force,
    killed,
    parse_coord,
    parse_count,
    parse_date,
    place_id,
    resolve_actor,
    row_document,
    split_names,
)

DATASET = "ACLED"

#: The columns of ACLED's current export layout, in file order.
COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip

#: The columns an ACLED file must have to be imported.
REQUIRED = ("event_id_cnty", "event_date", "event_type", "actor1", "country", "latitude", "longitude", "fatalities")

#: The columns of the legacy (2016-era) layout, as its header spells them.
LEGACY_COLUMNS = (
    "GWNO", "EVENT_ID_CNTY", "EVENT_ID_NO_CNTY", "EVENT_DATE", "YEAR", "TIME_PRECISION", "EVENT_TYPE", "ACTOR1", "ALLY_ACTOR_1",
    "INTER1", "ACTOR2", "ALLY_ACTOR_2", "INTER2", "INTERACTION", "COUNTRY", "ADMIN1", "ADMIN2", "ADMIN3", "LOCATION", "LATITUDE",
    "LONGITUDE", "GEO_PRECISION", "SOURCE", "NOTES", "FATALITIES",
)  # fmt: skip

#: Legacy and API column names -> the current ones.
ALIASES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}

DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%d/%m/%Y")
#: ACLED time_precision (1 exact day, 2 within a week, 3 within a month) -> ours.
PRECISION = {"1": "day", "2": "month", "3": "month"}


def _mapping(record: Mapping[str, str]) -> dict[str, object]:
    table = event_types()["acled"]
    sub = record.get("sub_event_type", "").lower()
    kind = record.get("event_type", "").lower()
    return table["sub_event_types"].get(sub) or table["event_types"].get(kind) or table["default"]


def parse_row(record: Mapping[str, str], location: str, kb: KnowledgeBase, raw: str | None = None) -> tuple[Document, Event]:
    """One ACLED row as its provenance document and an :class:`Incident` or :class:`Action`.

    ``location`` is the file the row came from, ``raw`` the row as read (for
    the document's ``raw_sha256``). Raises an :class:`~tripwire.errors.InputError`
    or ``ValueError`` naming the column at fault when the row is unusable.
    """
    key = dataset_key(record.get("event_id_cnty"), column="event_id_cnty")
    date = parse_date(record.get("event_date", ""), DATE_FORMATS, column="event_date")
    lat = parse_coord(record.get("latitude"), column="latitude", limit=90)
    lon = parse_coord(record.get("longitude"), column="longitude", limit=180)
    fatalities = parse_count(record.get("fatalities"), column="fatalities")
    codes = kb.country_codes
    country = (
        codes.iso2(record.get("iso"), "numeric")
        or codes.iso2(record.get("iso3"), "iso3")
        or codes.from_gw(record.get("gwno"))
        or codes.iso2(record.get("country"), "name")
    )
    place_name = record.get("location", "") or record.get("admin1", "") or record.get("country", "") or "unknown"
    place = Place(name=place_name, country=country, lat=lat, lon=lon, gazetteer_id=place_id(kb, place_name))
    sub_event = record.get("sub_event_type", "") or record.get("event_type", "")
    doc = row_document(
        dataset=DATASET,
        key=key,
        record=record,
        location=f"{location}#{key}",
        media_type="text/csv",
        title=f"ACLED {key}: {sub_event} in {place_name}",
        date=date,
        raw=raw if raw is not None else ",".join(record.values()),
    )
    common = {
        "date": date,
        "date_text": record.get("event_date", ""),
        "date_precision": PRECISION.get(record.get("time_precision", ""), "day"),
        "place": place,
        "casualties": (killed(fatalities),) if fatalities else (),
        "documents": (doc.id,),
        "summary": record.get("notes", "") or None,
    }
    mapping = _mapping(record)
    actors = actor_names(record.get("actor1"))
    actor1 = actors[0] if len(actors) == 1 else ""
    prefixes = event_types()["acled"].get("state_prefixes", ())
    event_id = f"acled-{key.lower()}"
    if mapping["event"] == "incident" and not (mapping.get("state_action") and actors and all(is_state_force(a, prefixes) for a in actors)):
        statements = attributions(kb, doc, column="actor1", text=record.get("actor1"), dataset=DATASET)
        for name in split_names(record.get("assoc_actor_1")):
            statements += attributions(kb, doc, column="assoc_actor_1", text=name, dataset=DATASET, hedges=("associated actor",))
        return doc, Incident(
            id=event_id,
            attack_type=str(mapping["attack_type"]),
            target=record.get("actor2", "") or None,
            attributions=tuple(statements),
            **common,
        )
    actor = resolve_actor(kb, actor1) if actor1 else "unknown"
    return doc, Action(
        id=event_id,
        kind=str(mapping.get("state_action") or mapping.get("kind") or "other"),
        actor=None if actor == "unknown" else actor,
        target=record.get("actor2", "") or None,
        **common,
    )


FORMAT = DatasetFormat(name="acled", label=DATASET, delimiter=",", required=REQUIRED, parse=parse_row, missing=MISSING_VALUES, aliases=ALIASES)

