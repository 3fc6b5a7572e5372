"""Writing items in batches, one transaction per batch, with the fall-back to one item per transaction.

:class:`BatchWriter` is the one definition of it: it collects items, writes
``size`` at a time, and when the store refuses a batch
(:class:`~tripwire.errors.StoreError`, nothing of the batch stored) writes
that batch again one item per transaction, so one bad item is reported alone
and the others are stored. Ingest, dataset import and extraction saving all
write through it; the store's batched writes (:mod:`tripwire.store.batched`)
are what they write with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from .errors import SettingError, StoreError

T = TypeVar("T")
R = TypeVar("R")


def batch_size(settings: Any) -> int:
    """The ``store_batch_size`` setting, checked (at least 1)."""
    size = int(settings.store_batch_size)
    if size < 1:
        raise SettingError(f"setting 'store_batch_size' must be at least 1, got {size}")
    return size


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last may be shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class BatchWriter(Generic[T, R]):
    """Collects items and writes them ``size`` at a time through ``write`` (one transaction per call).

    ``write`` takes a batch and returns one result per item; ``done(item,
    result)`` is called for each stored item, in order. When ``write``
    raises :class:`~tripwire.errors.StoreError` for a batch, each of its
    items is written again on its own and ``refused(item, error)`` is called
    for an item the store still refuses (it may re-raise to stop the run).
    Use as a context manager, or call :meth:`flush` at the end.
    """

    def __init__(self, write: Callable[[Sequence[T]], Sequence[R]], *, size: int,
                 done: Callable[[T, R], None], refused: Callable[[T, StoreError], None]) -> None:
        if size < 1:
            raise ValueError("batch size must be at least 1")
        self.write = write
        self.size = size
        self.done = done
        self.refused = refused
        self.batch: list[T] = []

    def add(self, item: T) -> None:
        """Queue ``item``; write the batch once it is full."""
        self.batch.append(item)
        if len(self.batch) >= self.size:
            self.flush()

    def extend(self, items: Sequence[T]) -> None:
        """Queue every item of ``items``."""
        for item in items:
            self.add(item)

    def flush(self) -> None:
        """Write whatever is queued."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        try:
            results = self.write(batch)
        except StoreError:
            # the database refused an item of the batch (nothing of it was stored): item by item,
            # so only the refused items are lost and the rest are stored
            for item in batch:
                try:
                    (result,) = self.write([item])
                except StoreError as exc:
                    self.refused(item, exc)
                    continue
                self.done(item, result)
            return
        for item, result in zip(batch, results, strict=True):
            self.done(item, result)

    def __enter__(self) -> BatchWriter[T, R]:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:  # an exception (or a kill) drops the batch in flight: it was never stored
            self.flush()


__all__ = ["BatchWriter", "batch_size"]
