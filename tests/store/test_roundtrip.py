"""Property tests: arbitrary documents, incidents and evaluations survive the store unchanged."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.model import (
    AttributionKind,
    AttributionStatement,
    Casualty,
    Document,
    Incident,
    Place,
    Source,
    Span,
)
from tripwire.store import Store

# PostgreSQL text cannot hold NUL; surrogates cannot be encoded at all.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
SHORT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12)
OFFSETS = st.integers(-23 * 60, 23 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
DATETIMES = st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2100, 1, 1), timezones=st.none() | OFFSETS)
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1))
COUNTER = itertools.count()


@st.composite
def documents(draw: st.DrawFn) -> Document:
    # A unique tail keeps every example a new document, so dedup never hides a field.
    text = draw(TEXT) + f"\n#{next(COUNTER)}"
    return Document.from_text(
        text,
        location=draw(SHORT),
        title=draw(st.none() | TEXT),
        outlet=draw(st.none() | SHORT),
        author=draw(st.none() | TEXT),
        published=draw(st.none() | DATETIMES),
        media_type=draw(st.sampled_from(["text/plain", "text/html", "application/atom+xml"])),
        kind=draw(st.sampled_from(["article", "feed-item", "dataset-row"])),
        raw_sha256=draw(st.none() | st.text("0123456789abcdef", min_size=64, max_size=64)),
        retrieved_at=draw(st.none() | DATETIMES),
    )


SOURCES = st.builds(Source, speaker=st.none() | SHORT, speaker_id=st.none() | SHORT, outlet=st.none() | SHORT, anonymous=st.booleans(), via=st.none() | SHORT)
SPANS = st.builds(Span, document_id=SHORT, start=st.integers(0, 10**6), end=st.integers(0, 10**6), text=TEXT)
FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
INCIDENTS = st.builds(
    Incident,
    id=SHORT,
    date=st.none() | DATES,
    date_text=st.none() | TEXT,
    date_precision=st.none() | st.sampled_from(["day", "month", "year"]),
    place=st.none()
    | st.builds(Place, name=SHORT, country=st.none() | st.sampled_from(["US", "IQ", "IR"]), lat=st.none() | st.floats(-90, 90), lon=st.none() | st.floats(-180, 180)),
    attack_type=st.none() | SHORT,
    casualties=st.lists(
        st.builds(Casualty, status=st.sampled_from(["killed", "injured"]), count=st.integers(0, 10**6), nationality=st.none() | st.sampled_from(["US", "IQ"]), approximate=st.booleans()),
        max_size=3,
    ).map(tuple),
    attributions=st.lists(
        st.builds(
            AttributionStatement,
            actor=SHORT,
            kind=st.sampled_from(list(AttributionKind)),
            hedges=st.lists(SHORT, max_size=2).map(tuple),
            sponsor=st.none() | SHORT,
            relation=st.none() | SHORT,
            asserted_by=SOURCES,
            evidence=st.none() | SPANS,
        ),
        max_size=3,
    ).map(tuple),
    documents=st.lists(SHORT, max_size=3).map(tuple),
    evidence=st.lists(SPANS, max_size=2).map(tuple),
    summary=st.none() | TEXT,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(doc=documents())
def test_documents_round_trip(store: Store, doc: Document) -> None:
    assert store.add_document(doc) is True
    got = store.get_document(doc.id)
    assert got == doc
    assert (got.published is None) == (doc.published is None)
    if doc.published is not None:
        assert (got.published.tzinfo is None) == (doc.published.tzinfo is None)
        assert got.published.utcoffset() == doc.published.utcoffset()


@SETTINGS
@given(incident=INCIDENTS)
def test_incidents_round_trip(store: Store, incident: Incident) -> None:
    store.save_incident(incident)
    assert store.get_incident(incident.id) == incident
    assert store.get_incident(incident.id).model_dump(mode="json") == incident.model_dump(mode="json")
