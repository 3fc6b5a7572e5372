"""Recording checks in the store and raising alerts: ``check_and_record`` and ``deliver_pending``.

:func:`check_and_record` evaluates and appends every evaluation to the store's
history (the store fills ``previous_status``); an evaluation that changes
status puts its alert in the store's outbox in the same transaction. Then
:func:`deliver_pending` sends every alert still pending, from this run or an
earlier one (``tripwire brief`` records alerts without sinks), to the durable
sinks, and marks each delivered once all of them took it. A run killed at any
point loses no alert: the next run with sinks sends what is pending. Delivery
is at least once (an alert sent just before a kill is sent again), so each
alert carries an idempotency key.
The store is any object with the methods of :class:`EvaluationStore`; the
application layer (:func:`tripwire.app.jobs.check`) passes the real one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..batching import batches
from ..model import Action, AttributionResult, Evaluation, Incident
from ..settings import Settings
from .alerts import Alert, AlertSink, DeliveryFailure, alerts_for, dispatch, report_to_stderr
from .check import check
from .rules import RedLineRule

#: Evaluations recorded per store transaction by :func:`check_and_record` (each with the alert it raises).
RECORD_BATCH = 200


class PendingAlert(Protocol):
    """An undelivered alert as the store's outbox gives it (:class:`tripwire.store.OutboxAlert`)."""

    key: str
    evaluation: Evaluation


class EvaluationStore(Protocol):
    """The part of :class:`tripwire.store.Store` that recording needs."""

    def record_evaluations(self, evs: Sequence[Evaluation]) -> list[Evaluation]: ...

    def pending_alerts(self) -> Iterator[PendingAlert]: ...

    def mark_alert_delivered(self, key: str) -> bool: ...

    def mark_alert_failed(self, key: str, error: str) -> None: ...


class AttributorLike(Protocol):
    """The part of :class:`tripwire.attribute.Attributor` a check needs: one context for a job, and an answer per incident."""

    def context_index(self, incidents: Sequence[Incident], actions: Sequence[Action], *, undated_sees_dated: bool = True) -> Any: ...

    def attribute(self, incident: Incident, *, context: Any = (), rng: Any = None) -> AttributionResult: ...


def check_and_record(
    store: EvaluationStore,
    rules: Iterable[RedLineRule],
    incidents: Sequence[Incident],
    results: Mapping[str, AttributionResult],
    *,
    now: dt.datetime,
    settings: Settings | None = None,
    alerts: Sequence[AlertSink] = (),
    on_failure: Callable[[DeliveryFailure], None] | None = report_to_stderr,
) -> list[Evaluation]:
    """Check and append every evaluation (with its alert, if any) to the store, then deliver pending alerts.

    Sinks marked ``durable = False`` (the console) are shown the alerts this
    run raised; the others get every pending alert through
    :func:`deliver_pending`. Returns the evaluations as recorded (with
    ``previous_status`` filled).
    """
    recorded = [ev for chunk in batches(check(rules, incidents, results, now=now, settings=settings), RECORD_BATCH)
                for ev in store.record_evaluations(chunk)]
    dispatch(alerts_for(recorded), [s for s in alerts if not durable(s)], on_failure=on_failure)
    deliver_pending(store, alerts, on_failure=on_failure)
    return recorded


def durable(sink: AlertSink) -> bool:
    return bool(getattr(sink, "durable", True))


@dataclass(frozen=True)
class Delivery:
    """What one :func:`deliver_pending` call did."""

    delivered: tuple[Alert, ...]
    failures: tuple[DeliveryFailure, ...]
    #: alerts left pending because a sink failed them
    still_pending: int


def deliver_pending(
    store: EvaluationStore,
    sinks: Sequence[AlertSink],
    *,
    on_failure: Callable[[DeliveryFailure], None] | None = report_to_stderr,
) -> Delivery:
    """Send every pending alert in the store's outbox to each durable sink, oldest first.

    An alert every durable sink took is marked delivered; one that a sink
    failed counts an attempt, keeps the error and stays pending for the next
    run (the sinks that took it will get it again, with the same key). With no
    durable sink nothing is sent and everything stays pending.
    """
    lasting = [s for s in sinks if durable(s)]
    delivered: list[Alert] = []
    failures: list[DeliveryFailure] = []
    left = 0
    if not lasting:
        return Delivery((), (), 0)
    for entry in store.pending_alerts():
        alert = Alert.from_evaluation(entry.evaluation, key=entry.key)
        failed = dispatch([alert], lasting, on_failure=on_failure)
        if failed:
            failures.extend(failed)
            left += 1
            store.mark_alert_failed(entry.key, "; ".join(f"{f.sink}: {f.error}" for f in failed))
        elif store.mark_alert_delivered(entry.key):
            delivered.append(alert)
    return Delivery(tuple(delivered), tuple(failures), left)


__all__ = ["AttributorLike", "Delivery", "EvaluationStore", "PendingAlert", "check_and_record", "deliver_pending", "durable"]
