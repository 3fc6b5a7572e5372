"""Alerts: raised when a red line changes status for an incident, delivered to sinks.

An :class:`Alert` is raised for every status change (clear->watch,
watch->tripped, tripped->clear, ...) and for the first sighting of an
incident already on watch or tripped; a first evaluation that is clear raises
none. Sinks deliver alerts: :class:`ConsoleSink` (rich, coloured),
:class:`JsonlSink` (one JSON object per line, appended) and
:class:`WebhookSink` (HTTP POST of the JSON with a timeout). Delivery
failures are collected as :class:`DeliveryFailure` and reported; they never
undo the evaluations already recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
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
from ..model import Evaluation, RedLineStatus

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

    @classmethod
    def from_evaluation(cls, ev: Evaluation) -> "Alert":
        """The alert an evaluation raises (whether it should is :func:`alerts_for`'s call)."""
        return cls(
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


def should_alert(previous: RedLineStatus | None, status: RedLineStatus) -> bool:
    """True on a status change, or a first sighting that is not clear."""
    if previous is None:
        return status is not RedLineStatus.CLEAR
    return previous is not status


def alerts_for(evaluations: Iterable[Evaluation]) -> list[Alert]:
    """The alerts a batch of recorded evaluations (``previous_status`` filled) raises."""
    return [Alert.from_evaluation(ev) for ev in evaluations if should_alert(ev.previous_status, ev.status)]


@runtime_checkable
class AlertSink(Protocol):
    """Anything that can deliver an alert; raise on failure."""

    name: str

    def send(self, alert: Alert) -> None:
        """Deliver one alert or raise."""


class ConsoleSink:
    """Prints alerts on a rich console, coloured by the new status."""

    name = "console"

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


class WebhookSink:
    """POSTs each alert as JSON to an http(s) ``url``; non-2xx answers and timeouts are failures."""

    def __init__(self, url: str, *, timeout: float = 5.0, headers: Mapping[str, str] | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"webhook URL must be http(s)://host/..., got {url!r}")
        if timeout <= 0:
            raise ConfigError(f"webhook timeout must be positive, got {timeout!r}")
        self.url = url
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.name = f"webhook:{url}"

    def send(self, alert: Alert) -> None:
        """POST one alert; raise ``OSError`` on any failure."""
        body = json.dumps(alert.to_dict()).encode("utf-8")
        req = urllib.request.Request(self.url, data=body, method="POST", headers={"Content-Type": "application/json", **self.headers})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - scheme checked above
                if not 200 <= resp.status < 300:
                    raise OSError(f"HTTP {resp.status}")
        except urllib.error.HTTPError as exc:
            raise OSError(f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise OSError(str(exc.reason)) from None


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
