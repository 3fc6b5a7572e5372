"""Table rows of the domain types, and the batched write of dataset rows.

The ``*_values`` functions are the one mapping from a document, incident,
action or claim to the columns of its table; :class:`~tripwire.store.Store`
uses them for single writes and :func:`write_dataset_rows` for batches.

:func:`write_dataset_rows` stores many imported dataset rows (each a
provenance document and the incident or action it yields) inside the
caller's one transaction, with one multi-row statement per table instead of
a statement per row. A row whose event id is already stored, or came earlier
in the batch, is a duplicate: its event is not written again, and its
location is recorded only when its document text is stored (the same row
from another path). Because the whole batch commits or rolls back together,
a process killed mid-import loses at most the batch in flight, and a re-run
skips every committed row by its event id: nothing is stored twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from ..model import Action, Document, Incident
from . import codec
from .tables import ActionRow, ClaimRow, DocumentLocationRow, DocumentRow, IncidentDocumentRow, IncidentRow

#: A payload serialiser: :func:`~.codec.dump` (single writes) or :func:`~.codec.dump_json` (batches, no intermediate dicts).
Dump = Callable[..., Any]
#: Ids per ``IN (...)`` list (well under SQLite's bound-parameter limit).
IN_CHUNK = 500
#: Advisory-lock key that serialises dataset-import batches on PostgreSQL (check-then-insert of event ids).
IMPORT_LOCK_KEY = 0x7472_6970_696D  # "tripim"


def document_values(doc: Document, now: dt.datetime, dump: Dump = codec.dump) -> dict[str, Any]:
    """The ``documents`` row of ``doc`` (``dump`` serialises the payload: :func:`~.codec.dump` or :func:`~.codec.dump_json`)."""
    return {
        "id": doc.id,
        "text": doc.text,
        "title": doc.title,
        "outlet": doc.outlet,
        "author": doc.author,
        "published": codec.to_utc(doc.published),
        "location": doc.location,
        "media_type": doc.media_type,
        "kind": doc.kind,
        "raw_sha256": doc.raw_sha256,
        "retrieved_at": codec.to_utc(doc.retrieved_at),
        "stored_at": now,
        "payload": dump(doc, exclude={"text"}),
    }


def incident_values(incident: Incident, now: dt.datetime, dump: Dump = codec.dump) -> dict[str, Any]:
    """The ``incidents`` row of ``incident`` (live: not superseded)."""
    place = incident.place
    return {
        "id": incident.id,
        "date": incident.date,
        "country": place.country if place else None,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "attack_type": incident.attack_type,
        "killed": incident.killed(),
        "injured": incident.injured(),
        "stored_at": now,
        "payload": dump(incident),
        "superseded_by": None,
    }


def claim_values(incident: Incident) -> list[dict[str, Any]]:
    """The ``claims`` rows of ``incident``, one per attribution statement in order."""
    out = []
    for i, claim in enumerate(incident.attributions):
        src = claim.asserted_by
        out.append(
            {
                "incident_id": incident.id,
                "position": i,
                "actor": claim.actor,
                "kind": claim.kind.value,
                "sponsor": claim.sponsor,
                "relation": claim.relation,
                "hedges": list(claim.hedges),
                "speaker": src.speaker_id or src.speaker,
                "outlet": src.outlet_id or src.outlet,
                "anonymous": src.anonymous,
            }
        )
    return out


def action_values(action: Action, now: dt.datetime, dump: Dump = codec.dump) -> dict[str, Any]:
    """The ``actions`` row of ``action``."""
    return {
        "id": action.id,
        "kind": action.kind,
        "actor": action.actor,
        "date": action.date,
        "country": action.place.country if action.place else None,
        "stored_at": now,
        "payload": dump(action),
    }


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def _present(session: Session, column: Any, ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def stored_event_ids(session: Session, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` are stored as an incident or an action."""
    ids = list(ids)
    return _present(session, IncidentRow.id, ids) | _present(session, ActionRow.id, ids)


def insert_many(session: Session, insert: Callable[[Any], Any], table: Any, params: list[dict[str, Any]],
                conflict: list[str] | None = None, *, replace: bool = False) -> None:
    """One multi-row INSERT of ``params`` (dicts with the same keys) into ``table``, optionally ``ON CONFLICT DO NOTHING``
    (or, with ``replace``, ``ON CONFLICT DO UPDATE`` of every other column: insert or replace by the ``conflict`` key).

    The statement is compiled once for the batch and each value goes through
    its column type's bind processor (the same conversions SQLAlchemy applies,
    JSON serialiser included); only SQLAlchemy's per-row parameter
    bookkeeping is skipped, which is most of the Python cost of a bulk write.
    """
    if not params:
        return
    conn = session.connection()
    dialect = conn.dialect
    stmt = insert(table)
    keys = list(params[0])
    if conflict and replace:
        stmt = stmt.on_conflict_do_update(index_elements=conflict, set_={k: stmt.excluded[k] for k in keys if k not in conflict})
    elif conflict:
        stmt = stmt.on_conflict_do_nothing(index_elements=conflict)
    compiled = stmt.compile(dialect=dialect, column_keys=keys)
    procs = {k: _processor(table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) for k in keys}
    if compiled.positiontup is not None:  # qmark (SQLite): tuples in the compiled order
        order = [(k, procs[k]) for k in compiled.positiontup]
        plain = all(p is None for _k, p in order)
        if plain:
            rows: list[Any] = [tuple([row[k] for k, _p in order]) for row in params]
        else:
            rows = [tuple([row[k] if p is None else p(row[k]) for k, p in order]) for row in params]
    else:  # named (psycopg)
        rows = [{k: row[k] if p is None else p(row[k]) for k, p in procs.items()} for row in params]
    conn.exec_driver_sql(str(compiled), rows)


def _processor(process: Callable[[Any], Any] | None) -> _Processor | None:
    return None if process is None else _Processor(process)


class _Processor:
    """A column's bind processor that converts a value repeated from the previous row (the batch's timestamp) once."""

    __slots__ = ("last", "out", "process")

    def __init__(self, process: Callable[[Any], Any]) -> None:
        self.process = process
        self.last: Any = _Processor
        self.out: Any = None

    def __call__(self, value: Any) -> Any:
        if value is not self.last:
            self.last, self.out = value, self.process(value)
        return self.out


def write_dataset_rows(session: Session, insert: Callable[[Any], Any], rows: Sequence[tuple[Document, Incident | Action]]) -> list[bool]:
    """Write dataset rows in the caller's transaction; per row, whether its event was new (see the module docstring).

    ``insert`` makes the backend's INSERT (with ``on_conflict_*``) for a table.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK_KEY})"))
    existing = stored_event_ids(session, (event.id for _doc, event in rows))
    seen: set[str] = set()
    flags: list[bool] = []
    fresh: list[tuple[Document, Incident | Action]] = []
    repeats: list[Document] = []
    for doc, event in rows:
        new = event.id not in existing and event.id not in seen
        flags.append(new)
        if new:
            seen.add(event.id)
            fresh.append((doc, event))
        else:
            repeats.append(doc)
    now = codec.utcnow()
    documents = {doc.id: document_values(doc, now, codec.dump_json) for doc, _event in fresh}
    insert_many(session, insert, DocumentRow.__table__, list(documents.values()), conflict=["id"])
    known = set(documents) | _present(session, DocumentRow.id, (d.id for d in repeats if d.id not in documents))
    locations = {(doc.id, doc.location): None for doc, _e in fresh} | {(d.id, d.location): None for d in repeats if d.id in known}
    insert_many(session, insert, DocumentLocationRow.__table__, [{"document_id": d, "location": loc, "seen_at": now} for d, loc in locations],
                conflict=["document_id", "location"])
    incidents = [e for _d, e in fresh if isinstance(e, Incident)]
    insert_many(session, insert, IncidentRow.__table__, [incident_values(i, now, codec.dump_json) for i in incidents])
    insert_many(session, insert, IncidentDocumentRow.__table__,
                [{"incident_id": i.id, "document_id": d} for i in incidents for d in dict.fromkeys(i.documents)])
    insert_many(session, insert, ClaimRow.__table__, [c for i in incidents for c in claim_values(i)])
    insert_many(session, insert, ActionRow.__table__, [action_values(e, now, codec.dump_json) for _d, e in fresh if not isinstance(e, Incident)])
    return flags


def read_dataset_incidents(session: Session, windows: Sequence[tuple[dt.date, dt.date]]) -> list[Incident]:
    """Imported dataset incidents (every document a dataset row; live or folded into an article event) dated in any of ``windows``.

    Each window is an inclusive (first, last) date range; the result is by date
    then id. The date index picks the candidates; per candidate, two indexed
    EXISTS probes check its documents' kinds.
    """
    def linked(dataset: bool) -> Any:
        """EXISTS a linked document that is a stored dataset row (or, with ``dataset`` False, anything else, unstored included)."""
        kind = DocumentRow.kind == "dataset-row" if dataset else or_(DocumentRow.kind.is_(None), DocumentRow.kind != "dataset-row")
        return (
            select(IncidentDocumentRow.document_id)
            .outerjoin(DocumentRow, DocumentRow.id == IncidentDocumentRow.document_id)
            .where(IncidentDocumentRow.incident_id == IncidentRow.id, kind)
            .exists()
        )

    out: dict[str, Incident] = {}
    for start in range(0, len(windows), 200):
        dates = or_(*(IncidentRow.date.between(a, b) for a, b in windows[start : start + 200]))
        query = select(IncidentRow.payload).where(dates, linked(True), ~linked(False))
        for payload in session.scalars(query):
            incident = codec.load(Incident, payload)
            out[incident.id] = incident
    return sorted(out.values(), key=lambda i: (i.date or dt.date.min, i.id))
