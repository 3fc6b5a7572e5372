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
every worker as a single pickled blob, unpickled once per worker process by
:meth:`Shipped.value`: distributed's own pickler calls back into Python for
every object of the graph, which for a knowledge base of thousands of small
models cost seconds where ``pickle.dumps`` takes a tenth of one.

:func:`gather` collects futures, turning a worker's crash into a
:class:`~tripwire.errors.ClusterError` (a Tripwire error a task raised on
purpose passes through unchanged).
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import ClusterError, InputError

#: Objects unpickled from a :class:`Shipped` blob in this (worker) process, newest last.
_UNPICKLED: OrderedDict[str, Any] = OrderedDict()
_UNPICKLED_LOCK = threading.Lock()
#: How many shipped objects a worker keeps unpickled (a job ships two: the knowledge base and its context; older ones are dropped).
KEEP_SHIPPED = 2


@dataclass(frozen=True, eq=False)
class Shipped:
    """One object pickled once in the client; :meth:`value` unpickles it once per worker process."""

    key: str
    blob: bytes = field(repr=False)

    def value(self) -> Any:
        with _UNPICKLED_LOCK:
            if self.key in _UNPICKLED:
                _UNPICKLED.move_to_end(self.key)
                return _UNPICKLED[self.key]
            obj = pickle.loads(self.blob)
            _UNPICKLED[self.key] = obj
            while len(_UNPICKLED) > KEEP_SHIPPED:
                _UNPICKLED.popitem(last=False)
            return obj


def ship(client: Any, obj: Any) -> Any:
    """A future of ``obj`` as a :class:`Shipped` blob on every worker of ``client`` (pass it to tasks; call ``.value()`` there)."""
    return client.scatter(Shipped(uuid.uuid4().hex, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)), broadcast=True)


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


__all__ = ["Shipped", "dask_client", "gather", "ship"]
