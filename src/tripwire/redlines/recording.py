"""Recording checks in the store and raising alerts: ``check_and_record`` and ``run_check``.

:func:`check_and_record` evaluates and appends every evaluation to the store's
history (the store fills ``previous_status``); an evaluation that changes
status puts its alert in the store's outbox in the same transaction. Then
:func:`deliver_pending` sends every alert still pending, from this run or an
earlier one (``tripwire brief`` records alerts without sinks), to the durable
sinks, and marks each delivered once all of them took it. A run killed at any
point loses no alert: the next run with sinks sends what is pending. Delivery
is at least once (an alert sent just before a kill is sent again), so each
alert carries an idempotency key. :func:`run_check` is what ``tripwire check`` does: read the incidents
from the store, attribute each (with :class:`tripwire.attribute.Attributor`
when it is available, else the attribution stored for it), check, record.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import AttributionError, NotFound
from ..model import Action, AttributionResult, Evaluation, Incident
from ..settings import Settings
from .alerts import Alert, AlertSink, DeliveryFailure, alerts_for, dispatch, report_to_stderr
from .check import check
from .rules import RedLineRule


class PendingAlert(Protocol):
    """An undelivered alert as the store's outbox gives it (:class:`tripwire.store.OutboxAlert`)."""

    key: str
    evaluation: Evaluation


class EvaluationStore(Protocol):
    """The part of :class:`tripwire.store.Store` that recording needs."""

    def record_evaluation(self, ev: Evaluation) -> Evaluation: ...

    def pending_alerts(self) -> Iterator[PendingAlert]: ...

    def mark_alert_delivered(self, key: str) -> bool: ...

    def mark_alert_failed(self, key: str, error: str) -> None: ...


class AttributorLike(Protocol):
    """The part of :class:`tripwire.attribute.Attributor` that checking needs."""

    def attribute(self, incident: Incident, *, context: Sequence[Incident | Action] = (), rng: Any = None) -> AttributionResult: ...


@dataclass(frozen=True)
class CheckRun:
    """Everything one ``tripwire check`` produced."""

    evaluations: tuple[Evaluation, ...]
    incidents: tuple[Incident, ...]
    results: Mapping[str, AttributionResult]
    alerts: tuple[Alert, ...]
    failures: tuple[DeliveryFailure, ...]
    #: alerts sent to every durable sink and marked delivered in this run (this run's and older pending ones)
    delivered: tuple[Alert, ...]
    #: incidents without an attribution, with the reason
    unattributed: tuple[tuple[str, str], ...]
    attribution_source: str
    recorded: bool


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
    recorded = [store.record_evaluation(ev) for ev in check(rules, incidents, results, now=now, settings=settings)]
    dispatch(alerts_for(recorded), [s for s in alerts if not _durable(s)], on_failure=on_failure)
    deliver_pending(store, alerts, on_failure=on_failure)
    return recorded


def _durable(sink: AlertSink) -> bool:
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
    durable = [s for s in sinks if _durable(s)]
    delivered: list[Alert] = []
    failures: list[DeliveryFailure] = []
    left = 0
    if not durable:
        return Delivery((), (), 0)
    for entry in store.pending_alerts():
        alert = Alert.from_evaluation(entry.evaluation, key=entry.key)
        failed = dispatch([alert], durable, on_failure=on_failure)
        if failed:
            failures.extend(failed)
            left += 1
            store.mark_alert_failed(entry.key, "; ".join(f"{f.sink}: {f.error}" for f in failed))
        elif store.mark_alert_delivered(entry.key):
            delivered.append(alert)
    return Delivery(tuple(delivered), tuple(failures), left)


def _all_incidents(store: Any, page: int = 500) -> list[Incident]:
    out: list[Incident] = []
    while True:
        batch = store.list_incidents(limit=page, offset=len(out))
        out.extend(batch)
        if len(batch) < page:
            return out


def default_attributor(settings: Settings) -> AttributorLike | None:
    """A :class:`tripwire.attribute.Attributor` when that module exists, else None."""
    try:
        module = importlib.import_module("tripwire.attribute")
    except ImportError:  # pragma: no cover - the package always exists
        return None
    cls = getattr(module, "Attributor", None)
    if cls is None:
        return None
    from ..knowledge import KnowledgeBase

    return cls(KnowledgeBase.load(settings.knowledge_dir or None), settings=settings)  # type: ignore[no-any-return]


def run_check(
    store: Any,
    rules: Sequence[RedLineRule],
    *,
    settings: Settings | None = None,
    attributor: AttributorLike | None = None,
    use_attributor: bool = True,
    record: bool = True,
    sinks: Sequence[AlertSink] = (),
    now: dt.datetime | None = None,
    on_failure: Callable[[DeliveryFailure], None] | None = report_to_stderr,
) -> CheckRun:
    """Attribute and check every stored incident against ``rules``; record and alert when ``record``."""
    settings = settings or Settings()
    now = now or dt.datetime.now(dt.timezone.utc)
    incidents = _all_incidents(store)
    if attributor is None and use_attributor:
        attributor = default_attributor(settings)
    results: dict[str, AttributionResult] = {}
    missing: list[tuple[str, str]] = []
    if attributor is not None:
        actions = store.list_actions(limit=100_000)
        make_index = getattr(attributor, "context_index", None)  # a real Attributor: one index for every incident
        shared = make_index(incidents, actions) if make_index is not None else None
        context: list[Incident | Action] = [*incidents, *actions]
        for inc in incidents:
            try:
                here = shared if shared is not None else [c for c in context if c.id != inc.id]
                results[inc.id] = attributor.attribute(inc, context=here, rng=int(settings.seed))
            except AttributionError as exc:
                missing.append((inc.id, exc.message))
        source = "attributor"
    else:
        for inc in incidents:
            try:
                results[inc.id] = store.get_attribution(inc.id)
            except NotFound:
                missing.append((inc.id, "no attribution stored"))
        source = "store"
    if record:
        if attributor is not None:
            for result in results.values():
                store.save_attribution(result)
        failures: list[DeliveryFailure] = []

        def collect(failure: DeliveryFailure) -> None:
            failures.append(failure)
            if on_failure is not None:
                on_failure(failure)

        evaluations = [store.record_evaluation(ev) for ev in check(rules, incidents, results, now=now, settings=settings)]
        raised = alerts_for(evaluations)
        dispatch(raised, [s for s in sinks if not _durable(s)], on_failure=collect)
        delivered = list(deliver_pending(store, sinks, on_failure=collect).delivered)
    else:
        evaluations = check(rules, incidents, results, now=now, settings=settings)
        raised, failures, delivered = [], [], []
    return CheckRun(
        evaluations=tuple(evaluations),
        incidents=tuple(incidents),
        results=results,
        alerts=tuple(raised),
        failures=tuple(failures),
        delivered=tuple(delivered),
        unattributed=tuple(missing),
        attribution_source=source,
        recorded=record,
    )


__all__ = ["AttributorLike", "CheckRun", "Delivery", "EvaluationStore", "check_and_record", "default_attributor", "deliver_pending", "run_check"]
