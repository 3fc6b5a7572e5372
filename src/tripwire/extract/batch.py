"""Extract many documents at once, on every core.

Extraction is pure CPU work on one document at a time, so a batch splits
across worker processes (``spawn``-started, each loading the knowledge base
once). Small batches run in-process: starting workers costs about a second.
The result is identical to ``[extract(d, kb) for d in documents]``, in order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

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


def extract_many(
    documents: Sequence[Document],
    *,
    knowledge_dir: str | None = None,
    workers: int | None = None,
    chunk_size: int = 64,
    min_parallel: int = PARALLEL_THRESHOLD,
) -> list[Extraction]:
    """Extract every document, in parallel when the batch is large enough to pay for it.

    ``knowledge_dir`` is the user's knowledge folder (the ``knowledge_dir``
    setting); each worker loads the knowledge base from it once.
    """
    workers = default_workers() if workers is None else max(1, workers)
    if workers == 1 or len(documents) < min_parallel:
        kb = KnowledgeBase.load(knowledge_dir or None)
        return [extract(d, kb) for d in documents]
    chunks = [list(documents[i : i + chunk_size]) for i in range(0, len(documents), chunk_size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(knowledge_dir,)) as pool:
        results: list[Extraction] = []
        for part in pool.map(_extract_chunk, chunks):
            results.extend(part)
    return results
