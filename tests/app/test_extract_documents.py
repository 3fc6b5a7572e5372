"""``tripwire.app.jobs.extract_documents``: stored articles extracted on every core and saved a batch at a time as the workers return."""

from __future__ import annotations

from pathlib import Path

import pytest

from tripwire.app.context import Context
from tripwire.app.jobs import extract_documents
from tripwire.extract import batch, extract
from tripwire.ingest import load_file
from tripwire.knowledge import KnowledgeBase
from tripwire.model import Document
from tripwire.settings import Settings
from tripwire.store import Store


def _documents(examples_dir: Path) -> list[Document]:
    docs = [d for p in sorted((examples_dir / "articles").iterdir()) for d in load_file(p)]
    docs += load_file(examples_dir / "feeds" / "theatre-wire.xml")
    return docs


def _spy_saves(store: Store, monkeypatch: pytest.MonkeyPatch, extracted: list[int]) -> list[tuple[int, int]]:
    """Record each save_extractions call as (batch length, documents extracted so far)."""
    saves: list[tuple[int, int]] = []
    real = store.save_extractions

    def spy(extractions):  # type: ignore[no-untyped-def]
        saves.append((len(extractions), len(extracted)))
        return real(extractions)

    monkeypatch.setattr(store, "save_extractions", spy)
    return saves


def _context(store: Store, kb: KnowledgeBase, docs: list[Document], size: int) -> Context:
    for doc in docs:
        store.add_document(doc)
    return Context(Settings({"store_batch_size": size}, environ={}), kb, store)


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
        ctx = _context(store, kb, docs, 4)
        saves = _spy_saves(store, monkeypatch, extracted)
        out = extract_documents(ctx, workers=1, chunk_size=3)
        assert {e.document_id: e for e in out} == {d.id: real_extract(d, kb) for d in docs}
        assert [n for n, _ in saves] == [4] * (len(docs) // 4) + ([len(docs) % 4] if len(docs) % 4 else [])
        assert saves[0][1] < len(docs), "the first batch is saved before extraction ends"
        assert all(store.get_extraction(e.document_id) == e for e in out)
        assert extract_documents(ctx, only_new=True) == []  # every stored article has its extraction now


def test_parallel_extractions_are_saved_in_batches_and_equal_serial(examples_dir: Path, kb: KnowledgeBase, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _documents(examples_dir)
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        ctx = _context(store, kb, docs, 5)
        saves = _spy_saves(store, monkeypatch, [])
        out = extract_documents(ctx, workers=2, chunk_size=2, min_parallel=1)
        assert {e.document_id: e for e in out} == {d.id: extract(d, kb) for d in docs}
        assert sum(n for n, _ in saves) == len(docs) and max(n for n, _ in saves) == 5 and len(saves) == -(-len(docs) // 5)
        assert all(store.get_extraction(d.id) == extract(d, kb) for d in docs)
