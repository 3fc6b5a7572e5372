"""``tripwire.app.jobs.check``: attribute every live incident in one context, check, record, alert."""

from __future__ import annotations

from tests.app.fakes import FakeAttributor, FakeStore
from tests.redlines.scenarios import NOW, green_zone, kirkuk, militia_result
from tripwire.app.context import Context
from tripwire.app.jobs import check
from tripwire.model import RedLineStatus
from tripwire.redlines import JsonlSink, load_rules
from tripwire.settings import Settings

C, W, T = RedLineStatus.CLEAR, RedLineStatus.WATCH, RedLineStatus.TRIPPED
SEED = "us-american-killed-iran-instructed"


def test_check_with_injected_attributor(kb, tmp_path):
    store = FakeStore([kirkuk(), green_zone()])
    attributor = FakeAttributor()
    sink = JsonlSink(tmp_path / "a.jsonl")
    run = check(Context(Settings(), kb, store), load_rules(kb=kb), engine=attributor, sinks=[sink], now=NOW)
    assert run.attribution_source == "attributor" and run.recorded
    assert [c[0] for c in attributor.calls] == [kirkuk().id, green_zone().id]
    assert [c[1] for c in attributor.calls] == [(kirkuk().id, green_zone().id)] * 2  # one context for the job: every live incident
    assert all(c[2] == Settings().seed for c in attributor.calls)
    assert run.unattributed == ((green_zone().id, "no attribution statements"),)
    seed = {e.incident_id: e for e in run.evaluations if e.rule_id == SEED}
    assert seed[kirkuk().id].status is T and seed[green_zone().id].status is C
    assert kirkuk().id in store.saved  # the attribution is kept for the report
    assert len(store.history) == len(run.evaluations) == 6
    assert {(a.rule_id, a.status) for a in run.alerts} == {(SEED, T), ("us-personnel-killed-iran-aligned", T)}
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == len(run.alerts)


def test_check_from_stored_attributions_without_recording(kb):
    inc = kirkuk()
    store = FakeStore([inc, green_zone()], [militia_result(inc.id, ordered=0.3, supported=0.3, independent=0.05, isis=0.25, unknown=0.1)])
    run = check(Context(Settings(), kb, store), load_rules(kb=kb), use_attributor=False, record=False, now=NOW)
    assert run.attribution_source == "store" and not run.recorded and store.history == []
    assert run.unattributed == ((green_zone().id, "no attribution stored"),)
    assert {e.incident_id: e.status for e in run.evaluations if e.rule_id == SEED} == {inc.id: W, green_zone().id: C}
    assert run.alerts == ()


def test_check_pages_through_many_incidents(kb):
    incidents = [kirkuk().model_copy(update={"id": f"inc-{i:04d}"}) for i in range(1203)]
    store = FakeStore(incidents)
    run = check(Context(Settings(), kb, store), [r for r in load_rules(kb=kb) if r.id == SEED], use_attributor=False, record=False, now=NOW)
    assert len(run.evaluations) == 1203
