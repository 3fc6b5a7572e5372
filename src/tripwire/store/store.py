"""The :class:`Store`: Tripwire's database of documents, extractions, incidents and verdicts.

One class, one URL: ``sqlite:///PATH`` (the default, a single file) or
``postgresql+psycopg://USER@HOST/DB``. Opening a store brings its schema up to
date with the bundled Alembic migrations. Every write runs in its own
transaction: it either happens completely or not at all, and a failure raises a
:class:`~tripwire.errors.StoreError` with the database's reason while leaving
everything stored before untouched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import NotFound, StoreError
from ..model import Action, AttributionResult, Document, Extraction, Incident, ProvisionalActor, RedLineStatement
from ..settings import Settings
from . import codec
from .codec import attribution_payload
from .batched import write_documents, write_events, write_extractions
from .counts import VersionedCounts, incident_total
from .engine import WRITE_OPTION, current_revision, head_revision, make_engine, redact, upgrade
from .rows import insert_many, read_dataset_incidents, write_dataset_rows
from .evaluations import EvaluationRecords
from .tables import (
    COUNTED_TABLES,
    ActionRow,
    ActorAliasRow,
    ActorRow,
    AttributionRow,
    Base,
    ClaimRow,
    DocumentLocationRow,
    DocumentRow,
    ExtractionRow,
    IncidentDocumentRow,
    IncidentRow,
    OutletRow,
    RedLineStatementRow,
    SpeakerRow,
    SponsorLinkRow,
)

from .iterators import PAGE_SIZE, StoreIterators, paged  # noqa: F401 - paged is part of the store's API


@dataclass(frozen=True)
class StoreInfo:
    """What ``tripwire db info`` shows: where the store is, its schema revision and row counts."""

    url: str
    backend: str
    revision: str | None
    head: str
    counts: dict[str, int]

    @property
    def up_to_date(self) -> bool:
        """True when the schema is at the newest revision this version of Tripwire knows."""
        return self.revision == self.head


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    message = str(orig if orig is not None else exc).strip().splitlines()
    return message[0] if message else type(exc).__name__


class Store(EvaluationRecords, StoreIterators):
    """Persistent storage for every stage of the pipeline (see ``docs/store.md``).

    ``Store(url)`` opens (creating if needed) the database and migrates it to
    the newest schema; pass ``migrate=False`` to open an existing database as
    it is (``tripwire db info`` does, to report an outdated revision).
    """

    def __init__(self, url: str = "sqlite:///tripwire.db", *, migrate: bool = True, create: bool = True) -> None:
        self.url = url
        self._engine: Engine = make_engine(url, create=create)
        try:
            if migrate:
                upgrade(self._engine)
        except BaseException:
            self._engine.dispose()
            raise
        self._read = sessionmaker(self._engine, expire_on_commit=False)
        self._write = sessionmaker(self._engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
        #: listing totals from the trigger-kept counters, filtered ones reused per table version (:mod:`tripwire.store.counts`)
        self.counts = VersionedCounts(enabled=migrate)

    @classmethod
    def from_settings(cls, settings: Settings, *, create: bool = True) -> "Store":
        """The store at ``settings.database_url`` (``create=False``: refuse a SQLite file that does not exist)."""
        return cls(settings.database_url, create=create)

    def close(self) -> None:
        """Release every connection."""
        self._engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({redact(self.url)!r})"

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    # -- transactions --------------------------------------------------------

    @contextmanager
    def _writing(self, what: str) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any failure."""
        try:
            with self._write() as session, session.begin():
                yield session
        except IntegrityError as exc:
            raise StoreError(f"could not {what}: it conflicts with stored data ({_reason(exc)})") from exc
        except OperationalError as exc:
            raise StoreError(f"could not {what}: the database refused ({_reason(exc)}) at {redact(self.url)}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"could not {what}: {_reason(exc)}") from exc
        except ValueError as exc:  # e.g. a NUL character PostgreSQL will not store
            raise StoreError(f"could not {what}: {exc}") from exc

    @contextmanager
    def _reading(self, what: str) -> Iterator[Session]:
        try:
            with self._read() as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"could not {what}: {_reason(exc)}") from exc
        except ValidationError as exc:
            raise StoreError(f"could not {what}: a stored record no longer matches the data model ({exc.error_count()} errors)") from exc

    def _insert(self, table: Any) -> Any:
        """An INSERT that supports ``on_conflict_*`` on this backend."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        if self.dialect == "sqlite":
            return sqlite.insert(table)
        raise StoreError(f"unsupported database backend {self.dialect!r}")  # pragma: no cover

    def _upsert(self, session: Session, table: Any, values: dict[str, Any], keys: list[str]) -> None:
        stmt = self._insert(table).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_={k: stmt.excluded[k] for k in values if k not in keys})
        session.execute(stmt)

    # -- documents -----------------------------------------------------------

    def add_document(self, doc: Document) -> bool:
        """Store ``doc`` once per content hash; True if new. Its location is always recorded."""
        with self._writing(f"store document {doc.id[:12]}") as session:
            return write_documents(session, self._insert, [(doc, ())])[0]

    def add_documents(self, batch: Sequence[tuple[Document, Sequence[str]]]) -> list[bool]:
        """Store many ``(document, other places)`` pairs in one transaction; per pair, whether its document was new.

        Each document is stored once per content hash and every place of it
        (``document.location`` and the other places) recorded once. Either the
        whole batch is stored or, on any failure, none of it (see :mod:`tripwire.store.batched`).
        """
        with self._writing(f"store {len(batch)} documents") as session:
            return write_documents(session, self._insert, batch)

    def _add_location(self, session: Session, doc_id: str, location: str, when: dt.datetime) -> bool:
        stmt = self._insert(DocumentLocationRow).values(document_id=doc_id, location=location, seen_at=when)
        stmt = stmt.on_conflict_do_nothing(index_elements=["document_id", "location"]).returning(DocumentLocationRow.id)
        return session.execute(stmt).first() is not None

    def add_location(self, doc_id: str, location: str) -> bool:
        """Record one more place a stored document was seen; True if the place is new. NotFound if no such document."""
        with self._writing(f"record a location of document {doc_id[:12]}") as session:
            if session.get(DocumentRow, doc_id) is None:
                raise NotFound(f"no document with id {doc_id!r} in the store", detail={"id": doc_id})
            return self._add_location(session, doc_id, location, codec.utcnow())

    def document_locations(self, doc_id: str) -> list[str]:
        """Every place a document was seen, first seen first. NotFound if no such document."""
        with self._reading("read document locations") as session:
            if session.get(DocumentRow, doc_id) is None:
                raise NotFound(f"no document with id {doc_id!r} in the store", detail={"id": doc_id})
            rows = session.scalars(select(DocumentLocationRow.location).where(DocumentLocationRow.document_id == doc_id).order_by(DocumentLocationRow.id))
            return list(rows)

    @staticmethod
    def _document(row: DocumentRow) -> Document:
        return codec.load(Document, row.payload, text=row.text)

    def get_document(self, doc_id: str) -> Document:
        """The document with this content hash; raises NotFound."""
        with self._reading("read a document") as session:
            row = session.get(DocumentRow, doc_id)
            if row is None:
                raise NotFound(f"no document with id {doc_id!r} in the store", detail={"id": doc_id})
            return self._document(row)

    def list_documents(self, *, limit: int = 100, offset: int = 0) -> list[Document]:
        """Stored documents, oldest stored first."""
        with self._reading("list documents") as session:
            rows = session.scalars(select(DocumentRow).order_by(DocumentRow.stored_at, DocumentRow.id).limit(limit).offset(offset))
            return [self._document(r) for r in rows]

    def count_documents(self) -> int:
        """How many distinct documents are stored."""
        return self._count(DocumentRow)

    def _count(self, table: Any) -> int:
        with self._reading("count rows") as session:
            return self.counts.listed(session, table.__tablename__, select(func.count()).select_from(table))

    # -- extractions ---------------------------------------------------------

    def save_extraction(self, extraction: Extraction) -> None:
        """Store what was extracted from one document, replacing any earlier extraction of it."""
        with self._writing(f"save the extraction of document {extraction.document_id[:12]}") as session:
            write_extractions(session, self._insert, [extraction])

    def save_extractions(self, extractions: Sequence[Extraction]) -> None:
        """Store many extractions in one transaction, each replacing any earlier extraction of its document; all or none."""
        with self._writing(f"save {len(extractions)} extractions") as session:
            write_extractions(session, self._insert, extractions)

    def get_extraction(self, doc_id: str) -> Extraction:
        """The stored extraction of a document; raises NotFound."""
        with self._reading("read an extraction") as session:
            row = session.get(ExtractionRow, doc_id)
            if row is None:
                raise NotFound(f"no extraction stored for document {doc_id!r}", detail={"id": doc_id})
            return codec.load(Extraction, row.payload)

    def list_redline_statements(self) -> list[RedLineStatement]:
        """Every distinct red-line statement found in stored extractions, in the order first stored."""
        with self._reading("list red-line statements") as session:
            rows = session.scalars(select(RedLineStatementRow.payload).order_by(RedLineStatementRow.id))
            out: list[RedLineStatement] = []
            for payload in rows:
                statement = codec.load(RedLineStatement, payload)
                if statement not in out:
                    out.append(statement)
            return out

    # -- incidents and actions -------------------------------------------------

    def save_incident(self, incident: Incident) -> None:
        """Insert or replace the incident with this id (with its claims and document links); it is live again."""
        self.save_events([incident])

    def save_events(self, incidents: Sequence[Incident], actions: Sequence[Action] = ()) -> None:
        """Insert or replace many incidents (see :meth:`save_incident`) and actions in one transaction; all or none."""
        if not incidents and not actions:
            return
        if len(incidents) + len(actions) == 1:
            what = f"save incident {incidents[0].id!r}" if incidents else f"save action {actions[0].id!r}"
        else:
            what = f"save {len(incidents)} incidents and {len(actions)} actions"
        with self._writing(what) as session:
            write_events(session, self._insert, incidents, actions)

    def get_incident(self, incident_id: str) -> Incident:
        """The incident with this id; raises NotFound."""
        with self._reading("read an incident") as session:
            row = session.get(IncidentRow, incident_id)
            if row is None:
                raise NotFound(f"no incident with id {incident_id!r} in the store", detail={"id": incident_id})
            return codec.load(Incident, row.payload)

    def list_incidents(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        country: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Incident]:
        """Incidents by date (undated last), optionally from ``since`` to ``until`` inclusive and in one country."""
        # Dated rows first, in (date, id) index order, then undated ones by id: two index
        # range scans instead of sorting the whole table on every page.
        conditions = _incident_conditions(since, until, country)
        dated = select(IncidentRow.payload).where(IncidentRow.date.is_not(None), *conditions)
        with self._reading("list incidents") as session:
            rows = list(session.scalars(dated.order_by(IncidentRow.date, IncidentRow.id).limit(limit).offset(offset)))
            if len(rows) < limit and since is None and until is None:
                # a partial page means every dated row after `offset` was read; an empty one needs the count
                n_dated = offset + len(rows) if rows else session.scalar(select(func.count()).select_from(dated.subquery())) or 0
                undated = select(IncidentRow.payload).where(IncidentRow.date.is_(None), *conditions).order_by(IncidentRow.id)
                rows += session.scalars(undated.limit(limit - len(rows)).offset(max(0, offset - n_dated)))
            return [codec.load(Incident, p) for p in rows]

    def count_incidents(self, *, since: dt.date | None = None, until: dt.date | None = None, country: str | None = None) -> int:
        """How many live (not superseded) incidents :meth:`list_incidents` lists with these filters, without a limit."""
        conditions = _incident_conditions(since, until, country)
        if since is not None or until is not None:
            conditions.append(IncidentRow.date.is_not(None))
        query = select(func.count()).select_from(IncidentRow).where(*conditions)
        key = (since, until, country.upper() if country else None)
        with self._reading("count incidents") as session:
            if key == (None, None, None):  # every live incident: the trigger-kept count
                return self.counts.listed(session, IncidentRow.__tablename__, query)
            return self.counts.count(session, IncidentRow.__tablename__, key, query, kept=incident_total(since, until, country))

    def supersede_incidents(self, successors: dict[str, str]) -> int:
        """Mark each stored incident ``old`` as replaced by ``successors[old]``; returns how many rows changed.

        The rows stay (``get_incident`` still returns them, history keeps their
        evaluations); listings and counts leave them out from now on.
        """
        changed = 0
        with self._writing("mark superseded incidents") as session:
            for old, new in successors.items():
                if old == new:
                    continue
                result = session.execute(
                    IncidentRow.__table__.update().where(IncidentRow.id == old, IncidentRow.superseded_by.is_(None)).values(superseded_by=new)
                )
                changed += result.rowcount or 0
        return changed

    def superseded_by(self, incident_id: str) -> str | None:
        """The incident that replaced ``incident_id``, or None while it is live; raises NotFound for an unknown id."""
        with self._reading("read an incident") as session:
            row = session.get(IncidentRow, incident_id)
            if row is None:
                raise NotFound(f"no incident with id {incident_id!r} in the store", detail={"id": incident_id})
            return row.superseded_by

    def live_incident_documents(self) -> dict[str, set[str]]:
        """Every live incident's id with the documents that report it."""
        out: dict[str, set[str]] = {}
        query = (
            select(IncidentDocumentRow.incident_id, IncidentDocumentRow.document_id)
            .join(IncidentRow, IncidentRow.id == IncidentDocumentRow.incident_id)
            .where(IncidentRow.superseded_by.is_(None))
        )
        with self._reading("list incident documents") as session:
            for incident_id, document_id in session.execute(query):
                out.setdefault(incident_id, set()).add(document_id)
        return out

    def save_action(self, action: Action) -> None:
        """Insert or replace the action with this id."""
        self.save_events([], [action])

    def add_dataset_rows(self, batch: Sequence[tuple[Document, Incident | Action]]) -> list[bool]:
        """Store imported dataset rows (document and event each) in one transaction; per row, whether its event was new.

        A row whose event id is already stored (or came earlier in ``batch``)
        is a duplicate and is not written again. Either the whole batch is
        stored or, on any failure, none of it (see :mod:`tripwire.store.rows`).
        """
        with self._writing(f"store {len(batch)} dataset rows") as session:
            return write_dataset_rows(session, self._insert, batch)
    def count_actions(self) -> int:
        """How many actions are stored."""
        return self._count(ActionRow)

    def dataset_incidents(self, windows: Sequence[tuple[dt.date, dt.date]]) -> list[Incident]:
        """Imported dataset incidents dated in any of the (first, last) ``windows``, live or folded into an article event."""
        with self._reading("list imported incidents") as session:
            return read_dataset_incidents(session, list(windows))

    def list_actions(self, *, limit: int = 1000, offset: int = 0) -> list[Action]:
        """Actions by date (undated last)."""
        query = select(ActionRow.payload).order_by(ActionRow.date.is_(None), ActionRow.date, ActionRow.id).limit(limit).offset(offset)
        with self._reading("list actions") as session:
            return [codec.load(Action, p) for p in session.scalars(query)]

    # -- attribution -----------------------------------------------------------

    def save_attribution(self, result: AttributionResult) -> None:
        """Append an attribution result; the newest per incident is the current one."""
        self.save_attributions([result])

    def save_attributions(self, results: Sequence[AttributionResult]) -> None:
        """Append attribution results in one transaction (all or none); a later one of an incident is newer."""
        self.save_attribution_payloads([attribution_payload(r) for r in results])

    def save_attribution_payloads(self, rows: Sequence[tuple[str, str, Any]]) -> None:
        """Append attributions already serialised by :func:`attribution_payload`, in one transaction (all or none).

        What :meth:`save_attributions` stores, for a caller that serialised the
        results where they were computed (the attribution workers of ``tripwire check``).
        """
        if not rows:
            return
        what = f"save the attribution of incident {rows[0][0]!r}" if len(rows) == 1 else f"save {len(rows)} attributions"
        now = codec.utcnow()
        with self._writing(what) as session:
            insert_many(session, self._insert, AttributionRow.__table__,
                        [{"incident_id": iid, "method": method, "stored_at": now, "payload": payload} for iid, method, payload in rows])

    def get_attribution(self, incident_id: str) -> AttributionResult:
        """The newest attribution result for an incident; raises NotFound."""
        history = self.attribution_history(incident_id, limit=1, newest_first=True)
        if not history:
            raise NotFound(f"no attribution stored for incident {incident_id!r}", detail={"id": incident_id})
        return history[0]

    def attribution_history(self, incident_id: str, *, limit: int | None = None, newest_first: bool = False) -> list[AttributionResult]:
        """Every attribution result saved for an incident, oldest first (or newest first)."""
        order = AttributionRow.id.desc() if newest_first else AttributionRow.id
        query = select(AttributionRow.payload).where(AttributionRow.incident_id == incident_id).order_by(order).limit(limit)
        with self._reading("read attribution history") as session:
            return [codec.load(AttributionResult, p) for p in session.scalars(query)]

    # -- knowledge ---------------------------------------------------------------

    def sync_knowledge(self, kb: Any) -> None:
        """Replace the actors, aliases, sponsor links, outlets and speakers tables with ``kb``'s (provisional actors stay)."""
        with self._writing("synchronise the knowledge base") as session:
            for table in (ActorAliasRow, SponsorLinkRow, OutletRow, SpeakerRow):
                session.execute(delete(table))
            session.execute(delete(ActorRow).where(ActorRow.kind != "unresolved"))  # provisional actors outlive a knowledge reload
            actors, aliases, links = [], [], []
            for actor in kb.actors.values():
                actors.append(
                    {
                        "id": actor.id,
                        "name": actor.name,
                        "kind": actor.kind,
                        "country": actor.country,
                        "front_for": actor.front_for,
                        "part_of": actor.part_of,
                        "members": list(actor.members),
                    }
                )
                aliases += [{"actor_id": actor.id, "alias": alias} for alias in dict.fromkeys(actor.aliases)]
                seen: set[tuple[str, str]] = set()
                for link in actor.sponsors:
                    if (link.sponsor, link.relation) not in seen:
                        seen.add((link.sponsor, link.relation))
                        links.append({"actor_id": actor.id, "sponsor": link.sponsor, "relation": link.relation, "confidence": link.confidence})
            outlets = [
                {"id": o.id, "name": o.name, "reliability": o.reliability, "wire": o.wire, "aliases": list(o.aliases)} for o in kb.outlets.values()
            ]
            speakers = [
                {
                    "id": s.id,
                    "name": s.name,
                    "kind": s.kind,
                    "country": s.country,
                    "reliability": s.reliability,
                    "payload": _plain(dataclasses.asdict(s)),
                }
                for s in kb.speakers.values()
            ]
            for table, rows in ((ActorRow, actors), (ActorAliasRow, aliases), (SponsorLinkRow, links), (OutletRow, outlets), (SpeakerRow, speakers)):
                if rows:
                    session.execute(insert(table), rows)

    def save_provisional_actors(self, actors: Sequence[ProvisionalActor]) -> None:
        """Record groups the knowledge base does not know (kind ``unresolved``) so analysts can list and add them."""
        merged: dict[str, ProvisionalActor] = {}
        for a in actors:
            old = merged.get(a.id)
            merged[a.id] = a if old is None else old.model_copy(update={"documents": tuple(dict.fromkeys((*old.documents, *a.documents)))})
        if not merged:
            return
        with self._writing("save provisional actors") as session:
            for a in merged.values():
                values = {"id": a.id, "name": a.name, "kind": "unresolved", "country": None, "front_for": None, "part_of": None, "members": []}
                self._upsert(session, ActorRow, values, ["id"])

    def unresolved_actors(self) -> list[dict[str, Any]]:
        """Provisional actors with the number of live incidents whose statements name them, most named first."""
        with self._reading("list unresolved actors") as session:
            rows = list(session.execute(select(ActorRow.id, ActorRow.name).where(ActorRow.kind == "unresolved")))
            counts = dict(
                session.execute(
                    select(ClaimRow.actor, func.count(func.distinct(ClaimRow.incident_id)))
                    .join(IncidentRow, IncidentRow.id == ClaimRow.incident_id)
                    .where(ClaimRow.actor.in_([r[0] for r in rows]), IncidentRow.superseded_by.is_(None))
                    .group_by(ClaimRow.actor)
                ).all()
            ) if rows else {}
        out = [{"id": rid, "name": name, "incidents": int(counts.get(rid, 0))} for rid, name in rows]
        return sorted(out, key=lambda r: (-r["incidents"], r["name"]))

    def sponsor_links(self) -> list[tuple[str, str, str, float]]:
        """Stored ``(actor, sponsor, relation, confidence)`` rows, sorted."""
        with self._reading("read sponsor links") as session:
            rows = session.execute(
                select(SponsorLinkRow.actor_id, SponsorLinkRow.sponsor, SponsorLinkRow.relation, SponsorLinkRow.confidence).order_by(
                    SponsorLinkRow.actor_id, SponsorLinkRow.sponsor, SponsorLinkRow.relation
                )
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]

    def resolve_alias(self, alias: str) -> list[str]:
        """Actor ids known by this alias (exact, case-insensitive)."""
        with self._reading("look up an alias") as session:
            rows = session.scalars(select(ActorAliasRow.actor_id).where(func.lower(ActorAliasRow.alias) == alias.lower()).distinct())
            return sorted(rows)

    # -- housekeeping ------------------------------------------------------------

    def info(self) -> StoreInfo:
        """Location, schema revision and row counts of every table."""
        counts: dict[str, int] = {}
        revision = current_revision(self._engine)
        if revision is not None:
            with self._reading("count rows") as session:
                for name in COUNTED_TABLES:
                    counts[name] = int(session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0)
        return StoreInfo(url=redact(self.url), backend=self.dialect, revision=revision, head=head_revision(), counts=counts)

    def upgrade(self) -> str | None:
        """Bring the schema to the newest revision (idempotent); returns the revision."""
        revision = upgrade(self._engine)
        self.counts.enabled = True  # the counters exist from here on
        return revision


def _incident_conditions(since: dt.date | None, until: dt.date | None, country: str | None) -> list[Any]:
    """The WHERE terms of an incident listing: live rows, date range, country."""
    conditions: list[Any] = [IncidentRow.superseded_by.is_(None)]
    if since is not None:
        conditions.append(IncidentRow.date >= since)
    if until is not None:
        conditions.append(IncidentRow.date <= until)
    if country is not None:
        conditions.append(IncidentRow.country == country.upper())
    return conditions


def _plain(value: Any) -> Any:
    """Dataclass data as JSON-ready values (tuples to lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
