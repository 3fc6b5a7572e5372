"""Batch extraction on several processes gives exactly what one process gives, in order; saved in batches as it goes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

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


def test_a_lazy_source_is_read_only_as_fast_as_the_workers_take_it(examples_dir: Path, kb: KnowledgeBase) -> None:
    """Documents paged from a store arrive as a generator: at most a few chunks per worker are drawn ahead of the results."""
    from tripwire.extract import iter_extractions
    from tripwire.extract.batch import IN_FLIGHT_PER_WORKER

    base = _documents(examples_dir)
    docs = [Document.from_text(d.text + f" Report {k}.", location=f"lazy:{k}", published=d.published) for k in range(6) for d in base]
    drawn = [0]

    def source():  # type: ignore[no-untyped-def]
        for d in docs:
            drawn[0] += 1
            yield d

    chunks = iter_extractions(source(), KB, count=len(docs), workers=2, chunk_size=2, min_parallel=1)
    first = next(chunks)
    ahead = drawn[0]
    rest = [e for chunk in chunks for e in chunk]
    assert len(docs) > (IN_FLIGHT_PER_WORKER * 2 + 1) * 2
    assert ahead <= (IN_FLIGHT_PER_WORKER * 2 + 1) * 2
    assert [*first, *rest] == [extract(d, kb) for d in docs]


@pytest.mark.parametrize(("n", "window"), [(0, 3), (1, 1), (7, 1), (7, 3), (7, 10)])
def test_in_order_keeps_item_order_and_never_more_than_window_pending(n: int, window: int) -> None:
    from tripwire.extract.batch import in_order

    pending: list[int] = []
    most = [0]

    def submit(item: int):  # type: ignore[no-untyped-def]
        pending.append(item)
        most[0] = max(most[0], len(pending))

        def result() -> int:
            pending.remove(item)
            return item * 10
        return result

    assert list(in_order(submit, iter(range(n)), window)) == [i * 10 for i in range(n)]
    assert most[0] <= max(1, window) and not pending
