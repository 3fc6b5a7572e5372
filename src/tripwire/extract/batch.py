"""Extract many documents at once, on every core or on a Dask cluster.

Extraction is pure CPU work on one document at a time, so a batch splits
across worker processes (``spawn``-started, each given the caller's
knowledge base once). Small batches run in-process: starting workers costs
about a second. With a Dask ``scheduler`` (see :func:`tripwire.cluster.dask_client`)
the documents run as Dask tasks instead (chunks of at most ``chunk_size``,
about four per Dask thread), the knowledge base shipped to every worker once
(:func:`tripwire.cluster.ship`); chunks and results travel as pickled bytes. The result is identical to
``[extract(d, kb) for d in documents]``, in order, whichever way it runs.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from ..cluster import Shipped
from ..knowledge import KnowledgeBase
from ..model import Document, Extraction
from .extractor import extract

#: Below this many documents the batch runs in-process.
PARALLEL_THRESHOLD = 200

_worker_kb: KnowledgeBase | None = None


def _init_worker(kb: KnowledgeBase) -> None:
    global _worker_kb
    _worker_kb = kb


def _extract_chunk(documents: list[Document]) -> list[Extraction]:
    assert _worker_kb is not None, "worker started without a knowledge base"
    return [extract(d, _worker_kb) for d in documents]


def _extract_with(kb: Shipped, documents: bytes) -> bytes:
    """One Dask task: a pickled chunk of documents extracted with the shipped knowledge base (pickled extractions back)."""
    knowledge = kb.value()
    return pickle.dumps([extract(d, knowledge) for d in pickle.loads(documents)], protocol=pickle.HIGHEST_PROTOCOL)


def default_workers() -> int:
    """Worker processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def extract_many(
    documents: Sequence[Document],
    kb: KnowledgeBase,
    *,
    workers: int | None = None,
    chunk_size: int = 64,
    min_parallel: int = PARALLEL_THRESHOLD,
    scheduler: Any = None,
) -> list[Extraction]:
    """Extract every document with ``kb``, in parallel when the batch is large enough to pay for it (or on Dask with ``scheduler``)."""
    if scheduler is not None:
        from ..cluster import dask_client, gather, ship

        with dask_client(scheduler) as client:
            kb_future = ship(client, kb)
            step = max(1, min(chunk_size, -(-len(documents) // max(1, 4 * sum(client.nthreads().values())))))
            parts = [client.submit(_extract_with, kb_future, pickle.dumps(list(documents[i : i + step]), protocol=pickle.HIGHEST_PROTOCOL), pure=False)
                     for i in range(0, len(documents), step)]
            return [e for part in gather(client, parts) for e in pickle.loads(part)]
    workers = default_workers() if workers is None else max(1, workers)
    if workers == 1 or len(documents) < min_parallel:
        return [extract(d, kb) for d in documents]
    chunks = [list(documents[i : i + chunk_size]) for i in range(0, len(documents), chunk_size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(kb,)) as pool:
        results: list[Extraction] = []
        for part in pool.map(_extract_chunk, chunks):
            results.extend(part)
    return results
