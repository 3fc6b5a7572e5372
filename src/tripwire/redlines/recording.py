"""Recording checks in the store and raising alerts: ``check_and_record`` and ``run_check``.

:func:`check_and_record` evaluates, appends every evaluation to the store's
history (the store fills ``previous_status``), then raises alerts on status
changes. Evaluations are written first, so a sink that fails can never lose
one. :func:`run_check` is what ``tripwire check`` does: read the incidents
from the store, attribute each (with :class:`tripwire.attribute.Attributor`
when it is available, else the attribution stored for it), check, record.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import AttributionError, NotFound
from ..model import Action, AttributionResult, Evaluation, Incident
from ..settings import Settings
from .alerts import Alert, AlertSink, DeliveryFailure, alerts_for, dispatch, report_to_stderr
from .check import check
from .rules import RedLineRule


class EvaluationStore(Protocol):
    """The part of :class:`tripwire.store.Store` that recording needs."""

    def record_evaluation(self, ev: Evaluation) -> Evaluation: ...


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
    """Check, append every evaluation to the store, then send alerts for status changes.

    Returns the evaluations as recorded (with ``previous_status`` filled).
    """
    recorded = [store.record_evaluation(ev) for ev in check(rules, incidents, results, now=now, settings=settings)]
    dispatch(alerts_for(recorded), alerts, on_failure=on_failure)
    return recorded


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

        evaluations = check_and_record(store, rules, incidents, results, now=now, settings=settings, alerts=sinks, on_failure=collect)
        raised = alerts_for(evaluations)
    else:
        evaluations = check(rules, incidents, results, now=now, settings=settings)
        raised, failures = [], []
    return CheckRun(
        evaluations=tuple(evaluations),
        incidents=tuple(incidents),
        results=results,
        alerts=tuple(raised),
        failures=tuple(failures),
        unattributed=tuple(missing),
        attribution_source=source,
        recorded=record,
    )


__all__ = ["AttributorLike", "CheckRun", "EvaluationStore", "check_and_record", "default_attributor", "run_check"]
