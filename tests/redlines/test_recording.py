"""check_and_record: append-only history, status changes, alerts, never losing an evaluation."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tripwire.model import RedLineStatus
from tripwire.redlines import JsonlSink, check_and_record, load_rules
from tripwire.store import Store

from .scenarios import NOW, kirkuk, militia_result

C, W, T = RedLineStatus.CLEAR, RedLineStatus.WATCH, RedLineStatus.TRIPPED
SEED = "us-american-killed-iran-instructed"


from tests.app.fakes import FakeStore  # noqa: E402


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


@pytest.mark.parametrize("when", [NOW, NOW.replace(tzinfo=None)])
def test_recorded_times_round_trip_in_sqlite(kb, tmp_path, when):
    inc = kirkuk()
    with Store(f"sqlite:///{tmp_path / 'tw.db'}") as store:
        (ev,) = check_and_record(store, [r for r in load_rules(kb=kb) if r.id == SEED], [inc], {}, now=when)
        (back,) = store.evaluation_history()
        assert back.probability == ev.probability == 0.0 and back.evidence == ev.evidence
