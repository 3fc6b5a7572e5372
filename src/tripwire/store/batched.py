"""Batched writes: many documents, extractions or merged events per transaction, and the fall-back to row by row.

:func:`write_documents` and :func:`write_extractions` write a whole batch in
the caller's one transaction with one multi-row statement per table
(:func:`~.rows.insert_many`), where a write per row spent most of its time in
SQLAlchemy's per-statement Python code and a commit per row. Because a batch
commits or rolls back as a whole, a process killed mid-run loses at most the
batch in flight; a re-run finds every committed document by its content hash
(and replaces every committed extraction), so nothing is stored twice.

The callers write through :class:`tripwire.batching.BatchWriter`, the one
definition of writing items in batches with the fall-back to one item per
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from ..model import Action, Document, Extraction, Incident
from . import codec
from .rows import _chunks, _present, action_values, claim_values, document_values, incident_values, insert_many
from .tables import ActionRow, ClaimRow, DocumentLocationRow, DocumentRow, ExtractionRow, IncidentDocumentRow, IncidentRow, RedLineStatementRow

#: Advisory-lock key that serialises document batches on PostgreSQL (check-then-insert of content hashes).
DOCUMENT_LOCK_KEY = 0x7472_6970_646F  # "tripdo"

#: Advisory-lock key that serialises batches of merged events on PostgreSQL (delete-then-insert of their claims and links).
EVENT_LOCK_KEY = 0x7472_6970_6576  # "tripev"

#: A document to store with the other places it was seen (beside ``document.location``).
DocumentItem = tuple[Document, Sequence[str]]


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


def write_events(session: Session, insert: Callable[[Any], Any], incidents: Sequence[Incident], actions: Sequence[Action]) -> None:
    """Insert or replace incidents (live again, with their claims and document links) and actions in the caller's transaction.

    What saving them one by one does (a later one of an id wins), in one
    statement per table instead of a transaction per event.
    """
    _lock(session, EVENT_LOCK_KEY)  # PostgreSQL: two processes re-merging at once replace the same events one after the other
    now = codec.utcnow()
    latest = {i.id: i for i in incidents}
    ids = list(latest)
    for chunk in _chunks(ids):
        session.execute(delete(ClaimRow).where(ClaimRow.incident_id.in_(chunk)))
        session.execute(delete(IncidentDocumentRow).where(IncidentDocumentRow.incident_id.in_(chunk)))
    insert_many(session, insert, IncidentRow.__table__, [incident_values(i, now, codec.dump_json) for i in latest.values()], ["id"], replace=True)
    links = [{"incident_id": i.id, "document_id": d} for i in latest.values() for d in dict.fromkeys(i.documents)]
    insert_many(session, insert, IncidentDocumentRow.__table__, links)
    insert_many(session, insert, ClaimRow.__table__, [c for i in latest.values() for c in claim_values(i)])
    acts = {a.id: a for a in actions}
    insert_many(session, insert, ActionRow.__table__, [action_values(a, now, codec.dump_json) for a in acts.values()], ["id"], replace=True)
