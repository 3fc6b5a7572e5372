"""check_and_record / run_check: append-only history, status changes, alerts, never losing an evaluation."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from types import SimpleNamespace

import pytest

from tripwire.errors import AttributionError, NotFound
from tripwire.model import Action, AttributionResult, Evaluation, Incident, RedLineStatus, should_alert
from tripwire.redlines import JsonlSink, check_and_record, load_rules, run_check
from tripwire.store import Store

from .scenarios import NOW, green_zone, kirkuk, militia_result

C, W, T = RedLineStatus.CLEAR, RedLineStatus.WATCH, RedLineStatus.TRIPPED
SEED = "us-american-killed-iran-instructed"


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

    def get_attribution(self, incident_id):
        try:
            return self.saved[incident_id]
        except KeyError:
            raise NotFound(f"no attribution for {incident_id}") from None

    def save_attribution(self, result):
        self.saved[result.incident_id] = result


# P(Iran ordered) over time for the Kirkuk incident, and the status the seed rule should show
TRAJECTORY = [(0.05, C), (0.30, W), (0.70, T), (0.72, T), (0.02, C)]


def _run_trajectory(store, rules, tmp_path):
    inc = kirkuk()
    sink = JsonlSink(tmp_path / "alerts.jsonl")
    out = []
    for step, (p_ordered, _) in enumerate(TRAJECTORY):
        rest = 1 - p_ordered
        result = militia_result(inc.id, ordered=p_ordered, supported=rest * 0.4, independent=rest * 0.1, isis=rest * 0.4, unknown=rest * 0.1)
        (ev,) = check_and_record(store, rules, [inc], {inc.id: result}, now=NOW + dt.timedelta(days=step), alerts=[sink])
        out.append(ev)
    return out, [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]


def _assert_trajectory(evs, alerts, history):
    assert [e.status for e in evs] == [s for _, s in TRAJECTORY]
    assert [e.previous_status for e in evs] == [None, C, W, T, T]
    # alerts on clear->watch, watch->tripped, tripped->clear; none for the first clear or tripped->tripped
    assert [(a["previous"], a["status"]) for a in alerts] == [("clear", "watch"), ("watch", "tripped"), ("tripped", "clear")]
    assert [e.status for e in history] == [s for _, s in TRAJECTORY]
    assert [e.evaluated_at for e in history] == sorted(e.evaluated_at for e in history)


def test_status_change_history_with_fake_store(kb, tmp_path):
    rules = [r for r in load_rules(kb=kb) if r.id == SEED]
    store = FakeStore()
    evs, alerts = _run_trajectory(store, rules, tmp_path)
    _assert_trajectory(evs, alerts, store.evaluation_history(rule_id=SEED))


def test_status_change_history_in_sqlite(kb, tmp_path):
    rules = [r for r in load_rules(kb=kb) if r.id == SEED]
    with Store(f"sqlite:///{tmp_path / 'tw.db'}") as store:
        evs, alerts = _run_trajectory(store, rules, tmp_path)
        history = store.evaluation_history(rule_id=SEED, incident_id=kirkuk().id)
        _assert_trajectory(evs, alerts, history)
        assert history[2].components == evs[2].components and history[2].evidence == evs[2].evidence
        (latest,) = store.latest_evaluations()
        assert latest.status is C and latest.previous_status is T


def test_failing_sink_never_loses_the_evaluation(kb):
    class Down:
        name = "down"

        def send(self, alert):
            raise OSError("connection refused")

    store = FakeStore()
    inc = kirkuk()
    result = militia_result(inc.id, ordered=0.8, supported=0.1, independent=0.0, isis=0.1, unknown=0.0)
    failures = []
    evs = check_and_record(store, load_rules(kb=kb), [inc], {inc.id: result}, now=NOW, alerts=[Down()], on_failure=failures.append)
    assert len(store.history) == len(evs) == 3
    assert failures and all(f.sink == "down" for f in failures)


class FakeAttributor:
    """Attributes Kirkuk to Kataib Hezbollah on Iranian orders; refuses incidents without statements."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...], object]] = []

    def attribute(self, incident: Incident, *, context: Sequence[Incident | Action] = (), rng=None) -> AttributionResult:
        self.calls.append((incident.id, tuple(c.id for c in context), rng))
        if incident.id.startswith("2020-11-17"):
            raise AttributionError("no attribution statements")
        return militia_result(incident.id, ordered=0.6, supported=0.2, independent=0.0, isis=0.15, unknown=0.05)


def test_run_check_with_injected_attributor(kb, tmp_path):
    store = FakeStore([kirkuk(), green_zone()])
    attributor = FakeAttributor()
    sink = JsonlSink(tmp_path / "a.jsonl")
    run = run_check(store, load_rules(kb=kb), attributor=attributor, sinks=[sink], now=NOW)
    assert run.attribution_source == "attributor" and run.recorded
    assert [c[0] for c in attributor.calls] == [kirkuk().id, green_zone().id]
    assert attributor.calls[0][1] == (green_zone().id,)  # context: every other incident, never itself
    assert run.unattributed == ((green_zone().id, "no attribution statements"),)
    seed = {e.incident_id: e for e in run.evaluations if e.rule_id == SEED}
    assert seed[kirkuk().id].status is T and seed[green_zone().id].status is C
    assert kirkuk().id in store.saved  # the attribution is kept for the report
    assert len(store.history) == len(run.evaluations) == 6
    assert {(a.rule_id, a.status) for a in run.alerts} == {(SEED, T), ("us-personnel-killed-iran-aligned", T)}
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == len(run.alerts)


def test_run_check_from_stored_attributions_without_recording(kb):
    inc = kirkuk()
    store = FakeStore([inc, green_zone()], [militia_result(inc.id, ordered=0.3, supported=0.3, independent=0.05, isis=0.25, unknown=0.1)])
    run = run_check(store, load_rules(kb=kb), use_attributor=False, record=False, now=NOW)
    assert run.attribution_source == "store" and not run.recorded and store.history == []
    assert run.unattributed == ((green_zone().id, "no attribution stored"),)
    assert {e.incident_id: e.status for e in run.evaluations if e.rule_id == SEED} == {inc.id: W, green_zone().id: C}
    assert run.alerts == ()


def test_run_check_pages_through_many_incidents(kb):
    incidents = [kirkuk().model_copy(update={"id": f"inc-{i:04d}"}) for i in range(1203)]
    store = FakeStore(incidents)
    run = run_check(store, [r for r in load_rules(kb=kb) if r.id == SEED], use_attributor=False, record=False, now=NOW)
    assert len(run.evaluations) == 1203


@pytest.mark.parametrize("when", [NOW, NOW.replace(tzinfo=None)])
def test_recorded_times_round_trip_in_sqlite(kb, tmp_path, when):
    inc = kirkuk()
    with Store(f"sqlite:///{tmp_path / 'tw.db'}") as store:
        (ev,) = check_and_record(store, [r for r in load_rules(kb=kb) if r.id == SEED], [inc], {}, now=when)
        (back,) = store.evaluation_history()
        assert back.probability == ev.probability == 0.0 and back.evidence == ev.evidence
