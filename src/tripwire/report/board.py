"""The red-line board: rule x incident, status in colour, P with its ICD 203 words and confidence, threshold and evidence.

:func:`render_board` builds a rich :class:`~rich.table.Table` for the terminal;
:func:`board_rows` gives the same rows as plain data for the HTML report and
JSON output, so all three agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text

from ..icd203 import icd203_phrase, judgement
from ..model import Evaluation, Incident, RedLineStatus

STATUS_STYLE = {RedLineStatus.TRIPPED: "bold white on red", RedLineStatus.WATCH: "bold black on yellow", RedLineStatus.CLEAR: "green"}


def latest(evaluations: Iterable[Evaluation]) -> list[Evaluation]:
    """The newest evaluation per (rule, incident), keeping first-seen order of the pairs."""
    newest: dict[tuple[str, str], Evaluation] = {}
    for ev in evaluations:
        key = (ev.rule_id, ev.incident_id)
        if key not in newest or ev.evaluated_at >= newest[key].evaluated_at:
            newest[key] = ev
    return list(newest.values())


def format_p(ev: Evaluation) -> str:
    """``0.28 [0.12, 0.45]`` -- probability and interval when there is one."""
    text = f"{ev.probability:.2f}"
    if ev.interval is not None:
        text += f" [{ev.interval[0]:.2f}, {ev.interval[1]:.2f}]"
    return text


def incident_label(incident: Incident | None, incident_id: str) -> str:
    """``id`` plus date and place when known."""
    if incident is None:
        return incident_id
    bits = [b for b in (incident.date.isoformat() if incident.date else None, incident.place.name if incident.place else None) if b]
    return incident_id + (f" ({', '.join(bits)})" if bits else "")


@dataclass(frozen=True)
class BoardRow:
    """One line of the board as plain values."""

    rule_id: str
    incident_id: str
    incident: str
    status: RedLineStatus
    previous_status: RedLineStatus | None
    probability: float
    interval: tuple[float, float] | None
    p_text: str
    words: str
    #: ICD 203 analytic confidence (None: stored before it was assessed)
    confidence: str | None
    #: words and confidence together: ``likely (moderate confidence)``
    judgement: str
    standard: str
    threshold: float
    evidence: tuple[str, ...]
    components: Mapping[str, float]
    evaluated_at: str


def board_rows(evaluations: Sequence[Evaluation], incidents: Mapping[str, Incident]) -> list[BoardRow]:
    """Rows for the newest evaluation of each pair, by rule, then most severe and most probable first."""
    rows = [
        BoardRow(
            rule_id=ev.rule_id,
            incident_id=ev.incident_id,
            incident=incident_label(incidents.get(ev.incident_id), ev.incident_id),
            status=ev.status,
            previous_status=ev.previous_status,
            probability=ev.probability,
            interval=ev.interval,
            p_text=format_p(ev),
            words=icd203_phrase(ev.probability),
            confidence=ev.confidence.value if ev.confidence else None,
            judgement=judgement(ev.probability, ev.confidence),
            standard=ev.standard,
            threshold=ev.threshold,
            evidence=ev.evidence,
            components=dict(ev.components),
            evaluated_at=ev.evaluated_at.isoformat(timespec="seconds"),
        )
        for ev in latest(evaluations)
    ]
    rows.sort(key=lambda r: (r.rule_id, r.status.rank, -r.probability, r.incident_id))
    return rows


def render_board(
    evaluations: Sequence[Evaluation],
    incidents: Mapping[str, Incident],
    *,
    titles: Mapping[str, str] | None = None,
    wide: bool = False,
    width: int = 80,
    evidence_items: int = 3,
    empty_hint: str = "No evaluations yet: run `tripwire check`.",
) -> Table:
    """The board as a rich table: one line per rule and incident, most serious first.

    The compact board (the default) fits an 80-column terminal: status, P,
    the rule's title (``titles``: rule id -> title; else the id) and the
    incident's id (to pass to ``tripwire explain``), in ``width`` columns. ``wide``
    gives the full table by rule, with interval, ICD 203 words, standard and
    evidence. ``empty_hint`` is the caption when there is nothing to show.
    """
    rows = board_rows(evaluations, incidents)
    if wide:
        table = _wide_board(rows, evidence_items)
    else:
        table = Table(title="Red-line board", expand=False, box=None, pad_edge=False, header_style="bold")
        # the ids stay whole (they are typed into `tripwire explain`); the titles take what is left of ``width``
        id_width = max([len("Incident"), *(len(r.incident_id) for r in rows)])
        title_width = max(12, min(48, width - 9 - 4 - id_width - 6))
        table.add_column("Status", no_wrap=True, width=9)
        table.add_column("P", justify="right", no_wrap=True, width=4)
        table.add_column("Red line", no_wrap=True, overflow="ellipsis", width=title_width)
        table.add_column("Incident", overflow="fold", width=max(8, min(id_width, width - 9 - 4 - title_width - 6)))
        names = titles or {}
        rows.sort(key=lambda r: (r.status.rank, -r.probability, r.rule_id, r.incident_id))
        for row in rows:
            table.add_row(Text(f" {row.status.value.upper()} ", style=STATUS_STYLE[row.status]), Text(f"{row.probability:.2f}"),
                          Text(names.get(row.rule_id) or row.rule_id), Text(row.incident_id))
        if rows:
            table.caption = "Evidence: tripwire explain RULE INCIDENT (rule ids: tripwire rules), or --wide"
    if not table.rows:
        table.caption = empty_hint
    return table


def _wide_board(rows: list[BoardRow], evidence_items: int) -> Table:
    table = Table(title="Red-line board", show_lines=True, expand=True)
    # Evidence is the long free text: it takes the width the short columns leave.
    table.add_column("Rule", style="bold", overflow="fold", ratio=2)
    table.add_column("Incident", overflow="fold", ratio=2)
    table.add_column("Status", justify="center", no_wrap=True)
    table.add_column("P [interval]", justify="right", no_wrap=True)
    table.add_column("ICD 203 (confidence)", overflow="fold")
    table.add_column("Standard", overflow="fold")
    table.add_column("Evidence", overflow="fold", ratio=4)
    for row in rows:
        status = Text(f" {row.status.value.upper()} ", style=STATUS_STYLE[row.status])
        evidence = "\n".join(f"- {e}" for e in row.evidence[:evidence_items]) or "-"
        cells = (row.rule_id, row.incident, row.p_text, row.judgement, f"{row.standard} (>= {row.threshold:.2f})", evidence)
        rule, inc, p, words, std, ev = (Text(c) for c in cells)  # plain text: no rich markup from data
        table.add_row(rule, inc, status, p, words, std, ev)
    return table


def explain_row(row: BoardRow, *, title: str | None = None) -> list[str]:
    """The lines ``tripwire explain`` prints for one board row: the verdict, its standard, components and every evidence item."""
    lines = [
        f"{title or row.rule_id} [{row.rule_id}]",
        f"incident: {row.incident}",
        f"status: {row.status.value.upper()}" + (f" (was {row.previous_status.value})" if row.previous_status else ""),
        f"P = {row.p_text}: {row.judgement}",
        f"standard: {row.standard} (>= {row.threshold:.2f})",
        f"evaluated at: {row.evaluated_at}",
    ]
    if row.components:
        lines.append("components:")
        lines += [f"  {name}: {value:.3f}" for name, value in sorted(row.components.items())]
    lines.append("evidence:")
    lines += [f"  - {e}" for e in row.evidence] or ["  (none)"]
    return lines


__all__ = ["BoardRow", "board_rows", "explain_row", "format_p", "incident_label", "latest", "render_board"]
