"""Stand-ins for the store and the attribution engine, for tests of the jobs that compose them."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from tests.redlines.scenarios import militia_result
from tripwire.errors import AttributionError, NotFound
from tripwire.model import Action, AttributionResult, Evaluation, Incident, should_alert


class FakeStore:
    """In-memory stand-in with the contract's semantics for the calls recording makes."""

    def __init__(self, incidents: Sequence[Incident] = (), results: Sequence[AttributionResult] = ()) -> None:
        self.history: list[Evaluation] = []
        self.incidents = list(incidents)
        self.saved = {r.incident_id: r for r in results}
        self.outbox: dict[str, list] = {}  # key -> [evaluation, delivered, attempts]

    def record_evaluation(self, ev: Evaluation) -> Evaluation:
        last = [e for e in self.history if (e.rule_id, e.incident_id) == (ev.rule_id, ev.incident_id)]
        filled = ev.model_copy(update={"previous_status": last[-1].status if last else None})
        self.history.append(filled)
        if should_alert(filled.previous_status, filled.status):
            self.outbox[f"k{len(self.history)}"] = [filled, False, 0]
        return filled

    def record_evaluations(self, evs: Sequence[Evaluation]) -> list[Evaluation]:
        return [self.record_evaluation(ev) for ev in evs]

    def pending_alerts(self):
        return [SimpleNamespace(key=k, evaluation=v[0]) for k, v in self.outbox.items() if not v[1]]

    def mark_alert_delivered(self, key):
        fresh = not self.outbox[key][1]
        self.outbox[key][1] = True
        return fresh

    def mark_alert_failed(self, key, error):
        self.outbox[key][2] += 1

    def evaluation_history(self, *, rule_id=None, incident_id=None):
        return [e for e in self.history if rule_id in (None, e.rule_id) and incident_id in (None, e.incident_id)]

    def list_incidents(self, *, limit=100, offset=0, **_):
        return self.incidents[offset : offset + limit]

    def list_actions(self, *, limit=1000, offset=0):
        return []

    def iter_incidents(self, **_):
        return iter(self.incidents)

    def iter_actions(self):
        return iter(())

    def latest_attributions(self):
        return dict(self.saved)

    def get_attribution(self, incident_id):
        try:
            return self.saved[incident_id]
        except KeyError:
            raise NotFound(f"no attribution for {incident_id}") from None

    def save_attribution(self, result):
        self.saved[result.incident_id] = result

    def save_attributions(self, results):
        for result in results:
            self.save_attribution(result)

    def save_attribution_payloads(self, rows):  # (incident id, method, JSON payload), as the attribution workers serialise them
        for _incident_id, _method, payload in rows:
            self.save_attribution(AttributionResult.model_validate_json(payload) if isinstance(payload, str) else AttributionResult.model_validate(payload))


class FakeAttributor:
    """Attributes Kirkuk to Kataib Hezbollah on Iranian orders; refuses incidents without statements.

    It records each call with the ids of the incidents its job context holds
    (the application layer builds one context per job through ``context_index``).
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...], object]] = []

    def context_index(self, incidents: Sequence[Incident], actions: Sequence[Action], *, undated_sees_dated: bool = True):
        return SimpleNamespace(incidents=list(incidents), actions=list(actions), undated_sees_dated=undated_sees_dated)

    def attribute(self, incident: Incident, *, context=(), rng=None) -> AttributionResult:
        self.calls.append((incident.id, tuple(c.id for c in context.incidents), rng))
        if incident.id.startswith("2020-11-17"):
            raise AttributionError("no attribution statements")
        return militia_result(incident.id, ordered=0.6, supported=0.2, independent=0.0, isis=0.15, unknown=0.05)
