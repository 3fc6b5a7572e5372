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

from sqlalchemy import select, text
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
    if documents:
        session.execute(insert(DocumentRow.__table__).on_conflict_do_nothing(index_elements=["id"]), list(documents.values()))
    known = set(documents) | _present(session, DocumentRow.id, (d.id for d in repeats if d.id not in documents))
    locations = {(doc.id, doc.location): None for doc, _e in fresh} | {(d.id, d.location): None for d in repeats if d.id in known}
    if locations:
        stmt = insert(DocumentLocationRow.__table__).on_conflict_do_nothing(index_elements=["document_id", "location"])
        session.execute(stmt, [{"document_id": d, "location": loc, "seen_at": now} for d, loc in locations])
    incidents = [e for _d, e in fresh if isinstance(e, Incident)]
    actions = [e for _d, e in fresh if not isinstance(e, Incident)]
    if incidents:
        session.execute(insert(IncidentRow.__table__), [incident_values(i, now, codec.dump_json) for i in incidents])
        links = [{"incident_id": i.id, "document_id": d} for i in incidents for d in dict.fromkeys(i.documents)]
        if links:
            session.execute(insert(IncidentDocumentRow.__table__), links)
        claims = [c for i in incidents for c in claim_values(i)]
        if claims:
            session.execute(insert(ClaimRow.__table__), claims)
    if actions:
        session.execute(insert(ActionRow.__table__), [action_values(a, now, codec.dump_json) for a in actions])
    return flags
