"""Alerts: when they are raised, and the console, JSONL and webhook sinks (against a local HTTP server)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from rich.console import Console

from tripwire.errors import ConfigError
from tripwire.model import Evaluation, RedLineStatus
from tripwire.redlines import Alert, ConsoleSink, JsonlSink, WebhookSink, alerts_for, dispatch, should_alert

from .scenarios import NOW

C, W, T = RedLineStatus.CLEAR, RedLineStatus.WATCH, RedLineStatus.TRIPPED


@pytest.mark.parametrize(
    ("previous", "status", "alert"),
    [(None, C, False), (None, W, True), (None, T, True), (C, C, False), (C, W, True), (W, T, True), (T, C, True), (T, T, False), (W, W, False), (W, C, True)],
)
def test_should_alert(previous, status, alert):
    assert should_alert(previous, status) is alert


def ev(status: RedLineStatus, previous: RedLineStatus | None = None, p: float = 0.6) -> Evaluation:
    from tripwire.model import Confidence, icd203_phrase

    return Evaluation(
        rule_id="us-american-killed-iran-instructed", incident_id="inc-<1>", probability=p, interval=(0.4, 0.7), standard="preponderance",
        threshold=0.5, status=status, words=icd203_phrase(p), evaluated_at=NOW, previous_status=previous, evidence=("reported: 1 killed (US, contractor)",),
        confidence=Confidence.MODERATE,
    )


def test_alerts_for_picks_changes_only():
    alerts = alerts_for([ev(T, W), ev(T, T), ev(C, None, 0.0), ev(W, None, 0.3)])
    assert [(a.previous, a.status) for a in alerts] == [(W, T), (None, W)]
    assert alerts[0].message == ("Red line us-american-killed-iran-instructed for incident inc-<1>: watch -> tripped (P=0.60, likely (moderate confidence); preponderance threshold 0.50)")
    assert alerts[0].to_dict()["confidence"] == "moderate"


def test_console_sink_prints_plain_text_without_markup_injection():
    buf = io.StringIO()
    ConsoleSink(Console(file=buf, width=300, color_system=None)).send(Alert.from_evaluation(ev(T, W).model_copy(update={"incident_id": "[bold]x[/bold]"})))
    out = buf.getvalue()
    assert out.startswith("ALERT Red line us-american-killed-iran-instructed for incident [bold]x[/bold]: watch -> tripped")


def test_jsonl_sink_appends_one_object_per_line(tmp_path):
    path = tmp_path / "sub" / "alerts.jsonl"
    sink = JsonlSink(path)
    dispatch(alerts_for([ev(W, C, 0.3), ev(T, W, 0.7)]), [sink])
    dispatch(alerts_for([ev(C, T, 0.1)]), [sink])
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(d["previous"], d["status"]) for d in lines] == [("clear", "watch"), ("watch", "tripped"), ("tripped", "clear")]
    assert lines[1]["probability"] == 0.7 and lines[1]["interval"] == [0.4, 0.7] and lines[1]["evaluated_at"] == NOW.isoformat()


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 204

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"body": json.loads(body), "type": self.headers["Content-Type"], "auth": self.headers.get("Authorization")})
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook_server() -> Iterator[tuple[str, type[_Hook]]]:
    handler = type("Hook", (_Hook,), {"received": [], "status": 204})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/alerts", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_webhook_posts_json(hook_server):
    url, handler = hook_server
    failures = dispatch(alerts_for([ev(T, W)]), [WebhookSink(url, timeout=5, headers={"Authorization": "Bearer t"})], on_failure=None)
    assert failures == []
    (got,) = handler.received
    assert got["type"] == "application/json" and got["auth"] == "Bearer t"
    assert got["body"]["status"] == "tripped" and got["body"]["rule_id"] == "us-american-killed-iran-instructed"


def test_webhook_http_error_is_reported_and_other_sinks_still_run(hook_server, tmp_path):
    url, handler = hook_server
    handler.status = 500
    reported = []
    jsonl = JsonlSink(tmp_path / "a.jsonl")
    failures = dispatch(alerts_for([ev(T, W)]), [WebhookSink(url, timeout=5, retries=0), jsonl], on_failure=reported.append)
    assert len(failures) == 1 and reported == failures
    assert failures[0].sink == f"webhook:{url}" and "HTTP 500" in failures[0].error
    assert "not delivered to webhook" in failures[0].message
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 1


def test_webhook_unreachable_is_a_failure_not_a_crash():
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    failures = dispatch(alerts_for([ev(W, C, 0.3)]), [WebhookSink(f"http://127.0.0.1:{port}/", timeout=2, retries=0)], on_failure=None)
    assert len(failures) == 1 and failures[0].error.startswith("OSError")


def test_webhook_timeout_is_a_failure():
    import socket

    with socket.socket() as srv:  # accepts the connection, never answers
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        failures = dispatch(alerts_for([ev(W, C, 0.3)]), [WebhookSink(f"http://127.0.0.1:{srv.getsockname()[1]}/", timeout=0.3, retries=0)], on_failure=None)
    assert len(failures) == 1 and "timed out" in failures[0].error


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "not a url", "http://"])
def test_webhook_refuses_non_http_urls(url):
    with pytest.raises(ConfigError, match="webhook URL"):
        WebhookSink(url)


def test_default_failure_report_goes_to_stderr(capsys):
    class Broken:
        name = "broken"

        def send(self, alert: Alert) -> None:
            raise RuntimeError("disk full")

    dispatch(alerts_for([ev(T, W)]), [Broken()])
    assert "Warning: alert for us-american-killed-iran-instructed/inc-<1> not delivered to broken: RuntimeError: disk full" in capsys.readouterr().err
