"""Batch extraction on several processes gives exactly what one process gives, in order; saved in batches as it goes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


from tripwire.extract import extract, extract_many
from tripwire.ingest import load_file
from tripwire.knowledge import KnowledgeBase
from tripwire.model import Document


KB = KnowledgeBase.load()


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
    parallel = extract_many(docs, workers=2, chunk_size=3, min_parallel=1, kb=KB)
    assert [e.document_id for e in parallel] == [d.id for d in docs]
    assert parallel == serial


def test_small_batches_stay_in_process(examples_dir: Path, kb: KnowledgeBase) -> None:
    docs = _documents(examples_dir)[:3]
    assert extract_many(docs, kb=KB) == [extract(d, kb) for d in docs]
