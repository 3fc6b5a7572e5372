"""Extract many documents at once, on every core.

Extraction is pure CPU work on one document at a time, so a batch splits
across worker processes (``spawn``-started, each loading the knowledge base
once). Small batches run in-process: starting workers costs about a second.
The result is identical to ``[extract(d, kb) for d in documents]``, in order.

:func:`iter_extractions` yields the extractions chunk by chunk as workers
return them, so :func:`extract_and_save` stores each batch
(:meth:`Store.save_extractions <tripwire.store.Store.save_extractions>`, one
transaction) while the workers go on extracting the next ones, instead of
saving every extraction one by one after all extraction ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from ..knowledge import KnowledgeBase
from ..model import Document, Extraction
from .extractor import extract

#: Below this many documents the batch runs in-process.
PARALLEL_THRESHOLD = 200

_worker_kb: KnowledgeBase | None = None


def _init_worker(knowledge_dir: str | None) -> None:
    global _worker_kb
    _worker_kb = KnowledgeBase.load(knowledge_dir or None)


def _extract_chunk(documents: list[Document]) -> list[Extraction]:
    return [extract(d, _worker_kb) for d in documents]


def default_workers() -> int:
    """Worker processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def iter_extractions(
    documents: Sequence[Document],
    *,
    knowledge_dir: str | None = None,
    workers: int | None = None,
    chunk_size: int = 64,
    min_parallel: int = PARALLEL_THRESHOLD,
) -> Iterator[list[Extraction]]:
    """The extractions of ``documents`` in order, ``chunk_size`` at a time, each chunk as soon as it is ready.

    In parallel (worker processes) when the batch is large enough to pay for
    it. ``knowledge_dir`` is the user's knowledge folder (the ``knowledge_dir``
    setting); each worker loads the knowledge base from it once.
    """
    workers = default_workers() if workers is None else max(1, workers)
    chunks = [list(documents[i : i + chunk_size]) for i in range(0, len(documents), chunk_size)]
    if workers == 1 or len(documents) < min_parallel:
        kb = KnowledgeBase.load(knowledge_dir or None)
        for chunk in chunks:
            yield [extract(d, kb) for d in chunk]
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(knowledge_dir,)) as pool:
        yield from pool.map(_extract_chunk, chunks)


def extract_many(
    documents: Sequence[Document],
    *,
    knowledge_dir: str | None = None,
    workers: int | None = None,
    chunk_size: int = 64,
    min_parallel: int = PARALLEL_THRESHOLD,
) -> list[Extraction]:
    """Extract every document, in parallel when the batch is large enough to pay for it (see :func:`iter_extractions`)."""
    chunks = iter_extractions(documents, knowledge_dir=knowledge_dir, workers=workers, chunk_size=chunk_size, min_parallel=min_parallel)
    return [extraction for chunk in chunks for extraction in chunk]


def extract_and_save(store: Any, documents: Sequence[Document], *, knowledge_dir: str | None = None, batch_size: int = 200,
                     workers: int | None = None, chunk_size: int = 64, min_parallel: int = PARALLEL_THRESHOLD) -> list[Extraction]:
    """Extract every document and save the extractions ``batch_size`` per transaction as the workers return them.

    A crash loses at most the batch in flight; running again replaces every
    saved extraction, so nothing is stored twice. A batch the store refuses
    is saved again one extraction per transaction, and the first extraction
    refused on its own raises its :class:`~tripwire.errors.StoreError`
    (everything before it is saved). Returns the extractions in document order.
    """
    from ..store.batched import BatchWriter

    out: list[Extraction] = []

    def save(batch: Sequence[Extraction]) -> list[None]:
        store.save_extractions(batch)
        return [None] * len(batch)

    def refused(_extraction: Extraction, exc: Exception) -> None:
        raise exc

    writer: BatchWriter[Extraction, None] = BatchWriter(save, size=batch_size, done=lambda _e, _r: None, refused=refused)
    with writer:
        for chunk in iter_extractions(documents, knowledge_dir=knowledge_dir, workers=workers, chunk_size=chunk_size, min_parallel=min_parallel):
            writer.extend(chunk)
            out.extend(chunk)
    return out
