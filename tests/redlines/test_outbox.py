"""The alert outbox: alerts written with their evaluation, delivered at least once with a key, retried until delivered."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.model import RedLineStatus
from tripwire.app.context import Context
from tripwire.app.jobs import check
from tripwire.redlines import ConsoleSink, JsonlSink, WebhookSink, alerts_for, check_and_record, load_rules
from tripwire.settings import Settings
from tripwire.redlines.recording import deliver_pending
from tripwire.store import Store

from .scenarios import NOW, green_zone, kirkuk, militia_result

SEED = "us-american-killed-iran-instructed"
#: P(Iran ordered) per run and what the seed rule says: clear, tripped, tripped (no change), clear
TRAJECTORY = (0.05, 0.70, 0.72, 0.02)


def _record(store, rules, p_ordered: float, day: int, sinks=()):
    inc = kirkuk()
    rest = 1 - p_ordered
    result = militia_result(inc.id, ordered=p_ordered, supported=rest * 0.4, independent=rest * 0.1, isis=rest * 0.4, unknown=rest * 0.1)
    return check_and_record(store, rules, [inc], {inc.id: result}, now=NOW + dt.timedelta(days=day), alerts=list(sinks), on_failure=None)


@pytest.fixture
def seed_rules(kb):
    return [r for r in load_rules(kb=kb) if r.id == SEED]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_each_alert_is_stored_with_its_evaluation_and_keyed(db_url, seed_rules):
    with Store(db_url) as store:
        raised = []
        for day, p in enumerate(TRAJECTORY):
            raised += alerts_for(_record(store, seed_rules, p, day))
        entries = store.list_alerts()
        assert [(e.evaluation.previous_status, e.evaluation.status) for e in entries] == [(RedLineStatus.CLEAR, RedLineStatus.TRIPPED), (RedLineStatus.TRIPPED, RedLineStatus.CLEAR)]
        assert [(a.previous, a.status) for a in raised] == [(e.evaluation.previous_status, e.evaluation.status) for e in entries]
        assert len({e.key for e in entries}) == 2 and all(len(e.key) == 32 for e in entries)
        assert all(e.pending and e.attempts == 0 for e in entries)
        assert store.count_alerts(pending=True) == 2 and store.info().counts["alerts"] == 2


def test_alerts_recorded_without_sinks_are_delivered_by_a_later_run(db_url, seed_rules, tmp_path):
    """What ``brief`` does (record, no sinks), then ``check --alerts-jsonl``: the earlier alerts arrive, once."""
    out = tmp_path / "alerts.jsonl"
    with Store(db_url) as store:
        _record(store, seed_rules, 0.70, 0)  # tripped, no sink: pending
        _record(store, seed_rules, 0.72, 1, sinks=[ConsoleSink()])  # the console shows, but does not deliver
        assert store.count_alerts(pending=True) == 1
        _record(store, seed_rules, 0.71, 2, sinks=[JsonlSink(out)])  # no new alert; the pending one goes out
        (line,) = _lines(out)
        (entry,) = store.list_alerts()
        assert line["idempotency_key"] == entry.key and line["status"] == "tripped" and line["previous"] is None
        assert entry.delivered_at is not None and entry.attempts == 1
        _record(store, seed_rules, 0.02, 3, sinks=[JsonlSink(out)])
        assert [d["status"] for d in _lines(out)] == ["tripped", "clear"]
        assert store.count_alerts(pending=True) == 0


def test_a_failing_sink_keeps_the_alert_pending_with_its_error_and_the_next_run_retries(db_url, seed_rules, tmp_path):
    class Down:
        name = "down"

        def send(self, alert):
            raise OSError("connection refused")

    out = tmp_path / "alerts.jsonl"
    with Store(db_url) as store:
        _record(store, seed_rules, 0.70, 0, sinks=[Down(), JsonlSink(out)])
        (entry,) = store.list_alerts()
        assert entry.pending and entry.attempts == 1 and "down: OSError: connection refused" in (entry.last_error or "")
        delivery = deliver_pending(store, [JsonlSink(out)], on_failure=None)
        assert [a.key for a in delivery.delivered] == [entry.key] and delivery.still_pending == 0
        (after,) = store.list_alerts()
        assert not after.pending and after.attempts == 2 and after.last_error is None
        # at least once: the sink that took it the first time got it again, with the same key
        assert [d["idempotency_key"] for d in _lines(out)] == [entry.key, entry.key]
        assert deliver_pending(store, [JsonlSink(out)]).delivered == ()


def test_check_reports_what_it_delivered(tmp_path, kb):
    out = tmp_path / "alerts.jsonl"
    with Store(f"sqlite:///{tmp_path / 'tw.db'}") as store:
        for inc in (kirkuk(), green_zone()):
            store.save_incident(inc)
        store.save_attribution(militia_result(kirkuk().id, ordered=0.8, supported=0.1, independent=0.0, isis=0.1, unknown=0.0))
        first = check(Context(Settings(), kb, store), load_rules(kb=kb), use_attributor=False, now=NOW, on_failure=None)
        assert first.alerts and first.delivered == ()
        second = check(Context(Settings(), kb, store), load_rules(kb=kb), use_attributor=False, now=NOW, sinks=[JsonlSink(out)], on_failure=None)
        assert second.alerts == () and len(second.delivered) == len(first.alerts)
        assert {d["idempotency_key"] for d in _lines(out)} == {a.key for a in second.delivered}


class _Flaky(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[str | None, dict]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((self.headers.get("Idempotency-Key"), body))
        self.send_response(type(self).answers.pop(0) if type(self).answers else 204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky():
    handler = type("Flaky", (_Flaky,), {"answers": [], "received": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", handler
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.mark.parametrize(
    ("answers", "retries", "delivered", "posts", "waits"),
    [
        ([503, 502], 3, True, 3, [0.5, 1.0]),  # transient: retried with doubling backoff until it lands
        ([429], 3, True, 2, [0.5]),
        ([500, 500, 500, 500], 3, False, 4, [0.5, 1.0, 2.0]),  # every attempt failed: stays pending
        ([400], 3, False, 1, []),  # a client error is not retried
        ([503], 0, False, 1, []),
    ],
)
def test_webhook_retries_with_backoff_and_sends_the_key(flaky, tmp_path, seed_rules, answers, retries, delivered, posts, waits):
    url, handler = flaky
    handler.answers = list(answers)
    slept: list[float] = []
    sink = WebhookSink(url, timeout=5, retries=retries, backoff=0.5, sleep=slept.append)
    with Store(f"sqlite:///{tmp_path / 'tw.db'}") as store:
        _record(store, seed_rules, 0.70, 0, sinks=[sink])
        (entry,) = store.list_alerts()
        assert entry.pending is not delivered
        assert len(handler.received) == posts and slept == waits
        assert {key for key, _ in handler.received} == {entry.key}
        assert all(body["idempotency_key"] == entry.key for _, body in handler.received)
        if not delivered:
            assert "HTTP" in (entry.last_error or "")


def test_alerts_command_lists_and_delivers_the_outbox(tmp_path, seed_rules):
    url = f"sqlite:///{tmp_path / 'tw.db'}"
    out = tmp_path / "alerts.jsonl"
    with Store(url) as store:
        _record(store, seed_rules, 0.70, 0)
        _record(store, seed_rules, 0.02, 1)
    runner = CliRunner()
    listed = runner.invoke(app, ["alerts", "--db", url, "--pending", "--format", "json"], catch_exceptions=False)
    assert listed.exit_code == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert data["total"] == 2 and [a["status"] for a in data["alerts"]] == ["tripped", "clear"]
    assert all(a["delivered_at"] is None and a["attempts"] == 0 for a in data["alerts"])
    refused = runner.invoke(app, ["alerts", "--db", url, "--deliver"])
    assert refused.exit_code == 1 and "--deliver needs somewhere to deliver to" in refused.stderr
    sent = runner.invoke(app, ["alerts", "--db", url, "--deliver", "--alerts-jsonl", str(out), "--format", "json"], catch_exceptions=False)
    assert json.loads(sent.stdout)["delivered_now"] == [a["idempotency_key"] for a in data["alerts"]]
    assert [d["idempotency_key"] for d in _lines(out)] == [a["idempotency_key"] for a in data["alerts"]]
    table = runner.invoke(app, ["alerts", "--db", url], env={"COLUMNS": "300"}, catch_exceptions=False)
    assert "Alerts (2 of 2)" in table.stdout and "pending" not in table.stdout
    assert json.loads(runner.invoke(app, ["alerts", "--db", url, "--pending", "--format", "json"]).stdout)["total"] == 0
