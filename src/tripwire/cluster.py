"""Dask clusters for the jobs that can run past one machine (policy sweeps, batch extraction).

:func:`dask_client` turns a ``scheduler`` setting into a ``distributed.Client``:

``None``
    no Dask: the caller runs the work here;
``"local"``
    a light in-process Dask ``LocalCluster`` (threads, no dashboard), closed
    when the block ends;
``"tcp://host:port"`` (any Dask address)
    an existing Dask cluster; the caller's cluster is left running;
a ``distributed.Client``
    used as is and left open.

:func:`ship` scatters one large object (a knowledge base, a job's context) to
every worker as a single pickled, zlib-compressed blob, unpickled once per
worker process by :meth:`Shipped.value`: distributed's own pickler calls back
into Python for every object of the graph, which for a knowledge base of
thousands of small models cost seconds where ``pickle.dumps`` takes a tenth
of one. An object already shipped on the same client is not shipped again,
and a later object that holds it (the context holds the knowledge base the
extraction tasks got) refers to it by key instead of carrying another copy:
:func:`ship_with` gives the futures of what it refers to, to pass to the
task beside it, and :meth:`Shipped.value` loads those first. :data:`SHIPPED` counts the bytes
sent.

:func:`gather` collects futures, turning a worker's crash into a
:class:`~tripwire.errors.ClusterError` (a Tripwire error a task raised on
purpose passes through unchanged).
"""

from __future__ import annotations

import contextlib
import io
import logging
import pickle
import threading
import weakref
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import ClusterError, InputError

#: Objects unpickled from a :class:`Shipped` blob in this (worker) process, newest last.
_UNPICKLED: OrderedDict[str, Any] = OrderedDict()
_UNPICKLED_LOCK = threading.RLock()
#: How many shipped objects a worker keeps unpickled (a job ships two: the knowledge base and its context; older ones are dropped).
KEEP_SHIPPED = 2
#: zlib level of shipped blobs: the fastest, since the blobs are mostly repeated names and text (a third to a fifth of the pickle).
COMPRESSION = 1


@dataclass
class ShipStats:
    """Bytes this (client) process sent to Dask workers as shipped objects, for benchmarks."""

    objects: int = 0
    #: pickled size, before compression
    pickled: int = 0
    #: compressed size times the workers it went to
    sent: int = 0
    #: objects asked for again on the same client, which went nowhere
    reused: int = 0
    #: compressed results the attribution tasks sent back
    returned: int = 0


SHIPPED = ShipStats()


def pack(obj: Any, refs: dict[int, str] | None = None) -> tuple[bytes, tuple[str, ...]]:
    """``obj`` pickled and compressed, and the keys it refers to: a sub-object whose ``id`` is in ``refs`` is written as its key."""
    buffer = io.BytesIO()
    used: list[str] = []
    # the reference hook is a Python call per object pickled: only when there is something to refer to
    pickler = _RefPickler(buffer, refs, used) if refs else pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dump(obj)
    raw = buffer.getvalue()
    SHIPPED.pickled += len(raw)
    return zlib.compress(raw, COMPRESSION), tuple(dict.fromkeys(used))


class _RefPickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, refs: dict[int, str], used: list[str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._refs = refs
        self._used = used

    def persistent_id(self, obj: Any) -> str | None:  # noqa: D102 - pickle's hook
        key = self._refs.get(id(obj))
        if key is not None:
            self._used.append(key)
        return key


class _RefUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, known: dict[str, Any]) -> None:
        super().__init__(file)
        self._known = known

    def persistent_load(self, pid: Any) -> Any:  # noqa: D102 - pickle's hook
        try:
            return self._known[pid]
        except KeyError:
            raise ClusterError(f"a shipped object refers to {pid!r}, which was not passed to the task (see tripwire.cluster.ship_with)") from None


@dataclass(frozen=True, eq=False)
class Shipped:
    """One object pickled once in the client; :meth:`value` unpickles it once per worker process.

    ``refs`` are the keys of other shipped objects its blob refers to instead
    of holding them; :meth:`value` needs them passed (``deps``), as the task
    got them from :func:`ship_with`.
    """

    key: str
    blob: bytes = field(repr=False)
    refs: tuple[str, ...] = ()

    def value(self, deps: Sequence["Shipped"] = ()) -> Any:
        with _UNPICKLED_LOCK:
            if self.key in _UNPICKLED:
                _UNPICKLED.move_to_end(self.key)
                return _UNPICKLED[self.key]
            known = {d.key: d.value() for d in deps if d.key in self.refs}
            obj = _RefUnpickler(io.BytesIO(zlib.decompress(self.blob)), known).load()
            _UNPICKLED[self.key] = obj
            while len(_UNPICKLED) > KEEP_SHIPPED + len(known):
                _UNPICKLED.popitem(last=False)
            return obj


@dataclass
class _OnClient:
    """What one client has shipped and still holds: id(object) -> (weak reference to it, its Shipped key, future, futures it refers to).

    An entry goes when its object is collected (dropping the future frees the
    workers' copy once no task holds it), so a long-lived client does not pile
    up the contexts of past jobs; the knowledge base, alive as long as the
    job's context, stays.
    """

    by_id: dict[int, tuple[Any, str, Any, tuple[Any, ...]]] = field(default_factory=dict)

    def live(self) -> dict[int, tuple[Any, str, Any, tuple[Any, ...]]]:
        return {i: entry for i, entry in self.by_id.items() if entry[0]() is not None}

    def add(self, obj: Any, key: str, future: Any, deps: tuple[Any, ...]) -> None:
        try:
            ref = weakref.ref(obj, lambda _r, i=id(obj): self.by_id.pop(i, None))
        except TypeError:  # not weakly referable: not remembered
            return
        self.by_id[id(obj)] = (ref, key, future, deps)


def _on_client(client: Any) -> _OnClient:
    found = getattr(client, "_tripwire_shipped", None)
    if found is None:
        found = _OnClient()
        client._tripwire_shipped = found  # lives and dies with the client
    return found


def ship(client: Any, obj: Any) -> Any:
    """A future of ``obj`` as a :class:`Shipped` blob on every worker of ``client`` (pass it to tasks; call ``.value()`` there).

    While ``obj`` lives, shipping it again on the same client gives the same
    future (nothing travels). An object holding one shipped before may refer
    to it; :func:`ship_with` says which futures its tasks then need.
    """
    return ship_with(client, obj)[0]


def ship_with(client: Any, obj: Any) -> tuple[Any, list[Any]]:
    """:func:`ship`, and the futures of the shipped objects the blob refers to: pass both to the task and the second on to :meth:`Shipped.value`."""
    import uuid

    shipped = _on_client(client)
    live = shipped.live()
    seen = live.get(id(obj))
    if seen is not None and seen[0]() is obj:
        SHIPPED.reused += 1
        return seen[2], list(seen[3])
    blob, used = pack(obj, {i: entry[1] for i, entry in live.items()})
    key = uuid.uuid4().hex
    future = client.scatter(Shipped(key, blob, used), broadcast=True, hash=False)
    deps = tuple(entry[2] for entry in live.values() if entry[1] in used)
    shipped.add(obj, key, future, deps)
    SHIPPED.objects += 1
    SHIPPED.sent += len(blob) * max(1, len(client.scheduler_info().get("workers", {})))
    return future, list(deps)


def gather(client: Any, futures: list[Any]) -> list[Any]:
    """The results of ``futures``, in order."""
    from .errors import TripwireError

    try:
        return client.gather(futures)
    except TripwireError:
        raise
    except Exception as exc:  # noqa: BLE001 - a worker died or the scheduler went away
        raise ClusterError(f"a task on the Dask cluster failed: {type(exc).__name__}: {exc}") from exc


@contextlib.contextmanager
def dask_client(scheduler: Any, *, n_workers: int = 1, threads_per_worker: int = 2, timeout: float = 10.0) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler`` ("local", an address, or a Client); closes what it opened."""
    import distributed

    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise InputError(f"scheduler must be 'local', a Dask address such as tcp://host:8786, or a Client; got {scheduler!r}")
    address = scheduler.strip()
    if address == "local":
        with _quiet_dask():
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=threads_per_worker,
                processes=False,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = distributed.Client(cluster)
        try:
            yield client
        finally:
            with _quiet_dask():
                client.close()
                cluster.close()
        return
    if "://" not in address:
        raise InputError(f"not a Dask scheduler address: {address!r} (expected e.g. tcp://host:8786, or 'local')")
    try:
        with _quiet_dask():
            client = distributed.Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        yield client
    finally:
        with _quiet_dask():
            client.close()


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Keep distributed's start-up/shutdown chatter (logs, resource warnings) out of the caller's output."""
    import warnings

    loggers = [logging.getLogger(name) for name in ("distributed", "distributed.scheduler", "distributed.worker", "distributed.core")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            warnings.filterwarnings("ignore", message=r"Port \d+ is already in use")  # another cluster on this machine holds the default port
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


__all__ = ["SHIPPED", "ShipStats", "Shipped", "dask_client", "gather", "pack", "ship", "ship_with"]
