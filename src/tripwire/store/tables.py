"""The store's tables as SQLAlchemy 2 typed ORM classes.

Each domain object is kept twice over: its complete pydantic payload as JSON
(``payload``), from which ``get_*`` rebuilds it exactly, and a few indexed
columns (dates, countries, totals, statuses) for filtering and for anyone who
queries the database directly. The Alembic migrations in ``migrations/`` create
exactly this schema; a test checks that they agree.

Append-only tables (``attributions``, ``evaluations``) are never updated or
deleted by the library: the latest row per key is the current state and the
earlier rows are the history. ``alerts`` is the red-line alert outbox: a row is
written in the same transaction as the evaluation that raised it and only its
delivery columns change afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..model import HASH_CHARS, MAX_ID_CHARS
from .codec import Clipped, JSONDoc, UTCDateTime

#: Constraint names are spelled out so migrations and metadata always agree.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(MAX_ID_CHARS)  # the models refuse longer ids on every backend (tripwire.model.Id)
HASH = String(HASH_CHARS)


class Base(DeclarativeBase):
    """Declarative base carrying the shared metadata and naming convention."""

    metadata = MetaData(naming_convention=NAMING)


# -- documents ----------------------------------------------------------------


class DocumentRow(Base):
    """One document, stored once per content hash; ``payload`` holds everything but the text."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(Clipped(300), index=True)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    location: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(Clipped(100))
    kind: Mapped[str] = mapped_column(Clipped(20))
    raw_sha256: Mapped[str | None] = mapped_column(HASH)
    retrieved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    stored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class DocumentLocationRow(Base):
    """Every place (path or URL) a document was seen; duplicates add rows here, never lose them."""

    __tablename__ = "document_locations"
    __table_args__ = (UniqueConstraint("document_id", "location"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    location: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# -- knowledge ------------------------------------------------------------------


class OutletRow(Base):
    """A news outlet from the knowledge base."""

    __tablename__ = "outlets"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    reliability: Mapped[str] = mapped_column(String(2))
    wire: Mapped[bool] = mapped_column(Boolean)
    aliases: Mapped[list[str]] = mapped_column(JSONDoc)


class SpeakerRow(Base):
    """A speaker from the knowledge base; labelling biases and the rest in ``payload``."""

    __tablename__ = "speakers"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(50))
    country: Mapped[str | None] = mapped_column(String(8))
    reliability: Mapped[str] = mapped_column(String(2))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class ActorRow(Base):
    """An actor from the knowledge base."""

    __tablename__ = "actors"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(50))
    country: Mapped[str | None] = mapped_column(String(8))
    front_for: Mapped[str | None] = mapped_column(ID)
    part_of: Mapped[str | None] = mapped_column(ID)
    members: Mapped[list[str]] = mapped_column(JSONDoc)


class ActorAliasRow(Base):
    """One name an actor goes by in news text."""

    __tablename__ = "actor_aliases"
    __table_args__ = (UniqueConstraint("actor_id", "alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(300), index=True)


class SponsorLinkRow(Base):
    """A known tie between an actor and its sponsoring state."""

    __tablename__ = "sponsor_links"
    __table_args__ = (UniqueConstraint("actor_id", "sponsor", "relation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    sponsor: Mapped[str] = mapped_column(ID, index=True)
    relation: Mapped[str] = mapped_column(String(50))
    confidence: Mapped[float] = mapped_column(Float)


# -- extraction -----------------------------------------------------------------


class ExtractionRow(Base):
    """Everything extracted from one document (replaced when the document is re-extracted)."""

    __tablename__ = "extractions"

    document_id: Mapped[str] = mapped_column(HASH, primary_key=True)
    extractor_version: Mapped[str] = mapped_column(String(50))
    published: Mapped[dt.date | None] = mapped_column(Date)
    stored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class IncidentRow(Base):
    """A (merged) incident with query columns: date, country, position, type, casualty totals."""

    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_date_id", "date", "id"),
        Index("ix_incidents_country_date_id", "country", "date", "id"),
        # live listings and their counts (``superseded_by IS NULL``) in index order (migration 0005)
        Index("ix_incidents_superseded_by_date_id", "superseded_by", "date", "id"),
        Index("ix_incidents_superseded_by_country_date_id", "superseded_by", "country", "date", "id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    country: Mapped[str | None] = mapped_column(Clipped(8), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    attack_type: Mapped[str | None] = mapped_column(Clipped(100))
    killed: Mapped[int] = mapped_column(Integer)
    injured: Mapped[int] = mapped_column(Integer)
    stored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    #: the incident that replaced this one in a later merge (kept for the record, never listed or checked again)
    superseded_by: Mapped[str | None] = mapped_column(ID, nullable=True)


class IncidentDocumentRow(Base):
    """Which documents report an incident (document ids need not be stored yet)."""

    __tablename__ = "incident_documents"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[str] = mapped_column(HASH, primary_key=True, index=True)


class ClaimRow(Base):
    """One attribution statement about an incident, flattened for querying."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(Clipped(200), index=True)
    kind: Mapped[str] = mapped_column(Clipped(20))
    sponsor: Mapped[str | None] = mapped_column(Clipped(200))
    relation: Mapped[str | None] = mapped_column(Clipped(50))
    hedges: Mapped[list[str]] = mapped_column(JSONDoc)
    speaker: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean)


class ActionRow(Base):
    """A non-attack event (strike, protest, vote, pledge...)."""

    __tablename__ = "actions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(Clipped(50), index=True)
    actor: Mapped[str | None] = mapped_column(Clipped(200))
    date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    country: Mapped[str | None] = mapped_column(Clipped(8))
    stored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class RedLineStatementRow(Base):
    """A declared red line found in a document (kept with the document's extraction)."""

    __tablename__ = "redline_statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(HASH, index=True)
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


# -- attribution and red lines ------------------------------------------------------


class AttributionRow(Base):
    """One attribution result; append-only, the newest row per incident is current."""

    __tablename__ = "attributions"
    __table_args__ = (Index("ix_attributions_incident_id_id", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ID)
    method: Mapped[str] = mapped_column(Clipped(50))
    stored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class EvaluationRow(Base):
    """One red-line evaluation; APPEND-ONLY, never updated or deleted."""

    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_rule_id_incident_id_id", "rule_id", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(ID)
    incident_id: Mapped[str] = mapped_column(ID, index=True)
    status: Mapped[str] = mapped_column(String(20))
    previous_status: Mapped[str | None] = mapped_column(String(20))
    probability: Mapped[float] = mapped_column(Float)
    evaluated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    stored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class AlertRow(Base):
    """One red-line alert in the outbox: written with its evaluation, marked when delivered."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_delivered_at_id", "delivered_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: idempotency key: receivers drop an alert whose key they have seen (delivery is at least once)
    key: Mapped[str] = mapped_column(HASH, unique=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(ID)
    incident_id: Mapped[str] = mapped_column(ID, index=True)
    status: Mapped[str] = mapped_column(String(20))
    previous_status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


# -- bookkeeping ----------------------------------------------------------------


class TableCounterRow(Base):
    """Counters of one table, kept by database triggers on every write to it (migration 0006).

    ``version`` goes up with every insert, update or delete; ``live_rows`` is
    the number of rows the table's plain listing shows (incidents not
    superseded, every action). The triggers live in the database, so a write
    from any process, any ``Store`` or plain SQL changes both in the same
    transaction as the rows (:mod:`tripwire.store.counts` reads them).
    """

    __tablename__ = "table_counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    live_rows: Mapped[int] = mapped_column(BigInteger)


class IncidentDayCountRow(Base):
    """How many live (not superseded) incidents one country has on one day, kept by the incident triggers (migration 0007).

    ``country_key`` is ``'='`` and the country, ``''`` for incidents without
    one, ``'*'`` for all countries together; undated incidents have
    ``dated`` false and the placeholder day 0001-01-01. A filtered listing
    total is a sum over these rows (:func:`tripwire.store.counts.incident_total`).
    """

    __tablename__ = "incident_day_counts"

    country_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    dated: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    live_rows: Mapped[int] = mapped_column(BigInteger)


#: Tables with a ``table_counters`` row (the migration that adds the triggers spells them out, with what "listed" means).
COUNTED_BY_TRIGGERS = ("incidents", "actions")

#: Tables whose row counts ``tripwire db info`` reports, in schema order (bookkeeping left out).
COUNTED_TABLES = tuple(name for name in Base.metadata.tables if name not in (TableCounterRow.__tablename__, IncidentDayCountRow.__tablename__))
