"""Extract many documents at once, on every core or on a Dask cluster.

Extraction is pure CPU work on one document at a time, so a batch splits
across worker processes (``spawn``-started, each given the caller's
knowledge base once). Small batches run in-process: starting workers costs
about a second. With a Dask ``scheduler`` (see :func:`tripwire.cluster.dask_client`)
the documents run as Dask tasks instead (chunks of at most ``chunk_size``,
about four per Dask thread), the knowledge base shipped to every worker once
(:func:`tripwire.cluster.ship`); chunks and results travel as pickled bytes. The result is identical to
``[extract(d, kb) for d in documents]``, in order, whichever way it runs.

:func:`iter_extractions` yields the extractions chunk by chunk as workers
return them, so the caller (``tripwire.app.jobs.extract_documents``) stores
each batch in one transaction while the workers go on extracting the next
ones, instead of saving every extraction after all extraction ends. The
documents may be a lazy iterable (with their ``count``): at most a few chunks
per worker are in flight, so a store read page by page never holds the whole
corpus's text.
"""

from __future__ import annotations

import itertools
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from ..cluster import Shipped
from ..knowledge import KnowledgeBase
from ..model import Document, Extraction
from .extractor import extract

#: Below this many documents the batch runs in-process.
PARALLEL_THRESHOLD = 200
#: Chunks in flight per worker (process or Dask thread): enough to keep each busy while the caller saves, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 4

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


def iter_extractions(
    documents: Iterable[Document],
    kb: KnowledgeBase,
    *,
    workers: int | None = None,
    chunk_size: int = 64,
    min_parallel: int = PARALLEL_THRESHOLD,
    scheduler: Any = None,
    count: int | None = None,
) -> Iterator[list[Extraction]]:
    """The extractions of ``documents`` with ``kb``, in order, a chunk at a time, each chunk as soon as it is ready.

    In parallel (worker processes, each given ``kb`` once) when the batch is
    large enough to pay for it; as Dask tasks with ``scheduler`` (chunks of at
    most ``chunk_size``, about four per Dask thread). ``documents`` that are
    not a sequence (a generator paging a store) need their ``count``; they are
    read only as fast as the workers take them (:data:`IN_FLIGHT_PER_WORKER`).
    """
    total = len(documents) if count is None else int(count)  # type: ignore[arg-type]
    if scheduler is not None:
        yield from _on_dask(documents, total, kb, chunk_size, scheduler)
        return
    workers = default_workers() if workers is None else max(1, workers)
    chunks = _chunks(documents, chunk_size)
    if workers == 1 or total < min_parallel:
        for chunk in chunks:
            yield [extract(d, kb) for d in chunk]
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(kb,)) as pool:
        yield from in_order(lambda chunk: pool.submit(_extract_chunk, chunk).result, chunks, IN_FLIGHT_PER_WORKER * workers)


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    it = iter(documents)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def in_order(submit: Callable[[Any], Callable[[], Any]], items: Iterable[Any], window: int) -> Iterator[Any]:
    """Each item's result, in item order, with at most ``window`` submitted and not yet taken.

    ``submit(item)`` starts the work and returns a call that waits for its
    result (``future.result``). Items are drawn from ``items`` only as results
    are taken, so a lazy source is read no faster than the work goes.
    """
    pending: deque[Callable[[], Any]] = deque()
    it = iter(items)
    for item in itertools.islice(it, max(1, window)):
        pending.append(submit(item))
    while pending:
        result = pending.popleft()()
        for item in itertools.islice(it, 1):
            pending.append(submit(item))
        yield result


def _on_dask(documents: Iterable[Document], total: int, kb: KnowledgeBase, chunk_size: int, scheduler: Any) -> Iterator[list[Extraction]]:
    from ..cluster import dask_client, gather, ship

    with dask_client(scheduler) as client:
        kb_future = ship(client, kb)
        threads = max(1, sum(client.nthreads().values()))
        step = max(1, min(chunk_size, -(-total // (4 * threads))))

        def submit(chunk: list[Document]) -> Callable[[], bytes]:
            part = client.submit(_extract_with, kb_future, pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL), pure=False)
            return lambda: gather(client, [part])[0]

        for blob in in_order(submit, _chunks(documents, step), IN_FLIGHT_PER_WORKER * threads):  # in order, each as soon as it returned
            yield pickle.loads(blob)


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
    chunks = iter_extractions(documents, kb, workers=workers, chunk_size=chunk_size, min_parallel=min_parallel, scheduler=scheduler)
    return [extraction for chunk in chunks for extraction in chunk]
