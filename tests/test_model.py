"""The domain models' one input-cleaning rule: no NUL characters, so both store backends keep the same thing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tripwire.model import (
    AttributionStatement,
    Document,
    Evaluation,
    Incident,
    Place,
    RedLineStatus,
    Source,
    content_hash,
    icd203_phrase,
    without_nul,
)
from tripwire.store import Store


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\x00b", "ab"),
        ("\x00", ""),
        ("clean", "clean"),
        (("x\x00", "y"), ("x", "y")),
        (["\x00z"], ["z"]),
        ({"k\x00": "v\x00", "n": 1.5}, {"k": "v", "n": 1.5}),
        (3, 3),
        (None, None),
    ],
)
def test_without_nul(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert without_nul(value) == expected


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\x00", "é", "\r"]), max_size=40))
def test_a_documents_identity_does_not_depend_on_nul_characters(text: str) -> None:
    assert content_hash(text) == content_hash(text.replace("\x00", ""))
    doc = Document.from_text(text, location="api:\x00post", title="T\x00")
    assert "\x00" not in doc.text and doc.location == "api:post" and doc.title == "T"
    assert doc.id == content_hash(doc.text)


def test_nested_models_tuples_and_dicts_are_cleaned() -> None:
    incident = Incident(
        id="inc\x00-1",
        date=dt.date(2020, 1, 8),
        place=Place(name="Al\x00 Asad", country="IQ"),
        attack_type="missile\x00 strike",
        attributions=(AttributionStatement(actor="irgc", kind="claimed", hedges=("reportedly\x00",), asserted_by=Source(speaker="Iran\x00 state TV")),),
    )
    assert incident.id == "inc-1" and incident.place and incident.place.name == "Al Asad" and incident.attack_type == "missile strike"
    assert incident.attributions[0].hedges == ("reportedly",) and incident.attributions[0].asserted_by.speaker == "Iran state TV"
    ev = Evaluation(
        rule_id="r\x00", incident_id="i", probability=0.5, standard="preponderance", threshold=0.5, status=RedLineStatus.TRIPPED,
        words=icd203_phrase(0.5), components={"cas\x00ualties": 1.0}, evidence=("e\x00",), evaluated_at=dt.datetime(2020, 1, 9, tzinfo=dt.timezone.utc),
    )  # fmt: skip
    assert ev.rule_id == "r" and ev.components == {"casualties": 1.0} and ev.evidence == ("e",)


def test_both_backends_store_and_find_the_same_cleaned_document(db_url: str) -> None:
    doc = Document.from_text("Rockets\x00 struck the base.\x00", location="https://example.org/\x00a", title="Rockets\x00", outlet="Wire\x00")
    with Store(db_url) as store:
        assert store.add_document(doc)
        stored = store.get_document(doc.id)
        assert (stored.text, stored.title, stored.outlet, stored.location) == ("Rockets struck the base.", "Rockets", "Wire", "https://example.org/a")
        assert store.add_location(doc.id, "https://example.org/\x00b")  # a raw lookup string loses its NUL like model input
        assert store.document_locations(doc.id) == ["https://example.org/a", "https://example.org/b"]
        assert store.get_document(doc.id[:10] + "\x00" + doc.id[10:]) == stored


def test_red_line_statuses_rank_most_serious_first() -> None:
    from tripwire.model import RedLineStatus

    assert sorted(RedLineStatus, key=lambda s: s.rank) == [RedLineStatus.TRIPPED, RedLineStatus.WATCH, RedLineStatus.CLEAR]


def test_unpickled_models_share_their_fields_set_and_stay_independent():
    """Instances back from a worker process share one record of set fields; copying one with an update leaves the others alone."""
    import pickle

    from tripwire.model import Casualty, Span

    spans = [Span(document_id="d" * 64, start=i, end=i + 5, text=f"text {i}") for i in range(3)]
    bare = Casualty(count=1, status="killed")
    back = pickle.loads(pickle.dumps([*spans, bare]))
    assert back == [*spans, bare]
    assert back[0].__pydantic_fields_set__ is back[1].__pydantic_fields_set__ is back[2].__pydantic_fields_set__
    assert back[3].model_fields_set == {"count", "status"}
    moved = back[3].model_copy(update={"nationality": "US"})
    assert moved.model_fields_set == {"count", "status", "nationality"}
    assert back[3].model_fields_set == {"count", "status"}
    assert pickle.loads(pickle.dumps(bare)).model_fields_set == {"count", "status"}
    assert back[3].model_dump(exclude_unset=True) == {"count": 1, "status": "killed"}


def test_constructed_and_copied_models_share_their_fields_set():
    from tripwire.model import Casualty

    a, b = Casualty(count=1, status="killed"), Casualty.model_validate({"count": 4, "status": "injured"})
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__
    c = a.model_copy(update={"nationality": "US"})
    d = b.model_copy(update={"nationality": "IQ"})
    assert c.__pydantic_fields_set__ is d.__pydantic_fields_set__ and c.model_fields_set == {"count", "status", "nationality"}
    assert a.model_fields_set == {"count", "status"}
    assert a.model_copy().model_dump(exclude_unset=True) == {"count": 1, "status": "killed"}
    assert Casualty.model_construct(count=2, status="killed").model_fields_set == {"count", "status"}
