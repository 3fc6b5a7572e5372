"""UCDP Georeferenced Event Dataset (GED) CSV exports.

Every GED row is an event of lethal organised violence between ``side_a`` and
``side_b``: state-based (``type_of_violence`` 1), non-state (2) or one-sided
violence against civilians (3). All become incidents. For one-sided violence
``side_a`` is the perpetrator; in the other two both sides took part in the
fighting, so both are recorded as alleged perpetrators, hedged as parties to
the clash. ``best`` (the best estimate of deaths) becomes the killed count,
marked approximate when UCDP's ``low`` and ``high`` estimates differ.

Read from the GED global CSV (19.1 and later layouts; older ``best_est``-style
names are aliases), HDX's republished CSV (its HXL tag row is skipped, see
:mod:`.records`) and the JSON of the UCDP API (``{"Result": [...]}``). The
country comes from ``country_id``, a Gleditsch-Ward number, then the name.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..knowledge import KnowledgeBase
from ..model import Document, Incident, Place
from .common import (
    MISSING_VALUES,
    DatasetFormat,
    Event,
    attributions,
    dataset_key,
    event_types,
    killed,
    parse_coord,
    parse_count,
    parse_date,
    place_id,
    row_document,
)

DATASET = "UCDP GED"

#: The columns of the GED global CSV (version 22.1 onwards), in file order.
COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id", "conflict_new_id",
    "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a",
    "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office", "source_date",
    "source_headline", "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity",
    "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best",
    "high", "low", "gwnoa", "gwnob",
)  # fmt: skip

#: The columns a GED file must have to be imported.
REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "country", "latitude", "longitude", "date_start", "best")

DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y")
#: GED date_prec (1 exact day ... 5 only the year is certain) -> ours.
PRECISION = {"1": "day", "2": "month", "3": "month", "4": "month", "5": "year"}


def parse_row(record: Mapping[str, str], location: str, kb: KnowledgeBase, raw: str | None = None) -> tuple[Document, Event]:
    """One GED row as its provenance document and an :class:`Incident`."""
    key = dataset_key(record.get("id"), column="id")
    start = record.get("date_start", "")
    date = parse_date(start[:10] if len(start) > 10 else start, DATE_FORMATS, column="date_start")
    lat = parse_coord(record.get("latitude"), column="latitude", limit=90)
    lon = parse_coord(record.get("longitude"), column="longitude", limit=180)
    best = parse_count(record.get("best"), column="best")
    low = parse_count(record.get("low"), column="low")
    high = parse_count(record.get("high"), column="high")
    codes = kb.country_codes
    country = codes.from_gw(record.get("country_id")) or codes.iso2(record.get("iso3"), "iso3") or codes.iso2(record.get("country"), "name")
    place_name = record.get("where_coordinates", "") or record.get("adm_1", "") or record.get("country", "") or "unknown"
    place = Place(name=place_name, country=country, lat=lat, lon=lon, gazetteer_id=place_id(kb, place_name, place_name.rsplit(" ", 1)[0]))
    violence = record.get("type_of_violence", "")
    conf = event_types()["ucdp"]
    mapping = conf["type_of_violence"].get(violence, conf["default"])
    dyad = record.get("dyad_name", "") or f"{record.get('side_a', '')} - {record.get('side_b', '')}"
    doc = row_document(
        dataset=DATASET,
        key=key,
        record=record,
        location=f"{location}#{key}",
        media_type="text/csv",
        title=f"UCDP GED {key}: {dyad} in {place_name}",
        date=date,
        raw=raw if raw is not None else ",".join(record.values()),
    )
    statements = []
    sides = ("side_a", "side_b") if mapping.get("both_sides") else ("side_a",)
    hedges = ("party to the clash",) if mapping.get("both_sides") else ()
    for column in sides:
        statements += attributions(kb, doc, column=column, text=record.get(column), dataset=DATASET, hedges=hedges)
    casualties = ()
    if best:
        approximate = low is not None and high is not None and low != high
        casualties = (killed(best, approximate),)
    return doc, Incident(
        id=f"ucdp-{key}",
        date=date,
        date_text=start or None,
        date_precision=PRECISION.get(record.get("date_prec", ""), "day"),
        place=place,
        attack_type=str(mapping["attack_type"]),
        target=None if mapping.get("both_sides") else (record.get("side_b", "") or None),
        casualties=casualties,
        attributions=tuple(statements),
        documents=(doc.id,),
        summary=record.get("source_headline", "") or record.get("where_description", "") or None,
    )


#: Column names of older GED releases -> the current ones.
ALIASES = {"best_est": "best", "low_est": "low", "high_est": "high"}

FORMAT = DatasetFormat(name="ucdp", label=DATASET, delimiter=",", required=REQUIRED, parse=parse_row, missing=MISSING_VALUES, aliases=ALIASES)
