"""The self-contained HTML report: board, incidents, attribution, timeline, red-line statements, sources, history.

:func:`write_html_report` renders the Jinja2 templates shipped in
``tripwire/report/templates`` (autoescape on, CSS inline, no external
resources) into ``OUT_DIR/index.html``. The application layer's
:func:`tripwire.app.outputs.write_report` gathers everything from the store
and calls it; that is what ``tripwire report`` runs. See ``docs/reports.md``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .. import __version__
from ..errors import InputError, TripwireError
from ..icd203 import judgement
from ..knowledge import KnowledgeBase
from ..model import Action, AttributionResult, Document, Evaluation, Incident, PosteriorEntry, RedLineStatement
from .board import board_rows, format_p, latest

#: How many hypotheses get their own log-LR column in the evidence table.
LR_COLUMNS = 6


def _env() -> Environment:
    env = Environment(loader=PackageLoader("tripwire.report", "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["p2"] = lambda x: "" if x is None else f"{x:.2f}"
    env.filters["p3"] = lambda x: "" if x is None else f"{x:.3f}"
    env.filters["judged"] = lambda x: judgement(x.probability, x.confidence)  # an evaluation or a posterior entry
    env.filters["signed"] = lambda x: "" if x is None else f"{x:+.2f}"
    env.filters["interval"] = lambda iv: "" if not iv else f"[{iv[0]:.2f}, {iv[1]:.2f}]"
    env.filters["anchor"] = lambda s: "incident-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(s))
    env.filters["safe_href"] = safe_href
    return env


def safe_href(location: str | None) -> str | None:
    """``location`` when it is an http(s) URL (safe to link), else None (shown as text only)."""
    if not location:
        return None
    parts = urlsplit(location)
    return location if parts.scheme in ("http", "https") and parts.netloc else None


@dataclass(frozen=True)
class HypothesisRow:
    """One posterior line: the hypothesis in words, prior, posterior and interval."""

    key: str
    perpetrator: str
    sponsor: str
    relation: str
    prior: float
    probability: float
    interval: tuple[float, float] | None
    #: ICD 203 words and analytic confidence: ``likely (moderate confidence)``
    judgement: str = ""


@dataclass(frozen=True)
class IncidentView:
    """Everything the report shows about one incident."""

    incident: Incident
    casualty_table: list[tuple[str, str, str, int]]
    hypotheses: list[HypothesisRow]
    lr_keys: list[str]
    evidence: list[dict[str, Any]]
    method: str | None
    evaluations: list[Evaluation]
    #: what the posterior's analytic confidence rests on, in words (None: no result, or stored before it was assessed)
    basis: str | None = None
    #: Heuer's ACH matrix as an escaped HTML fragment, when ``tripwire.attribute.ach`` is available
    ach: Markup | None = None


@dataclass
class ReportData:
    """The report's inputs, gathered (from a store or from the caller)."""

    incidents: Sequence[Incident]
    results: Mapping[str, AttributionResult]
    evaluations: Sequence[Evaluation]
    actions: Sequence[Action] = ()
    redlines: Sequence[RedLineStatement] = ()
    documents: Sequence[Document] = ()
    rules: Sequence[Any] = ()
    title: str = "Tripwire red-line report"
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    kb: KnowledgeBase | None = None  # required by write_html_report; None only for data built by hand without ACH


def casualty_table(incident: Incident) -> list[tuple[str, str, str, int]]:
    """Casualties summed by (status, nationality, category), killed first."""
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    for c in incident.casualties:
        sums[(c.status, c.nationality or "unknown", c.category or "-")] += c.count
    return sorted(((s, n, cat, k) for (s, n, cat), k in sums.items()), key=lambda r: (r[0] != "killed", r[1], r[2]))


def _hyp_rows(entries: Iterable[PosteriorEntry]) -> list[HypothesisRow]:
    rows = [
        HypothesisRow(e.hypothesis.key, e.hypothesis.perpetrator, e.hypothesis.sponsor or "-", e.hypothesis.relation, e.prior, e.probability, e.interval,
                      judgement(e.probability, e.confidence))
        for e in entries
    ]
    return sorted(rows, key=lambda r: -r.probability)


def ach_fragment(incident: Incident, result: AttributionResult, kb: KnowledgeBase | None) -> Markup | None:
    """The ACH matrix for the incident (``tripwire.attribute.ach``, which escapes everything it emits); None without a knowledge base or an answer."""
    from ..attribute.ach import ach_html, ach_matrix

    if kb is None:
        return None
    try:
        return Markup(ach_html(ach_matrix(incident, None, kb, result=result)))  # noqa: S704 - ach_html escapes
    except TripwireError:
        return None


def incident_view(incident: Incident, result: AttributionResult | None, evaluations: Sequence[Evaluation], *, kb: KnowledgeBase | None = None) -> IncidentView:
    """The per-incident section's data."""
    hyps = _hyp_rows(result.posterior) if result else []
    lr_keys = [h.key for h in hyps[:LR_COLUMNS]]
    evidence = []
    for ev in result.evidence if result else ():
        src = ev.source
        who = None
        if src is not None:
            who = ", ".join(x for x in (src.speaker or ("anonymous" if src.anonymous else None), src.role, src.outlet) if x) or None
        evidence.append(
            {
                "label": ev.label,
                "kind": ev.kind,
                "source": who,
                "weight": ev.weight,
                "group": ev.group,
                "log_lr": [ev.log_lr.get(k) for k in lr_keys],
                "notes": ev.notes,
            }
        )
    mine = [e for e in latest(evaluations) if e.incident_id == incident.id]
    return IncidentView(
        incident=incident,
        casualty_table=casualty_table(incident),
        hypotheses=hyps,
        lr_keys=lr_keys,
        evidence=evidence,
        method=result.method if result else None,
        evaluations=mine,
        basis=result.basis.describe() if result is not None and result.basis is not None else None,
        ach=ach_fragment(incident, result, kb) if result is not None else None,
    )


class _IncidentViews(Sequence[IncidentView]):
    """The incident sections, built one at a time as the template reaches them (the report never holds them all)."""

    def __init__(self, incidents: Sequence[Incident], data: ReportData) -> None:
        self.incidents = incidents
        self.data = data
        self.evaluations: dict[str, list[Evaluation]] = defaultdict(list)
        for ev in data.evaluations:
            self.evaluations[ev.incident_id].append(ev)

    def __len__(self) -> int:
        return len(self.incidents)

    def __getitem__(self, k):  # type: ignore[no-untyped-def, override]
        if isinstance(k, slice):
            return [self._view(i) for i in self.incidents[k]]
        return self._view(self.incidents[k])

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (self._view(i) for i in self.incidents)

    def _view(self, incident: Incident) -> IncidentView:
        return incident_view(incident, self.data.results.get(incident.id), self.evaluations.get(incident.id, ()), kb=self.data.kb)


def render_chunks(data: ReportData) -> Iterator[str]:
    """The report's HTML in pieces, as the template renders them (see :func:`render_html`)."""
    incidents = sorted(data.incidents, key=lambda i: (i.date or dt.date.max, i.id))
    by_id = {i.id: i for i in incidents}
    actions = sorted(data.actions, key=lambda a: (a.date or dt.date.max, a.id))
    timeline = sorted(
        [("incident", i.date, i.id, i.attack_type or "attack", i.summary or (i.place.name if i.place else ""), ()) for i in incidents]
        + [("action", a.date, a.id, a.kind, a.summary or " ".join(x for x in (a.actor, a.target) if x), a.caused_by) for a in actions],
        key=lambda r: (r[1] or dt.date.max, r[2]),
    )
    history = sorted(data.evaluations, key=lambda e: e.evaluated_at)
    rows = board_rows(data.evaluations, by_id)
    counts = {s: sum(1 for r in rows if r.status.value == s) for s in ("tripped", "watch", "clear")}
    template = _env().get_template("report.html.j2")
    return template.generate(
        title=data.title,
        version=__version__,
        generated_at=data.generated_at.isoformat(timespec="seconds"),
        rows=rows,
        counts=counts,
        rules=list(data.rules),
        incidents=_IncidentViews(incidents, data),
        timeline=timeline,
        redlines=list(data.redlines),
        documents=sorted(data.documents, key=lambda d: (d.published or dt.datetime.min.replace(tzinfo=dt.timezone.utc), d.id)),
        history=history,
        format_p=format_p,
    )


def render_html(data: ReportData) -> str:
    """The report as one HTML string."""
    return "".join(render_chunks(data))


def write_html_report(
    out_dir: str | Path,
    *,
    incidents: Sequence[Incident],
    results: Mapping[str, AttributionResult],
    evaluations: Sequence[Evaluation],
    actions: Sequence[Action] = (),
    redlines: Sequence[RedLineStatement] = (),
    documents: Sequence[Document] = (),
    rules: Sequence[Any] = (),
    title: str = "Tripwire red-line report",
    generated_at: dt.datetime | None = None,
    kb: KnowledgeBase,
) -> Path:
    """Render the report into ``out_dir/index.html`` (folder created) and return that path."""
    data = ReportData(
        incidents=incidents,
        results=results,
        evaluations=evaluations,
        actions=actions,
        redlines=redlines,
        documents=documents,
        rules=rules,
        title=title,
        generated_at=generated_at or dt.datetime.now(dt.timezone.utc),
        kb=kb,
    )
    out = Path(out_dir)
    path = out / "index.html"
    partial = out / ".index.html.partial"
    try:
        out.mkdir(parents=True, exist_ok=True)
        with partial.open("w", encoding="utf-8") as fh:  # streamed as rendered, then put in place whole
            fh.writelines(render_chunks(data))
        partial.replace(path)
    except BaseException as exc:  # the report already there stays as it was
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write the report into {out}: {exc.strerror or exc}") from None
        raise
    return path


__all__ = ["ach_fragment", "HypothesisRow", "IncidentView", "ReportData", "casualty_table", "incident_view", "render_chunks", "render_html", "safe_href", "write_html_report"]
