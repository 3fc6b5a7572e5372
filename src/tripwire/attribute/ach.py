"""Heuer's Analysis of Competing Hypotheses (ACH), beside the Bayesian view.

An ACH matrix lists the competing hypotheses across the top and the evidence
down the side; each cell says how consistent one item of evidence is with one
hypothesis, on Heuer's five-point scale ``CC`` (very consistent), ``C``, ``N``
(neutral / not applicable), ``I`` and ``II`` (very inconsistent). The analyst
then looks for the hypothesis with the *least* inconsistent evidence, not the
most consistent, and sets aside rows that rate every hypothesis alike (they
are non-diagnostic).

:func:`ach_matrix` derives the matrix for an incident from the same attribution
statements the Bayesian engine reads. When an :class:`~tripwire.model.AttributionResult`
is supplied, each cell comes from the engine's per-evidence log-likelihood ratio
(``log_lr > +t`` -> C, ``> +T`` -> CC, ``< -t`` -> I, ``< -T`` -> II); without one
the cells follow the rules in :func:`rate_statement`. Either way the matrix can
be shown as a rich table (:func:`render_ach`) or embedded as an HTML fragment
(:func:`ach_html`). PARC ACH ``.achz`` files read into the same
:class:`AchMatrix` (see :mod:`tripwire.attribute.parc`).
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from ..errors import InputError
from ..model import AttributionKind, AttributionResult, AttributionStatement, Hypothesis, Incident, Source
from .hypotheses import hypothesis_space

if TYPE_CHECKING:  # pragma: no cover - typing only
    from rich.table import Table

    from ..knowledge import KnowledgeBase


class Consistency(str, Enum):
    """Heuer's five consistency ratings, with a signed numeric value."""

    CC = "CC"  #: very consistent
    C = "C"  #: consistent
    N = "N"  #: neutral or not applicable
    I = "I"  #: inconsistent  # noqa: E741 - Heuer's own letter
    II = "II"  #: very inconsistent

    @property
    def value_score(self) -> int:
        """+2 (CC) .. -2 (II)."""
        return _SCORE[self._value_]  # the enum's ``value`` property is a slow descriptor; a matrix reads it per cell

    @property
    def inconsistency(self) -> int:
        """Heuer's inconsistency count: I = 1, II = 2, everything else 0."""
        return max(0, -_SCORE[self._value_])

    @classmethod
    def from_score(cls, score: float) -> "Consistency":
        """The rating for a signed score, clipped to -2..+2 and rounded."""
        s = int(max(-2, min(2, round(score))))
        return {2: cls.CC, 1: cls.C, 0: cls.N, -1: cls.I, -2: cls.II}[s]


_SCORE = {"CC": 2, "C": 1, "N": 0, "I": -1, "II": -2}

#: Credibility / relevance levels, as PARC ACH names them.
LEVELS = ("high", "medium", "low")

#: Weight of each credibility or relevance level in the weighted inconsistency
#: score. A row's weight is credibility weight x relevance weight, so two
#: "high"s double an I and two "low"s halve it. This is Tripwire's choice; see
#: docs/ach-and-calibration.md.
LEVEL_WEIGHTS: dict[str, float] = {"high": math.sqrt(2.0), "medium": 1.0, "low": 1.0 / math.sqrt(2.0)}

#: Default log-likelihood-ratio thresholds (t, T) for engine-derived cells:
#: a likelihood ratio beyond 1.5x is C/I, beyond 5x is CC/II.
DEFAULT_THRESHOLDS = (math.log(1.5), math.log(5.0))


@dataclass(frozen=True)
class AchHypothesis:
    """One column of the matrix: a short label and an optional longer description."""

    label: str
    description: str = ""


@dataclass(frozen=True)
class AchEvidence:
    """One row: an item of evidence, where it came from, how far to trust it, and its cells.

    ``cells`` has one rating per hypothesis, in the matrix's column order.
    ``kind`` is PARC's evidence type (claim, allegation, assumption, ...);
    ``credibility`` and ``relevance`` are ``high``, ``medium`` or ``low``.
    """

    label: str
    cells: tuple[Consistency, ...]
    source: str = ""
    credibility: str = "medium"
    relevance: str = "medium"
    kind: str = ""
    date: dt.date | None = None

    def __post_init__(self) -> None:
        for name in ("credibility", "relevance"):
            if getattr(self, name) not in LEVELS:
                raise InputError(f"evidence {self.label!r}: {name} must be one of {', '.join(LEVELS)}, got {getattr(self, name)!r}")

    @property
    def weight(self) -> float:
        """Credibility weight x relevance weight (see :data:`LEVEL_WEIGHTS`)."""
        return LEVEL_WEIGHTS[self.credibility] * LEVEL_WEIGHTS[self.relevance]

    @property
    def diagnosticity(self) -> int:
        """Spread of the ratings across hypotheses (0..4); 0 means the row cannot tell them apart."""
        if not self.cells:
            return 0
        scores = [c.value_score for c in self.cells]
        return max(scores) - min(scores)

    @property
    def diagnostic(self) -> bool:
        """False when every hypothesis gets the same rating."""
        return self.diagnosticity > 0


@dataclass(frozen=True)
class AchMatrix:
    """A complete ACH matrix: hypotheses (columns), evidence (rows) and the scores derived from them."""

    hypotheses: tuple[AchHypothesis, ...]
    evidence: tuple[AchEvidence, ...]
    title: str = ""
    incident_id: str | None = None
    method: str = "rules"
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        labels = [h.label for h in self.hypotheses]
        if len(set(labels)) != len(labels):
            raise InputError("ACH hypotheses must have distinct labels")
        for row in self.evidence:
            if len(row.cells) != len(self.hypotheses):
                raise InputError(f"evidence {row.label!r} has {len(row.cells)} ratings for {len(self.hypotheses)} hypotheses")

    @property
    def labels(self) -> tuple[str, ...]:
        """The hypothesis labels in column order."""
        return tuple(h.label for h in self.hypotheses)

    def inconsistency(self, *, weighted: bool = False, diagnostic_only: bool = False) -> dict[str, float]:
        """Heuer's inconsistency score per hypothesis: I counts 1, II counts 2.

        ``weighted`` multiplies each row by its credibility x relevance weight
        (PARC's *weighted* inconsistency score); ``diagnostic_only`` leaves out
        rows that rate every hypothesis alike.
        """
        totals = {h.label: 0.0 for h in self.hypotheses}
        for row in self.evidence:
            if diagnostic_only and not row.diagnostic:
                continue
            w = row.weight if weighted else 1.0
            for h, cell in zip(self.hypotheses, row.cells):
                totals[h.label] += w * cell.inconsistency
        return totals

    def consistency(self, *, weighted: bool = False) -> dict[str, float]:
        """Support per hypothesis: C counts 1, CC counts 2 (used only to break ties in :meth:`ranking`)."""
        totals = {h.label: 0.0 for h in self.hypotheses}
        for row in self.evidence:
            w = row.weight if weighted else 1.0
            for h, cell in zip(self.hypotheses, row.cells):
                totals[h.label] += w * max(0, cell.value_score)
        return totals

    def ranking(self, *, weighted: bool = True) -> list[tuple[str, float]]:
        """Hypotheses from least to most inconsistent, with their inconsistency score.

        Ties are broken by consistency (more consistent first), then by column
        order: Heuer ranks on inconsistency, but among equally unrefuted
        hypotheses the better-supported one is listed first.
        """
        scores = self.inconsistency(weighted=weighted)
        support = self.consistency(weighted=weighted)
        labels = [h.label for h in self.hypotheses]
        order = sorted(range(len(labels)), key=lambda i: (round(scores[labels[i]], 9), -round(support[labels[i]], 9), i))
        return [(self.hypotheses[i].label, scores[self.hypotheses[i].label]) for i in order]

    def non_diagnostic(self) -> tuple[str, ...]:
        """Labels of rows that rate all hypotheses alike."""
        return tuple(row.label for row in self.evidence if not row.diagnostic)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data: the matrix, both inconsistency scores and the ranking."""
        return {
            "title": self.title,
            "incident_id": self.incident_id,
            "method": self.method,
            "hypotheses": [{"label": h.label, "description": h.description} for h in self.hypotheses],
            "evidence": [
                {
                    "label": r.label,
                    "source": r.source,
                    "kind": r.kind,
                    "date": r.date.isoformat() if r.date else None,
                    "credibility": r.credibility,
                    "relevance": r.relevance,
                    "cells": {h.label: c.value for h, c in zip(self.hypotheses, r.cells)},
                    "diagnosticity": r.diagnosticity,
                }
                for r in self.evidence
            ],
            "inconsistency": self.inconsistency(),
            "weighted_inconsistency": self.inconsistency(weighted=True),
            "ranking": [label for label, _ in self.ranking()],
            "non_diagnostic": list(self.non_diagnostic()),
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------------
# Building the matrix for an incident
# ---------------------------------------------------------------------------


def ach_matrix(
    incident: Incident,
    hypotheses: Sequence[Hypothesis] | None,
    kb: "KnowledgeBase",
    *,
    result: AttributionResult | None = None,
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS,
    center: bool = True,
) -> AchMatrix:
    """The ACH matrix for ``incident`` over ``hypotheses``.

    With ``result`` (the engine's answer for this incident) the rows are the
    engine's evidence items and the cells come from their log-likelihood
    ratios; otherwise each attribution statement (and the weapon, when the
    knowledge base has a signature for it) becomes a row rated by
    :func:`rate_statement`. The engine measures log-LRs against an arbitrary
    neutral baseline, so with ``center`` (the default) each row is first
    shifted by the midpoint of its range: a cell then says how the evidence
    bears on this hypothesis *relative to the others*, and a row that treats
    all hypotheses alike stays ``N`` throughout. ``hypotheses`` defaults to the result's posterior
    hypotheses, or else to the engine's hypothesis space for the incident.
    """
    t, big_t = thresholds
    if not 0 < t < big_t:
        raise InputError(f"ACH thresholds must satisfy 0 < t < T, got {thresholds!r}")
    hyps = list(hypotheses or ())
    if not hyps and result is not None:
        hyps = [entry.hypothesis for entry in result.posterior]
    if not hyps:
        hyps = hypothesis_space(kb, incident)  # never empty: `unknown` is always there
    columns = tuple(AchHypothesis(h.key, describe_hypothesis(h, kb)) for h in hyps)
    rows: list[AchEvidence] = []
    if result is not None and result.evidence:
        for item in result.evidence:
            values = [item.log_lr.get(h.key, 0.0) for h in hyps]
            shift = (max(values) + min(values)) / 2 if center and values else 0.0
            cells = tuple(_cell_from_log_lr(v - shift, t, big_t) for v in values)
            rows.append(
                AchEvidence(
                    label=item.label,
                    cells=cells,
                    source=_source_text(item.source),
                    credibility=_credibility(item.source, kb, fallback_weight=item.weight),
                    relevance=_level_from_weight(item.weight),
                    kind=item.kind,
                )
            )
        method = "engine-log-lr"
    else:
        for statement in incident.attributions:
            rows.append(
                AchEvidence(
                    label=_statement_label(statement, kb),
                    cells=tuple(rate_statement(statement, h, kb) for h in hyps),
                    source=_source_text(statement.asserted_by),
                    credibility=_credibility(statement.asserted_by, kb),
                    relevance=_relevance(statement),
                    kind=statement.kind.value,
                )
            )
        weapon_row = _weapon_row(incident, hyps, kb, t, big_t)
        if weapon_row is not None:
            rows.append(weapon_row)
        method = "rules"
    return AchMatrix(
        hypotheses=columns,
        evidence=tuple(rows),
        title=incident.summary or incident.id,
        incident_id=incident.id,
        method=method,
    )


def _cell_from_log_lr(value: float, t: float, big_t: float) -> Consistency:
    if value > big_t:
        return Consistency.CC
    if value > t:
        return Consistency.C
    if value < -big_t:
        return Consistency.II
    if value < -t:
        return Consistency.I
    return Consistency.N


def describe_hypothesis(h: Hypothesis, kb: "KnowledgeBase") -> str:
    """Words for a hypothesis: "Kataib Hezbollah, ordered by Iran"."""
    actor = kb.actors.get(h.perpetrator)
    name = actor.name if actor else h.perpetrator
    if not h.sponsor or h.relation == "independent":
        return f"{name}, acting independently"
    sponsor = kb.actors.get(h.sponsor)
    sname = sponsor.name if sponsor else h.sponsor
    if h.relation == "executed":
        return f"{name} (the state's own forces)" if h.perpetrator == h.sponsor else f"{name}, forces of {sname}"
    return f"{name}, {h.relation} by {sname}"


def _matches(actor_id: str, perpetrator: str, kb: "KnowledgeBase") -> int:
    """2 if ``actor_id`` names ``perpetrator`` itself, 1 via a front/category/organ, 0 otherwise."""
    if actor_id == perpetrator:
        return 2
    actor = kb.actors.get(actor_id)
    if actor is None:
        return 0
    if actor.front_for == perpetrator or actor.part_of == perpetrator:
        return 2 if actor.front_for == perpetrator else 1
    if perpetrator in actor.members:
        return 1
    target = kb.actors.get(perpetrator)
    if target is not None and (target.front_for == actor_id or actor_id in target.members or target.part_of == actor_id):
        return 1
    return 0


def rate_statement(statement: AttributionStatement, h: Hypothesis, kb: "KnowledgeBase") -> Consistency:
    """How consistent one attribution statement is with one hypothesis (rule-based).

    * a claim or a hedge-free allegation/assessment naming the hypothesis'
      perpetrator is consistent (a claim by the group itself or its front:
      very consistent); naming another perpetrator makes it inconsistent,
      unless the allegation is hedged ("suspected"), which leaves the other
      hypotheses neutral;
    * a denial by the actor itself or by its sponsor is routine and neutral;
      a third party's denial is inconsistent with the hypotheses it denies;
    * a dispute ("not yet clear", "no evidence") is mildly inconsistent with
      the perpetrator disputed and neutral elsewhere;
    * a sponsor link asserted in the statement (``sponsor``/``relation``) adds
      +1 where the hypothesis has that sponsor at that level, -1 where it has
      no sponsor or a lower level than an asserted order.
    """
    match = _matches(statement.actor, h.perpetrator, kb) if statement.actor != "unknown" else 0
    hedged = bool(statement.hedges)
    kind = statement.kind
    score = 0.0
    if kind is AttributionKind.CLAIMED:
        score = 2.0 if match == 2 else (1.0 if match == 1 else -1.0)
    elif kind in (AttributionKind.ALLEGED, AttributionKind.ASSESSED):
        if statement.actor == "unknown":
            score = 0.0
        else:
            # a hedge keeps the support but drops the implied exclusion of others
            score = 1.0 if match else (0.0 if hedged else -1.0)
    elif kind is AttributionKind.DENIED:
        speaker = kb.speakers.get(statement.asserted_by.speaker_id or "")
        routine = speaker is not None and statement.actor in (*speaker.denies, *speaker.interested)
        score = -1.0 if match and not routine else 0.0
    elif kind is AttributionKind.DISPUTED:
        score = -1.0 if match and statement.actor != "unknown" else 0.0
    score += _sponsor_score(statement, h, kb)
    return Consistency.from_score(score)


def _sponsor_score(statement: AttributionStatement, h: Hypothesis, kb: "KnowledgeBase") -> float:
    if not statement.sponsor or statement.kind in (AttributionKind.DENIED, AttributionKind.DISPUTED):
        return 0.0
    if h.sponsor is None or h.relation == "independent":
        return -1.0 if statement.relation and _rank(statement.relation, kb) >= _rank("ordered", kb) else 0.0
    if h.sponsor != statement.sponsor:
        return -1.0
    if not statement.relation:
        return 0.0
    said, hyp = _rank(statement.relation, kb), _rank(h.relation, kb)
    ordered = _rank("ordered", kb)
    if said >= ordered and hyp < ordered:
        return -1.0
    if said < ordered and hyp >= ordered:
        return 0.0
    return 1.0


def _rank(level: str, kb: "KnowledgeBase") -> int:
    rel = kb.relations.get(level)
    return rel.rank if rel is not None else 0


def _weapon_row(incident: Incident, hyps: Sequence[Hypothesis], kb: "KnowledgeBase", t: float, big_t: float) -> AchEvidence | None:
    weapon = kb.weapons.get(incident.weapon or "")
    if weapon is None:
        return None
    probs = [weapon.p_given(h.perpetrator) for h in hyps]
    mean = sum(probs) / len(probs)
    cells = tuple(_cell_from_log_lr(math.log(p / mean), t, big_t) for p in probs)
    return AchEvidence(label=f"weapon: {weapon.name}", cells=cells, source="incident reporting", credibility="high", relevance="medium", kind="modus operandi")


def _statement_label(s: AttributionStatement, kb: "KnowledgeBase") -> str:
    actor = kb.actors.get(s.actor)
    name = actor.name if actor else s.actor
    who = s.asserted_by.speaker or s.asserted_by.outlet or "unattributed source"
    text = f"{who}: {s.kind.value} {name}"
    if s.sponsor:
        text += f" ({s.relation or 'linked'} by {s.sponsor})"
    if s.hedges:
        text += f" [{', '.join(s.hedges)}]"
    return text


def _source_text(source: Source | None) -> str:
    if source is None:
        return ""
    parts = [p for p in (source.speaker or source.role, source.outlet) if p]
    text = " / ".join(parts)
    if source.via:
        text += f" (via {source.via})"
    if source.anonymous:
        text = f"anonymous: {text}" if text else "anonymous"
    return text


def _credibility(source: Source | None, kb: "KnowledgeBase", *, fallback_weight: float | None = None) -> str:
    """Admiralty grade of the speaker (else the outlet): A/B high, C medium, D-F low."""
    grade = None
    if source is not None and not source.anonymous:
        speaker = kb.speakers.get(source.speaker_id or "")
        outlet = kb.outlets.get(source.outlet_id or "")
        if speaker is not None and speaker.reliability != "F":
            grade = speaker.reliability
        elif outlet is not None:
            grade = outlet.reliability
    if grade is None:
        return _level_from_weight(fallback_weight) if fallback_weight is not None else "low"
    return "high" if grade in "AB" else ("medium" if grade == "C" else "low")


def _level_from_weight(weight: float) -> str:
    return "high" if weight >= 0.75 else ("medium" if weight >= 0.4 else "low")


def _relevance(s: AttributionStatement) -> str:
    if s.kind in (AttributionKind.DENIED, AttributionKind.DISPUTED):
        return "medium"
    return "medium" if s.hedges else "high"


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

_STYLE = {"CC": "bold green", "C": "green", "N": "dim", "I": "red", "II": "bold red"}


def render_ach(matrix: AchMatrix, *, short_labels: bool | None = None) -> "Table":
    """The matrix as a rich table, with weighted inconsistency and rank in the footer.

    With more than three hypotheses (or ``short_labels=True``) the columns are
    headed H1, H2, ... so the table fits a terminal; :func:`render_ach_ranking`
    then gives the key.
    """
    from rich.table import Table
    from rich.text import Text

    short = len(matrix.hypotheses) > 3 if short_labels is None else short_labels
    table = Table(title=matrix.title or "ACH matrix", show_footer=True, caption="Heuer: prefer the hypothesis with the LEAST inconsistent evidence.")
    scores = matrix.inconsistency(weighted=True)
    ranks = {label: i + 1 for i, (label, _) in enumerate(matrix.ranking())}
    table.add_column("evidence", footer="weighted inconsistency (rank)", min_width=24, ratio=3)
    table.add_column("cred.")
    table.add_column("rel.")
    for i, h in enumerate(matrix.hypotheses):
        header = f"H{i + 1}" if short else h.label
        table.add_column(header, footer=f"{scores[h.label]:.1f} #{ranks[h.label]}", justify="center")
    table.add_column("diag.", justify="right")
    for row in matrix.evidence:
        label = Text(row.label)
        if not row.diagnostic:
            label.stylize("dim")
        cells = [Text(c.value, style=_STYLE[c.value]) for c in row.cells]
        table.add_row(label, row.credibility, row.relevance, *cells, str(row.diagnosticity) if row.diagnostic else "none")
    return table


def render_ach_ranking(matrix: AchMatrix) -> "Table":
    """The hypotheses from least to most inconsistent, with their column key (H1, ...) and scores."""
    from rich.table import Table

    column = {h.label: f"H{i + 1}" for i, h in enumerate(matrix.hypotheses)}
    described = {h.label: h.description for h in matrix.hypotheses}
    plain = matrix.inconsistency()
    table = Table(title="Hypotheses, least inconsistent first")
    for col in ("rank", "column", "hypothesis", "description", "inconsistency", "weighted"):
        table.add_column(col)
    for rank, (label, weighted) in enumerate(matrix.ranking(), start=1):
        table.add_row(str(rank), column[label], label, described[label], f"{plain[label]:g}", f"{weighted:.2f}")
    return table


_COLOURS = {"CC": "#1b7f3b", "C": "#5fae6e", "N": "#999999", "I": "#d9534f", "II": "#a01818"}
#: each rating's cell, made once (a report writes one per hypothesis and evidence row of every incident)
_CELL_HTML = {c: f'<td style="text-align:center;color:#fff;background:{_COLOURS[c.value]}">{html.escape(c.value)}</td>' for c in Consistency}


def ach_html(matrix: AchMatrix) -> str:
    """The matrix as a self-contained HTML fragment (a ``<table>`` with inline styles), fully escaped."""
    esc = html.escape
    scores = matrix.inconsistency(weighted=True)
    ranks = {label: i + 1 for i, (label, _) in enumerate(matrix.ranking())}
    out = ['<table class="tripwire-ach" style="border-collapse:collapse;font-family:sans-serif;font-size:13px">']
    if matrix.title:
        out.append(f"<caption>{esc(matrix.title)}</caption>")
    out.append("<thead><tr><th>evidence</th><th>source</th><th>credibility</th><th>relevance</th>")
    for h in matrix.hypotheses:
        out.append(f'<th title="{esc(h.description, quote=True)}">{esc(h.label)}</th>')
    out.append("<th>diagnosticity</th></tr></thead><tbody>")
    for row in matrix.evidence:
        style = ' style="opacity:0.55"' if not row.diagnostic else ""
        out.append(f'<tr{style}><td>{esc(row.label)}</td><td>{esc(row.source)}</td><td>{esc(row.credibility)}</td><td>{esc(row.relevance)}</td>')
        out.extend(_CELL_HTML[cell] for cell in row.cells)
        out.append(f"<td>{row.diagnosticity if row.diagnostic else 'none'}</td></tr>")
    out.append('</tbody><tfoot><tr><th colspan="4">weighted inconsistency (rank)</th>')
    for h in matrix.hypotheses:
        out.append(f"<td>{scores[h.label]:.2f} (#{ranks[h.label]})</td>")
    out.append("<td></td></tr></tfoot></table>")
    return "".join(out)

