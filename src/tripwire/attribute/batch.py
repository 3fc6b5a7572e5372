"""Attribute many incidents of one job at once, here or as Dask tasks, with the same answer either way.

Every incident of a job is attributed in one context (a
:class:`~.context.ContextIndex` of all the job's incidents and actions) with
the same seed, and an incident's posterior depends only on the incident, the
context and the seed, never on which incidents were attributed before it. So
the work splits into chunks of incidents that run anywhere:

* ``scheduler=None``: one loop here, in order;
* a Dask ``scheduler`` (``"local"``, an address such as ``tcp://host:8786`` or
  a ``distributed.Client``; see :func:`tripwire.cluster.dask_client`): the
  engine and the context index (which holds the knowledge base, every
  incident and every action) are shipped to every worker once, as one
  compressed pickle (:func:`tripwire.cluster.ship`) that refers to the
  knowledge base shipped on the same client before (for the extraction
  tasks, or just before it) instead of holding another copy, and each task
  attributes one chunk of incidents (sent as their positions in the index)
  against them and sends back the results, pickled and compressed. The
  caller keeps the store; workers never open it.

The results are identical, bit for bit, to the serial loop's: same engine,
same context, same seed per incident (``tests/app/test_dask.py``).
"""

from __future__ import annotations

import math
import os
import pickle
import tempfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..cluster import COMPRESSION, Shipped
from ..errors import AttributionError
from ..model import AttributionResult, Incident

#: Chunks per Dask thread: enough to balance uneven incidents, few enough that scheduling stays small beside the work.
CHUNKS_PER_THREAD = 4
#: Fewest incidents in one Dask task (a task costs about a millisecond to schedule; an incident about as much to attribute).
MIN_CHUNK = 16


@dataclass(frozen=True)
class Attributed:
    """The answers of one batch: a result per incident attributed, and (id, reason) for each that could not be.

    With a ``finish`` function (see :func:`attribute_many`), ``results`` is
    empty and ``finished`` holds what ``finish`` made of each result instead.
    """

    results: dict[str, AttributionResult]
    failures: tuple[tuple[str, str], ...]
    finished: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class _Shared:
    """What every task needs, scattered once per worker (one pickle, so the knowledge base travels once)."""

    engine: Any
    index: Any


#: what one incident comes back as: (id, result or what ``finish`` made of it, "") or (id, None, reason)
Row = tuple[str, Any, str]
Finish = Callable[[Incident, AttributionResult], Any]


def _attribute_chunk(shared: _Shared, incidents: Sequence[Incident | int], rng: int, collect: bool, finish: Finish | None = None) -> list[Row]:
    """(id, result, "") per incident (or position in ``shared.index.incidents``), or (id, None, reason) when ``collect`` and the engine refused it.

    With ``finish``, the row holds ``finish(incident, result)`` instead of the result.
    """
    out: list[Row] = []
    for target in incidents:
        incident = shared.index.incidents[target] if isinstance(target, int) else target
        try:
            result = shared.engine.attribute(incident, context=shared.index, rng=rng)
            out.append((incident.id, result if finish is None else finish(incident, result), ""))
        except AttributionError as exc:
            if not collect:
                raise
            out.append((incident.id, None, exc.message))
    return out


def _attribute_shipped(shared: Shipped, deps: list[Shipped], incidents: bytes, rng: int, collect: bool, finish: Finish | None = None) -> bytes:
    """One Dask task: :func:`_attribute_chunk` on the shipped engine and index, pickled chunk in, compressed pickled rows out."""
    rows = _attribute_chunk(shared.value(deps), pickle.loads(incidents), rng, collect, finish)
    return zlib.compress(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL), COMPRESSION)


#: Fewest incidents attributed in worker processes (below it one process finishes before workers have started).
PARALLEL_INCIDENTS = 400

_worker_shared: _Shared | None = None


def _init_worker(path: str) -> None:
    """Load the engine and the index from the file the job wrote (passed as bytes, they stayed referenced by the worker all its life)."""
    global _worker_shared
    with open(path, "rb") as fh:
        _worker_shared = pickle.load(fh)


def _attribute_positions(args: tuple[list[int], int, bool, Finish | None]) -> list[Row]:
    """One worker process's chunk: :func:`_attribute_chunk` on the engine and index the worker was started with."""
    assert _worker_shared is not None, "worker started without an engine and a context"
    positions, rng, collect, finish = args
    return _attribute_chunk(_worker_shared, positions, rng, collect, finish)


def _in_processes(engine: Any, incidents: list[Incident], index: Any, rng: int, collect: bool, workers: int, finish: Finish | None = None) -> list[Row]:
    """:func:`_attribute_chunk` split over ``workers`` spawned processes, each given the engine and the index once; rows in order."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    position = {id(inc): k for k, inc in enumerate(index.incidents)}
    targets = [position.get(id(inc), inc) for inc in incidents]
    step = max(MIN_CHUNK, math.ceil(len(targets) / (workers * CHUNKS_PER_THREAD)))
    with tempfile.TemporaryDirectory(prefix="tripwire-attribute-") as tmp:
        path = os.path.join(tmp, "context.pickle")
        with open(path, "wb") as fh:  # pickled straight to the file: no copy of the whole context in memory here or in the workers
            pickle.dump(_Shared(engine, index), fh, protocol=pickle.HIGHEST_PROTOCOL)
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(path,)) as pool:
            parts = pool.map(_attribute_positions, [(targets[i : i + step], rng, collect, finish) for i in range(0, len(targets), step)])
            return [row for part in parts for row in part]


def chunk_size(n_incidents: int, n_threads: int) -> int:
    """Incidents per Dask task for ``n_incidents`` on a cluster of ``n_threads`` threads."""
    return max(MIN_CHUNK, math.ceil(n_incidents / max(1, n_threads * CHUNKS_PER_THREAD)))


def attribute_many(
    engine: Any,
    incidents: Sequence[Incident],
    index: Any,
    *,
    rng: int,
    scheduler: Any = None,
    collect: bool = False,
    size: int | None = None,
    workers: int = 1,
    min_parallel: int = PARALLEL_INCIDENTS,
    finish: Finish | None = None,
) -> Attributed:
    """Attribute each of ``incidents`` with ``engine`` in the context ``index`` and seed ``rng``, here or on Dask.

    ``engine`` is an :class:`~.engine.Attributor` (or anything with its
    ``attribute(incident, context=, rng=)``) and ``index`` the job's context
    (from ``engine.context_index``). An :class:`~tripwire.errors.AttributionError`
    is raised as the serial loop would raise it, or, with ``collect``, listed
    in :attr:`Attributed.failures` and the other incidents attributed.
    ``size`` fixes the incidents per Dask task (default: :func:`chunk_size`).
    Without a scheduler, ``workers`` > 1 worker processes share the work
    once there are ``min_parallel`` incidents (each process is started with
    the engine and the index, and the answers are the serial loop's).
    ``finish(incident, result)`` (picklable: a module-level function or a
    ``functools.partial`` of one) runs where the incident was attributed, and
    its value comes back in :attr:`Attributed.finished` instead of the
    result: a job that only stores and checks the results has each turned
    into what it keeps in the worker, so the caller never builds them all.
    """
    incidents = list(incidents)
    if scheduler is None and workers > 1 and len(incidents) >= max(1, min_parallel) and hasattr(index, "incidents"):
        rows = _in_processes(engine, incidents, index, int(rng), collect, workers, finish)
    elif scheduler is None or not incidents:
        rows = _attribute_chunk(_Shared(engine, index), incidents, int(rng), collect, finish)
    else:
        from ..cluster import SHIPPED, dask_client, gather, ship, ship_with

        # an incident of the index travels as its position: the index already went to every worker
        position = {id(inc): k for k, inc in enumerate(getattr(index, "incidents", ()))}
        targets = [position.get(id(inc), inc) for inc in incidents]
        with dask_client(scheduler) as client:
            step = size or chunk_size(len(incidents), sum(client.nthreads().values()))
            kb = getattr(index, "kb", None)
            if kb is not None:
                ship(client, kb)  # once per client: the extraction tasks may have it already; the context then refers to it
            shared, deps = ship_with(client, _Shared(engine, index))
            futures = [client.submit(_attribute_shipped, shared, deps, pickle.dumps(targets[i : i + step], protocol=pickle.HIGHEST_PROTOCOL),
                                     int(rng), collect, finish, pure=False)
                       for i in range(0, len(targets), step)]
            parts = gather(client, futures)
            SHIPPED.returned += sum(len(part) for part in parts)
            rows = [row for part in parts for row in pickle.loads(zlib.decompress(part))]
    failures = tuple((iid, reason) for iid, result, reason in rows if result is None)
    if finish is not None:
        return Attributed({}, failures, {iid: value for iid, value, _ in rows if value is not None})
    return Attributed({iid: result for iid, result, _ in rows if result is not None}, failures)


__all__ = ["Attributed", "attribute_many", "chunk_size"]
