"""Batched writes: many documents or extractions per transaction, and the fall-back to row by row.

:func:`write_documents` and :func:`write_extractions` write a whole batch in
the caller's one transaction with one multi-row statement per table
(:func:`~.rows.insert_many`), where a write per row spent most of its time in
SQLAlchemy's per-statement Python code and a commit per row. Because a batch
commits or rolls back as a whole, a process killed mid-run loses at most the
batch in flight; a re-run finds every committed document by its content hash
(and replaces every committed extraction), so nothing is stored twice.

:class:`BatchWriter` is the one definition of writing items in batches: it
collects items, writes ``size`` at a time, and when the store refuses a
batch (:class:`~tripwire.errors.StoreError`, nothing of the batch stored)
writes that batch again one item per transaction, so one bad item is
reported alone and the others are stored. Ingest, dataset import and
extraction saving all write through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from ..errors import SettingError, StoreError
from ..model import Document, Extraction
from . import codec
from .rows import _chunks, _present, document_values, insert_many
from .tables import DocumentLocationRow, DocumentRow, ExtractionRow, RedLineStatementRow

T = TypeVar("T")
R = TypeVar("R")

#: Advisory-lock key that serialises document batches on PostgreSQL (check-then-insert of content hashes).
DOCUMENT_LOCK_KEY = 0x7472_6970_646F  # "tripdo"

#: A document to store with the other places it was seen (beside ``document.location``).
DocumentItem = tuple[Document, Sequence[str]]


def batch_size(settings: Any) -> int:
    """The ``store_batch_size`` setting, checked (at least 1)."""
    size = int(settings.store_batch_size)
    if size < 1:
        raise SettingError(f"setting 'store_batch_size' must be at least 1, got {size}")
    return size


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


def _lock(session: Session, key: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({key})"))


def write_documents(session: Session, insert: Callable[[Any], Any], items: Sequence[DocumentItem]) -> list[bool]:
    """Store documents once per content hash in the caller's transaction; per item, whether its document was new.

    Every place of every item (its ``location`` and the extra places) is
    recorded once, duplicates included. ``stored_at`` grows by a microsecond
    per new document, so listings keep the order the batch came in.
    ``insert`` makes the backend's INSERT (with ``on_conflict_*``) for a table.
    """
    if not items:
        return []
    _lock(session, DOCUMENT_LOCK_KEY)  # PostgreSQL; SQLite write transactions are serialised by BEGIN IMMEDIATE
    existing = _present(session, DocumentRow.id, (doc.id for doc, _places in items))
    now = codec.utcnow()
    fresh: dict[str, dict[str, Any]] = {}
    flags: list[bool] = []
    for doc, _places in items:
        new = doc.id not in existing and doc.id not in fresh
        flags.append(new)
        if new:
            fresh[doc.id] = document_values(doc, now + dt.timedelta(microseconds=len(fresh)), codec.dump_json)
    insert_many(session, insert, DocumentRow.__table__, list(fresh.values()), conflict=["id"])
    places = dict.fromkeys((doc.id, place) for doc, extra in items for place in (doc.location, *extra))
    insert_many(session, insert, DocumentLocationRow.__table__, [{"document_id": d, "location": p, "seen_at": now} for d, p in places],
                conflict=["document_id", "location"])
    return flags


def write_extractions(session: Session, insert: Callable[[Any], Any], extractions: Sequence[Extraction]) -> None:
    """Store extractions in the caller's transaction, each replacing any earlier extraction of its document.

    When ``extractions`` holds two of one document the later one is kept.
    """
    latest = {e.document_id: e for e in extractions}
    if not latest:
        return
    ids = list(latest)
    for chunk in _chunks(ids):
        session.execute(delete(RedLineStatementRow).where(RedLineStatementRow.document_id.in_(chunk)))
        session.execute(delete(ExtractionRow).where(ExtractionRow.document_id.in_(chunk)))
    now = codec.utcnow()
    rows = [
        {"document_id": e.document_id, "extractor_version": e.extractor_version, "published": e.published, "stored_at": now,
         "payload": codec.dump_json(e)}
        for e in latest.values()
    ]
    statements = [
        {"document_id": e.document_id, "position": i, "speaker": s.speaker.speaker_id or s.speaker.speaker, "date": s.date,
         "payload": codec.dump_json(s)}
        for e in latest.values()
        for i, s in enumerate(e.redlines)
    ]
    insert_many(session, insert, ExtractionRow.__table__, rows)
    insert_many(session, insert, RedLineStatementRow.__table__, statements)
