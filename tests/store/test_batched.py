"""Batched writes (``Store.add_documents``, ``Store.save_extractions``, ``BatchWriter``) on SQLite and PostgreSQL.

A batch is one transaction: every document stored once per content hash with
every place it was seen, every extraction replacing the earlier one of its
document, all or nothing; a refused batch is written again item by item.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tripwire import batching
from tripwire.errors import StoreError
from tripwire.store import Store, batched, rows
from tripwire.store.tables import DocumentLocationRow, ExtractionRow, RedLineStatementRow

from . import factories as f


def _docs(n: int, prefix: str = "Rockets struck a base near Kirkuk") -> list:  # type: ignore[type-arg]
    return [f.document(f"{prefix}, report {i}.", location=f"/data/batch/{prefix[:7]}-{i}.txt") for i in range(n)]


def _table_count(store: Store, column: object) -> int:
    with store._read() as session:
        return int(session.scalar(select(func.count(column))) or 0)


def test_a_batch_stores_each_document_once_with_every_place(store: Store) -> None:
    docs = _docs(4)
    twin = docs[1].model_copy(update={"location": "https://wire.example.com/kirkuk-1"})  # same text, another place
    flags = store.add_documents([(docs[0], ("https://wire.example.com/kirkuk-0",)), (docs[1], ()), (twin, ()), (docs[2], ()), (docs[3], ())])
    assert flags == [True, True, False, True, True]
    assert store.count_documents() == 4
    assert store.document_locations(docs[0].id) == [docs[0].location, "https://wire.example.com/kirkuk-0"]
    assert store.document_locations(docs[1].id) == [docs[1].location, twin.location]
    assert [d.id for d in store.list_documents()] == [d.id for d in docs], "listings keep the order the batch came in"
    assert store.get_document(docs[2].id) == docs[2]


def test_a_second_batch_adds_only_new_documents_and_new_places(store: Store) -> None:
    docs = _docs(3)
    store.add_documents([(d, ()) for d in docs])
    more = _docs(2, prefix="A drone hit an airfield near Erbil")
    moved = docs[0].model_copy(update={"location": "/mirror/kirkuk-0.txt"})
    assert store.add_documents([(docs[0], ()), (moved, ()), (more[0], ()), (more[1], ())]) == [False, False, True, True]
    assert store.count_documents() == 5
    assert store.document_locations(docs[0].id) == [docs[0].location, moved.location]
    assert _table_count(store, DocumentLocationRow.id) == 6, "no place recorded twice"
    assert store.add_document(more[0]) is False and store.add_document(f.document("A new report on the base.")) is True


def test_a_failing_document_batch_stores_none_of_it(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _docs(2)
    store.add_documents([(d, ()) for d in first])
    real = rows.insert_many
    calls = {"n": 0}

    def failing(session, insert, table, params, conflict=None):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if table.name == "document_locations":
            raise ValueError("locations cannot be written")
        return real(session, insert, table, params, conflict)

    monkeypatch.setattr(batched, "insert_many", failing)
    with pytest.raises(StoreError, match="locations cannot be written"):
        store.add_documents([(d, ()) for d in _docs(3, prefix="Mortar rounds landed near Baghdad")])
    assert calls["n"] == 2
    assert store.count_documents() == 2 and _table_count(store, DocumentLocationRow.id) == 2


def test_document_batches_larger_than_an_in_list(store: Store) -> None:
    docs = _docs(rows.IN_CHUNK + 20)
    assert all(store.add_documents([(d, ()) for d in docs]))
    assert not any(store.add_documents([(d, ()) for d in docs]))
    assert store.count_documents() == rows.IN_CHUNK + 20 and _table_count(store, DocumentLocationRow.id) == rows.IN_CHUNK + 20


def test_an_empty_batch_is_nothing(store: Store) -> None:
    assert store.add_documents([]) == []
    store.save_extractions([])
    assert store.count_documents() == 0


def test_saving_extractions_in_a_batch_replaces_earlier_ones_and_their_red_lines(store: Store) -> None:
    ids = [c * 64 for c in "abcd"]
    store.save_extractions([f.extraction(i, version="1", redlines=(f.redline(),)) for i in ids])
    assert _table_count(store, RedLineStatementRow.id) == 4
    newer = [f.extraction(i, version="2", redlines=(f.redline(), f.redline("an embassy is stormed"))) for i in ids[:2]]
    store.save_extractions([*newer, f.extraction(ids[1], version="3")])  # a document twice in one batch: the later one wins
    assert store.get_extraction(ids[0]).extractor_version == "2"
    assert store.get_extraction(ids[1]).extractor_version == "3" and store.get_extraction(ids[1]).redlines == ()
    assert store.get_extraction(ids[2]) == f.extraction(ids[2], version="1", redlines=(f.redline(),))
    assert _table_count(store, ExtractionRow.document_id) == 4
    assert _table_count(store, RedLineStatementRow.id) == 2 + 2, "ids[0] has two, ids[2] and ids[3] one each"
    assert [r.condition for r in store.list_redline_statements()] == ["an American is killed", "an embassy is stormed"]


def test_a_failing_extraction_batch_keeps_the_earlier_extractions(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [c * 64 for c in "ab"]
    store.save_extractions([f.extraction(i, version="1", redlines=(f.redline(),)) for i in ids])
    real = rows.insert_many

    def failing(session, insert, table, params, conflict=None):  # type: ignore[no-untyped-def]
        if table.name == "redline_statements":
            raise ValueError("statements cannot be written")
        return real(session, insert, table, params, conflict)

    monkeypatch.setattr(batched, "insert_many", failing)
    with pytest.raises(StoreError, match="statements cannot be written"):
        store.save_extractions([f.extraction(i, version="2", redlines=(f.redline(),)) for i in ids])
    assert {store.get_extraction(i).extractor_version for i in ids} == {"1"}
    assert _table_count(store, RedLineStatementRow.id) == 2


def test_batch_writer_writes_full_batches_and_retries_a_refused_one_item_by_item(store: Store) -> None:
    docs = _docs(5)
    bad = docs[3]
    writes: list[int] = []

    def write(batch):  # type: ignore[no-untyped-def]
        writes.append(len(batch))
        if any(d.id == bad.id for d in batch):
            raise StoreError("could not store documents: the database refused")
        return store.add_documents([(d, ()) for d in batch])

    stored: list[tuple[str, bool]] = []
    refused: list[str] = []
    with batching.BatchWriter(write, size=2, done=lambda d, new: stored.append((d.id, new)), refused=lambda d, e: refused.append(d.id)) as writer:
        writer.extend(docs)
    assert writes == [2, 2, 1, 1, 1]  # [0,1] ok; [2,3] refused, then 2 and 3 alone; [4] at the end
    assert stored == [(docs[i].id, True) for i in (0, 1, 2, 4)] and refused == [bad.id]
    assert store.count_documents() == 4


def test_batch_writer_drops_the_batch_in_flight_when_the_run_fails() -> None:
    written: list[int] = []
    with pytest.raises(KeyboardInterrupt), batching.BatchWriter(lambda b: written.extend(b) or [None] * len(b), size=3,
                                                                done=lambda *_: None, refused=lambda *_: None) as writer:
        writer.extend([1, 2, 3, 4])
        raise KeyboardInterrupt
    assert written == [1, 2, 3], "the full batch was written; the one still filling was not"
    with pytest.raises(ValueError, match="at least 1"):
        batching.BatchWriter(lambda b: b, size=0, done=lambda *_: None, refused=lambda *_: None)


def test_ingest_writes_batches_on_every_backend(store: Store) -> None:
    from pathlib import Path

    from tripwire.ingest import ingest
    from tripwire.settings import Settings

    fixtures = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
    sources = [fixtures / n for n in ("airport.md", "cp1252.txt", "wire.rss", "article.html")]
    settings = Settings({"store_batch_size": 2}, environ={})
    first = ingest(store, sources, settings=settings)
    assert first.ok and len(first.added) == 5 and store.count_documents() == 5  # the feed holds two items
    places = {d: store.document_locations(d) for d in first.added}
    assert sum(map(len, places.values())) == _table_count(store, DocumentLocationRow.id) > 5
    assert all(len(set(p)) == len(p) for p in places.values())
    again = ingest(store, sources, settings=settings)
    assert again.added == () and sorted(again.duplicates) == sorted(first.added)
    airport = next(d for d in store.list_documents() if d.location.endswith("airport.md"))
    assert store.document_locations(airport.id) == [airport.location, "https://wire.example.com/2020/01/03/airport-road"]
    assert {d: store.document_locations(d) for d in first.added} == places, "a re-run records no place twice"
