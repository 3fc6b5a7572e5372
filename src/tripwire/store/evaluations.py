"""Red-line evaluations and the alert outbox: the part of :class:`~tripwire.store.Store` that ``check`` writes.

:meth:`EvaluationRecords.record_evaluation` appends an evaluation with
``previous_status`` filled from the last one for the same rule and incident;
when that evaluation raises an alert (:func:`tripwire.model.should_alert`) the
alert row is written in the same transaction, so an evaluation is never stored
without the alert it raised, whatever kills the process afterwards. Delivery
reads :meth:`pending_alerts`, and marks each alert with
:meth:`mark_alert_delivered` or :meth:`mark_alert_failed`; what is still
pending is retried by the next run. Delivery is at least once: each alert
carries an idempotency key so a receiver can drop a repeat.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from ..model import Evaluation, RedLineStatus, should_alert
from . import codec
from .rows import IN_CHUNK
from .tables import AlertRow, EvaluationRow

#: Longest delivery error kept on an alert row.
ERROR_CHARS = 500


@dataclass(frozen=True)
class OutboxAlert:
    """An alert as the outbox holds it: the evaluation that raised it and how its delivery went."""

    key: str
    evaluation: Evaluation
    created_at: dt.datetime
    attempts: int
    last_attempt_at: dt.datetime | None
    last_error: str | None
    delivered_at: dt.datetime | None

    @property
    def pending(self) -> bool:
        """True until some run delivered it."""
        return self.delivered_at is None


def alert_key(evaluation_row_id: int, ev: Evaluation) -> str:
    """The idempotency key of the alert raised by the evaluation stored as row ``evaluation_row_id``."""
    material = "\x1f".join(("tripwire-alert", str(evaluation_row_id), ev.rule_id, ev.incident_id, ev.evaluated_at.isoformat(), ev.status.value))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _last_statuses(session: Session, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The status of the newest stored evaluation of each (rule, incident) in ``keys`` that has one."""
    wanted = set(keys)
    incidents = sorted({incident for _rule, incident in keys})
    out: dict[tuple[str, str], str] = {}
    for start in range(0, len(incidents), IN_CHUNK):
        newest = (select(func.max(EvaluationRow.id)).where(EvaluationRow.incident_id.in_(incidents[start : start + IN_CHUNK]))
                  .group_by(EvaluationRow.rule_id, EvaluationRow.incident_id))
        for rule_id, incident_id, status in session.execute(
            select(EvaluationRow.rule_id, EvaluationRow.incident_id, EvaluationRow.status).where(EvaluationRow.id.in_(newest))
        ):
            if (rule_id, incident_id) in wanted:
                out[(rule_id, incident_id)] = status
    return out


class EvaluationRecords:
    """Evaluation history and alert outbox methods, mixed into :class:`~tripwire.store.Store`."""

    dialect: str

    def _writing(self, what: str) -> AbstractContextManager[Session]: ...  # provided by Store

    def _reading(self, what: str) -> AbstractContextManager[Session]: ...  # provided by Store

    # -- evaluations ---------------------------------------------------------------

    def record_evaluation(self, ev: Evaluation) -> Evaluation:
        """Append an evaluation, with ``previous_status`` set from the last one for the same rule and incident.

        When the evaluation raises an alert, the alert is added to the outbox in
        the same transaction.
        """
        return self.record_evaluations([ev])[0]

    def record_evaluations(self, evs: Sequence[Evaluation]) -> list[Evaluation]:
        """Append evaluations in one transaction, as :meth:`record_evaluation` does one by one (all or none).

        Each gets ``previous_status`` from the last stored or earlier-in-``evs``
        evaluation of its rule and incident; the alerts they raise are written
        in the same transaction. Keep batches to a few hundred: on PostgreSQL
        each (rule, incident) takes an advisory lock until the commit.
        """
        if not evs:
            return []
        what = (f"record the evaluation of rule {evs[0].rule_id!r} on incident {evs[0].incident_id!r}" if len(evs) == 1
                else f"record {len(evs)} evaluations")
        keys = sorted({(ev.rule_id, ev.incident_id) for ev in evs})
        with self._writing(what) as session:
            if self.dialect == "postgresql":  # serialise writers of the same (rule, incident); in one order, so batches never deadlock
                for rule_id, incident_id in keys:
                    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"{rule_id}\x1f{incident_id}"})
            last = _last_statuses(session, keys)
            now = codec.utcnow()
            filled_all: list[Evaluation] = []
            params: list[dict[str, Any]] = []
            for ev in evs:
                key = (ev.rule_id, ev.incident_id)
                previous = last.get(key)
                filled = ev.model_copy(update={"previous_status": RedLineStatus(previous) if previous is not None else None})
                last[key] = filled.status.value
                filled_all.append(filled)
                params.append({"rule_id": filled.rule_id, "incident_id": filled.incident_id, "status": filled.status.value, "previous_status": previous,
                               "probability": filled.probability, "evaluated_at": codec.to_utc(filled.evaluated_at), "stored_at": now,
                               "payload": codec.dump(filled)})
            # one multi-row INSERT (no ORM objects); the row ids, in the order given, go into the alerts' keys
            ids = session.execute(insert(EvaluationRow).returning(EvaluationRow.id, sort_by_parameter_order=True), params).scalars().all()
            alerts = [{"key": alert_key(row_id, filled), "evaluation_id": row_id, "rule_id": filled.rule_id, "incident_id": filled.incident_id,
                       "status": row["status"], "previous_status": row["previous_status"], "created_at": now, "attempts": 0}
                      for row_id, row, filled in zip(ids, params, filled_all) if should_alert(filled.previous_status, filled.status)]
            if alerts:
                session.execute(insert(AlertRow), alerts)
        return filled_all

    @staticmethod
    def _history_terms(rule_id: str | None, incident_id: str | None) -> list[Any]:
        terms: list[Any] = []
        if rule_id is not None:
            terms.append(EvaluationRow.rule_id == rule_id)
        if incident_id is not None:
            terms.append(EvaluationRow.incident_id == incident_id)
        return terms

    def evaluation_history(
        self, *, rule_id: str | None = None, incident_id: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Evaluation]:
        """Recorded evaluations, oldest first, optionally for one rule and/or one incident (``limit`` None: all)."""
        query = select(EvaluationRow.payload).where(*self._history_terms(rule_id, incident_id)).order_by(EvaluationRow.id).limit(limit).offset(offset)
        with self._reading("read evaluation history") as session:
            return [codec.load(Evaluation, p) for p in session.scalars(query)]

    def count_evaluations(self, *, rule_id: str | None = None, incident_id: str | None = None) -> int:
        """How many evaluations :meth:`evaluation_history` returns without a limit."""
        with self._reading("count evaluations") as session:
            return int(session.scalar(select(func.count()).select_from(EvaluationRow).where(*self._history_terms(rule_id, incident_id))) or 0)

    @staticmethod
    def _newest_ids() -> Any:
        return select(func.max(EvaluationRow.id)).group_by(EvaluationRow.rule_id, EvaluationRow.incident_id)

    def latest_evaluations(self, *, limit: int | None = None, offset: int = 0) -> list[Evaluation]:
        """The newest evaluation for each (rule, incident) pair, ordered by rule then incident (``limit`` None: all)."""
        query = (
            select(EvaluationRow.payload)
            .where(EvaluationRow.id.in_(self._newest_ids()))
            .order_by(EvaluationRow.rule_id, EvaluationRow.incident_id)
            .limit(limit)
            .offset(offset)
        )
        with self._reading("read latest evaluations") as session:
            return [codec.load(Evaluation, p) for p in session.scalars(query)]

    def count_latest_evaluations(self) -> int:
        """How many (rule, incident) pairs have an evaluation."""
        with self._reading("count latest evaluations") as session:
            return int(session.scalar(select(func.count()).select_from(self._newest_ids().subquery())) or 0)

    # -- alert outbox ------------------------------------------------------------------

    @staticmethod
    def _outbox(alert: AlertRow, payload: dict[str, Any]) -> OutboxAlert:
        return OutboxAlert(
            key=alert.key,
            evaluation=codec.load(Evaluation, payload),
            created_at=alert.created_at,
            attempts=alert.attempts,
            last_attempt_at=alert.last_attempt_at,
            last_error=alert.last_error,
            delivered_at=alert.delivered_at,
        )

    def _alert_query(self, *, pending: bool | None, rule_id: str | None, incident_id: str | None) -> Any:
        query = select(AlertRow, EvaluationRow.payload).join(EvaluationRow, EvaluationRow.id == AlertRow.evaluation_id)
        if pending is True:
            query = query.where(AlertRow.delivered_at.is_(None))
        elif pending is False:
            query = query.where(AlertRow.delivered_at.is_not(None))
        if rule_id is not None:
            query = query.where(AlertRow.rule_id == rule_id)
        if incident_id is not None:
            query = query.where(AlertRow.incident_id == incident_id)
        return query

    def list_alerts(
        self, *, pending: bool | None = None, rule_id: str | None = None, incident_id: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[OutboxAlert]:
        """Alerts in the outbox, oldest first; ``pending=True`` only undelivered ones, ``False`` only delivered ones."""
        query = self._alert_query(pending=pending, rule_id=rule_id, incident_id=incident_id).order_by(AlertRow.id).limit(limit).offset(offset)
        with self._reading("list alerts") as session:
            return [self._outbox(alert, payload) for alert, payload in session.execute(query)]

    def count_alerts(self, *, pending: bool | None = None, rule_id: str | None = None, incident_id: str | None = None) -> int:
        """How many alerts :meth:`list_alerts` would list without a limit."""
        query = self._alert_query(pending=pending, rule_id=rule_id, incident_id=incident_id)
        with self._reading("count alerts") as session:
            return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)

    def pending_alerts(self, *, page_size: int = 500) -> Iterator[OutboxAlert]:
        """Every undelivered alert, oldest first, read a page at a time (keyset on the row id)."""
        after = 0
        while True:
            query = self._alert_query(pending=True, rule_id=None, incident_id=None).where(AlertRow.id > after).order_by(AlertRow.id).limit(page_size)
            with self._reading("read pending alerts") as session:
                rows = list(session.execute(query))
            for alert, payload in rows:
                yield self._outbox(alert, payload)
            if len(rows) < page_size:
                return
            after = rows[-1][0].id

    def mark_alert_delivered(self, key: str) -> bool:
        """Record that the alert with this key was delivered; False if it already was (or no such key)."""
        now = codec.utcnow()
        with self._writing("mark an alert delivered") as session:
            result = session.execute(
                update(AlertRow)
                .where(AlertRow.key == key, AlertRow.delivered_at.is_(None))
                .values(delivered_at=now, last_attempt_at=now, attempts=AlertRow.attempts + 1, last_error=None)
            )
            return bool(result.rowcount)

    def mark_alert_failed(self, key: str, error: str) -> None:
        """Count a failed delivery attempt of the alert with this key, keeping the error; it stays pending."""
        with self._writing("record a failed alert delivery") as session:
            session.execute(
                update(AlertRow)
                .where(AlertRow.key == key, AlertRow.delivered_at.is_(None))
                .values(last_attempt_at=codec.utcnow(), attempts=AlertRow.attempts + 1, last_error=error[:ERROR_CHARS])
            )


__all__ = ["EvaluationRecords", "OutboxAlert", "alert_key"]
