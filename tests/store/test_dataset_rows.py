"""``Store.add_dataset_rows``: many dataset rows per transaction, deduplicated by event id, all or nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tripwire.errors import NotFound, StoreError
from tripwire.interop import ParsedRow, iter_events
from tripwire.model import Incident
from tripwire.store import Store, rows

from tripwire.knowledge import KnowledgeBase  # noqa: E402

KB = KnowledgeBase.load()

FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"


def _parsed(name: str) -> list[tuple[object, object]]:
    return [(i.document, i.event) for i in iter_events(FIXTURES / name, kb=KB) if isinstance(i, ParsedRow)]


def test_a_batch_stores_every_row_once_with_its_claims_links_and_location(store: Store) -> None:
    batch = _parsed("acled_iraq.csv")  # holds one row twice
    flags = store.add_dataset_rows(batch)
    assert flags.count(True) == 6 and flags[-1] is False
    for (doc, event), new in zip(batch, flags):
        if new and isinstance(event, Incident):
            stored = store.get_incident(event.id)
            assert stored == event and store.get_document(doc.id).text == doc.text
            assert store.live_incident_documents()[event.id] == {doc.id}
            assert store.document_locations(doc.id) == [doc.location]
    assert store.count_documents() == 6 and store.count_incidents() == 3 and len(store.list_actions()) == 3


def test_a_second_batch_of_the_same_events_writes_nothing_but_new_places(store: Store, tmp_path: Path) -> None:
    batch = _parsed("ucdp_ged.csv")
    store.add_dataset_rows(batch)
    moved = [(doc.model_copy(update={"location": "elsewhere.csv#" + doc.location.rsplit("#", 1)[1]}), event) for doc, event in batch]
    assert store.add_dataset_rows(moved) == [False, False]
    assert store.count_documents() == 2 and store.count_incidents() == 2
    doc = batch[0][0]
    assert store.document_locations(doc.id) == [doc.location, moved[0][0].location]


def test_a_duplicate_event_with_other_text_adds_no_document(store: Store) -> None:
    (doc, event), *_ = _parsed("ucdp_ged.csv")
    store.add_dataset_rows([(doc, event)])
    other = doc.model_copy(update={"id": "f" * 64, "text": doc.text + "\nextra: column"})
    assert store.add_dataset_rows([(other, event)]) == [False]
    assert store.count_documents() == 1
    with pytest.raises(NotFound):
        store.get_document("f" * 64)


def test_a_failing_batch_stores_none_of_it_and_keeps_earlier_batches(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _parsed("acled_iraq.csv")[:2], _parsed("acled_iraq.csv")[2:6]
    store.add_dataset_rows(first)

    def broken(incident: Incident) -> list[dict[str, object]]:
        raise ValueError("claims cannot be written")

    monkeypatch.setattr(rows, "claim_values", broken)
    with pytest.raises(StoreError, match="claims cannot be written"):
        store.add_dataset_rows(second)
    assert store.count_documents() == 2 and {i.id for i in store.list_incidents()} | {a.id for a in store.list_actions()} == {e.id for _d, e in first}


def test_an_empty_batch_is_nothing(store: Store) -> None:
    assert store.add_dataset_rows([]) == []


def test_batches_larger_than_an_in_list(store: Store) -> None:
    (doc, event), *_ = _parsed("ucdp_ged.csv")
    many = []
    for i in range(rows.IN_CHUNK + 30):
        text = doc.text.replace("row 900001", f"row {i}")
        copy = doc.model_copy(update={"id": f"{i:064d}", "text": text, "location": f"big.csv#{i}"})
        many.append((copy, event.model_copy(update={"id": f"ucdp-{i}", "documents": (copy.id,), "date": dt.date(2019, 1, 1)})))
    assert all(store.add_dataset_rows(many))
    assert not any(store.add_dataset_rows(many))
    assert store.count_incidents() == rows.IN_CHUNK + 30


@pytest.mark.parametrize(
    ("windows", "expected"),
    [
        ([(dt.date(2020, 1, 1), dt.date(2020, 1, 15))], ["acled-irq48213", "acled-irq48214"]),
        ([(dt.date(2020, 1, 9), dt.date(2020, 6, 14))], []),
        ([(dt.date(2020, 6, 15), dt.date(2020, 6, 15)), (dt.date(2020, 1, 8), dt.date(2020, 1, 8))], ["acled-irq48213", "acled-irq48214", "acled-irq51877"]),
        ([], []),
    ],
)
def test_dataset_incidents_by_date_window_leave_out_article_incidents(store: Store, windows: list[tuple[dt.date, dt.date]], expected: list[str]) -> None:
    store.add_dataset_rows(_parsed("acled_al_asad_2020.csv"))
    row = store.get_incident("acled-irq48213")
    # an article incident that absorbed the row lists its document too: it is not an imported incident
    store.save_incident(row.model_copy(update={"id": "2020-01-08-al-asad-missile-strike", "documents": (*row.documents, "f" * 64)}))
    store.supersede_incidents({"acled-irq48213": "2020-01-08-al-asad-missile-strike"})
    assert [i.id for i in store.dataset_incidents(windows)] == expected  # superseded rows included
