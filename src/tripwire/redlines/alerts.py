"""Alerts: raised when a red line changes status for an incident, delivered to sinks.

An :class:`Alert` is raised for every status change (clear->watch,
watch->tripped, tripped->clear, ...) and for the first sighting of an
incident already on watch or tripped; a first evaluation that is clear raises
none. The store keeps every alert in an outbox, written with its evaluation
(see :mod:`tripwire.redlines.recording`); each carries an idempotency ``key``.
Sinks deliver alerts: :class:`ConsoleSink` (rich, coloured; shows, does not
count as delivery), :class:`JsonlSink` (one JSON object per line, appended)
and :class:`WebhookSink` (HTTP POST of the JSON with a timeout, retries with
exponential backoff, and an ``Idempotency-Key`` header). Delivery failures are
collected as :class:`DeliveryFailure` and reported; they never undo the
evaluations already recorded, and the alert stays pending for the next run.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from rich.console import Console
from rich.text import Text

from ..errors import ConfigError
from ..icd203 import icd203_phrase, judgement
from ..model import Evaluation, RedLineStatus, should_alert

STATUS_STYLE = {RedLineStatus.CLEAR: "green", RedLineStatus.WATCH: "yellow", RedLineStatus.TRIPPED: "bold red"}


@dataclass(frozen=True)
class Alert:
    """A red line's status changed for one incident."""

    rule_id: str
    incident_id: str
    previous: RedLineStatus | None
    status: RedLineStatus
    probability: float
    interval: tuple[float, float] | None
    words: str
    standard: str
    threshold: float
    evaluated_at: dt.datetime
    evidence: tuple[str, ...] = ()
    #: ICD 203 analytic confidence in the probability (None: not assessed)
    confidence: str | None = None
    #: idempotency key from the store's outbox (None for an alert not stored)
    key: str | None = None

    @classmethod
    def from_evaluation(cls, ev: Evaluation, key: str | None = None) -> "Alert":
        """The alert an evaluation raises (whether it should is :func:`alerts_for`'s call)."""
        return cls(
            key=key,
            rule_id=ev.rule_id,
            incident_id=ev.incident_id,
            previous=ev.previous_status,
            status=ev.status,
            probability=ev.probability,
            interval=ev.interval,
            words=icd203_phrase(ev.probability),  # recomputed: evaluations stored before the ICD 203 fix read with today's scale
            standard=ev.standard,
            threshold=ev.threshold,
            evaluated_at=ev.evaluated_at,
            evidence=ev.evidence,
            confidence=ev.confidence.value if ev.confidence else None,
        )

    @property
    def message(self) -> str:
        """One sentence for people: what changed and how probable the condition now is."""
        before = self.previous.value if self.previous else "new"
        return (
            f"Red line {self.rule_id} for incident {self.incident_id}: {before} -> {self.status.value} "
            f"(P={self.probability:.2f}, {judgement(self.probability, self.confidence)}; {self.standard} threshold {self.threshold:.2f})"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as the JSONL and webhook sinks send it."""
        return {
            "type": "tripwire.redline.status_change",
            "idempotency_key": self.key,
            "rule_id": self.rule_id,
            "incident_id": self.incident_id,
            "previous": self.previous.value if self.previous else None,
            "status": self.status.value,
            "probability": self.probability,
            "interval": list(self.interval) if self.interval else None,
            "words": self.words,
            "confidence": self.confidence,
            "standard": self.standard,
            "threshold": self.threshold,
            "evaluated_at": self.evaluated_at.isoformat(),
            "evidence": list(self.evidence),
            "message": self.message,
        }


def alerts_for(evaluations: Iterable[Evaluation]) -> list[Alert]:
    """The alerts a batch of recorded evaluations (``previous_status`` filled) raises."""
    return [Alert.from_evaluation(ev) for ev in evaluations if should_alert(ev.previous_status, ev.status)]


@runtime_checkable
class AlertSink(Protocol):
    """Anything that can deliver an alert; raise on failure.

    A sink may set ``durable = False`` (the console does): it is shown the
    alerts a run raises but its output does not mark an alert delivered.
    """

    name: str

    def send(self, alert: Alert) -> None:
        """Deliver one alert or raise."""


class ConsoleSink:
    """Prints alerts on a rich console, coloured by the new status."""

    name = "console"
    durable = False

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)

    def send(self, alert: Alert) -> None:
        """Print one alert line."""
        style = STATUS_STYLE[alert.status]
        self.console.print(Text("ALERT ", style=style) + Text(alert.message), highlight=False)


class JsonlSink:
    """Appends each alert as one JSON line to ``path`` (created with its folder if missing)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = f"jsonl:{self.path}"

    def send(self, alert: Alert) -> None:
        """Append one line."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(alert.to_dict(), ensure_ascii=False) + "\n")


class _Retryable(OSError):
    """A webhook failure worth another try (network, timeout, 5xx, 429)."""


class WebhookSink:
    """POSTs each alert as JSON to an http(s) ``url``, retrying transient failures with exponential backoff.

    Every attempt has ``timeout`` seconds; a connection failure, a timeout, a
    5xx or a 429 answer is retried up to ``retries`` more times, waiting
    ``backoff``, ``2 x backoff``, ``4 x backoff``... (at most ``max_backoff``)
    between attempts. Another 4xx answer fails at once. The alert's
    idempotency key goes in the ``Idempotency-Key`` header and the body.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"webhook URL must be http(s)://host/..., got {url!r}")
        if timeout <= 0:
            raise ConfigError(f"webhook timeout must be positive, got {timeout!r}")
        if retries < 0 or backoff < 0:
            raise ConfigError(f"webhook retries and backoff must not be negative, got {retries!r} and {backoff!r}")
        self.url = url
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.headers = dict(headers or {})
        self.name = f"webhook:{url}"
        self._sleep = sleep

    def send(self, alert: Alert) -> None:
        """POST one alert (with retries); raise ``OSError`` when every attempt failed."""
        body = json.dumps(alert.to_dict()).encode("utf-8")
        headers = {"Content-Type": "application/json", **self.headers}
        if alert.key:
            headers["Idempotency-Key"] = alert.key
        for attempt in range(self.retries + 1):
            try:
                self._post(body, headers)
                return
            except _Retryable as exc:
                if attempt == self.retries:
                    raise OSError(f"{exc} (after {attempt + 1} attempts)") from None
                self._sleep(min(self.max_backoff, self.backoff * 2**attempt))

    def _post(self, body: bytes, headers: dict[str, str]) -> None:
        req = urllib.request.Request(self.url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - scheme checked above
                if not 200 <= resp.status < 300:
                    raise _Retryable(f"HTTP {resp.status}")
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise _Retryable(f"HTTP {exc.code} {exc.reason}") from None
            raise OSError(f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise _Retryable(str(exc.reason)) from None
        except (TimeoutError, ConnectionError) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class DeliveryFailure:
    """An alert a sink could not deliver, and why."""

    sink: str
    alert: Alert
    error: str

    @property
    def message(self) -> str:
        """One sentence."""
        return f"alert for {self.alert.rule_id}/{self.alert.incident_id} not delivered to {self.sink}: {self.error}"


def report_to_stderr(failure: DeliveryFailure) -> None:
    """Default failure reporter: one line on stderr."""
    sys.stderr.write(f"Warning: {failure.message}\n")


def dispatch(alerts: Sequence[Alert], sinks: Sequence[AlertSink], *, on_failure: Callable[[DeliveryFailure], None] | None = report_to_stderr) -> list[DeliveryFailure]:
    """Send every alert to every sink; one sink failing does not stop the others."""
    failures: list[DeliveryFailure] = []
    for alert in alerts:
        for sink in sinks:
            try:
                sink.send(alert)
            except Exception as exc:  # noqa: BLE001 - a sink's failure must never lose the batch
                failure = DeliveryFailure(getattr(sink, "name", type(sink).__name__), alert, f"{type(exc).__name__}: {exc}")
                failures.append(failure)
                if on_failure is not None:
                    on_failure(failure)
    return failures


__all__ = [
    "Alert",
    "AlertSink",
    "ConsoleSink",
    "DeliveryFailure",
    "JsonlSink",
    "WebhookSink",
    "alerts_for",
    "dispatch",
    "report_to_stderr",
    "should_alert",
]
