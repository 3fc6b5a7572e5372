"""Batch extraction on several processes gives exactly what one process gives, in order; saved in batches as it goes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tripwire.extract import batch, extract, extract_and_save, extract_many
from tripwire.ingest import load_file
from tripwire.knowledge import KnowledgeBase
from tripwire.model import Document
from tripwire.store import Store


def _documents(examples_dir: Path) -> list[Document]:
    docs = [d for p in sorted((examples_dir / "articles").iterdir()) for d in load_file(p)]
    docs += load_file(examples_dir / "feeds" / "theatre-wire.xml")
    # the same facts told again with other dates and places, so chunks differ
    for i, place in enumerate(["Camp Taji", "Balad Air Base", "Al Asad Air Base"]):
        text = f"Rockets hit {place} on Tuesday, killing {i + 1} American contractors. US officials blamed Kataib Hezbollah."
        docs.append(Document.from_text(text, location=f"test:{i}", published=dt.datetime(2020, 6, 3 + i, tzinfo=dt.timezone.utc)))
    return docs


def test_parallel_equals_serial(examples_dir: Path, kb: KnowledgeBase) -> None:
    docs = _documents(examples_dir)
    serial = [extract(d, kb) for d in docs]
    parallel = extract_many(docs, workers=2, chunk_size=3, min_parallel=1)
    assert [e.document_id for e in parallel] == [d.id for d in docs]
    assert parallel == serial


def test_small_batches_stay_in_process(examples_dir: Path, kb: KnowledgeBase) -> None:
    docs = _documents(examples_dir)[:3]
    assert extract_many(docs) == [extract(d, kb) for d in docs]


def _spy_saves(store: Store, monkeypatch: pytest.MonkeyPatch, extracted: list[int]) -> list[tuple[int, int]]:
    """Record each save_extractions call as (batch length, documents extracted so far)."""
    saves: list[tuple[int, int]] = []
    real = store.save_extractions

    def spy(extractions):  # type: ignore[no-untyped-def]
        saves.append((len(extractions), len(extracted)))
        return real(extractions)

    monkeypatch.setattr(store, "save_extractions", spy)
    return saves


def test_extractions_are_saved_a_batch_at_a_time_while_extraction_goes_on(examples_dir: Path, kb: KnowledgeBase, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _documents(examples_dir)
    extracted: list[int] = []
    real_extract = batch.extract

    def counting(document, knowledge):  # type: ignore[no-untyped-def]
        extracted.append(1)
        return real_extract(document, knowledge)

    monkeypatch.setattr(batch, "extract", counting)
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        saves = _spy_saves(store, monkeypatch, extracted)
        out = extract_and_save(store, docs, batch_size=4, workers=1, chunk_size=3)
        assert out == [real_extract(d, kb) for d in docs]
        assert [n for n, _ in saves] == [4] * (len(docs) // 4) + ([len(docs) % 4] if len(docs) % 4 else [])
        assert saves[0][1] < len(docs), "the first batch is saved before extraction ends"
        assert all(store.get_extraction(e.document_id) == e for e in out)


def test_parallel_extractions_are_saved_in_batches_and_equal_serial(examples_dir: Path, kb: KnowledgeBase, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _documents(examples_dir)
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        saves = _spy_saves(store, monkeypatch, [])
        out = extract_and_save(store, docs, batch_size=5, workers=2, chunk_size=2, min_parallel=1)
        assert out == [extract(d, kb) for d in docs]
        assert sum(n for n, _ in saves) == len(docs) and max(n for n, _ in saves) == 5 and len(saves) == -(-len(docs) // 5)
        assert all(store.get_extraction(d.id) == e for d, e in zip(docs, out))
