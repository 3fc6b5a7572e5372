"""Checking red-line rules against incidents and their attribution results.

For each rule and incident, :func:`check` computes P(condition met) from the
condition tree:

* **casualty** leaf -- the reported casualties that match status, nationality,
  category add up to ``min_count`` or more: P = the rule's
  ``reporting_confidence`` (default 0.95; a reported fact is near-certain but
  not certain), or ``approximate_confidence`` (0.85) when the count is only
  reached with figures the text itself hedges; otherwise 0.
* **attribution** leaf -- the posterior mass of the hypotheses the leaf
  accepts (see :class:`~tripwire.redlines.conditions.AttributionCondition`);
  0 when the incident has no attribution result.
* **place**, **date**, **weapon** leaves -- 1 or 0 (0 when the incident does
  not say).
* ``all`` multiplies (components are treated as independent), ``any`` is
  ``1 - prod(1 - p)``, ``not`` is ``1 - p``.

When the attribution result carries credible intervals, the interval of each
attribution leaf (approximated from the per-hypothesis intervals, see
:func:`attribution_value`) is carried through the tree by interval
arithmetic -- ``all`` multiplies bounds, ``any`` combines them like
probabilities, ``not`` swaps and complements them; other leaves are points.

Confidence: every leaf that rests on reporting contributes a
:class:`~tripwire.model.ConfidenceBasis` -- an attribution leaf its result's
basis, a casualty leaf the sources of the figures (:func:`casualty_basis`) --
and the evaluation's basis is the weakest combination (:func:`combine_bases`):
fewest origins, lowest best reliability, all dissent added up. With the
evaluation's interval it gives the ICD 203 analytic confidence. An attribution
result stored before confidence was assessed (no ``basis``) leaves the
evaluation's confidence unassessed (None) rather than guessed.

Status: **tripped** if P >= threshold; **watch** if P >= watch_fraction x
threshold, or if the rest of the condition is met -- P with every
attribution leaf set to 1 reaches the threshold -- and P itself reaches the
rule's ``watch_floor`` (default 0.10): attribution is then the only open
question; otherwise **clear**.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..icd203 import icd203_phrase
from ..model import AttributionResult, Casualty, CasualtyReport, ConfidenceBasis, Evaluation, Incident, RedLineStatus, tally
from ..settings import Settings
from .conditions import (
    AllOf,
    AnyOf,
    AttributionCondition,
    CasualtyCondition,
    Condition,
    DateCondition,
    NotOf,
    PlaceCondition,
    WeaponCondition,
)
from .rules import RedLineRule

#: How many evidence items from the attribution explanation each evaluation quotes.
TOP_EVIDENCE = 3


@dataclass(frozen=True)
class Value:
    """A node's probability ``p`` with bounds ``[lo, hi]`` and ``p`` if attribution were certain."""

    p: float
    lo: float
    hi: float
    if_attributed: float


@dataclass
class _Trace:
    components: dict[str, float] = field(default_factory=dict)
    attribution_evidence: list[tuple[float, str]] = field(default_factory=list)
    #: (probability of the leaf, fact sentence): leaves at 0 explain a clear status best
    facts: list[tuple[float, str]] = field(default_factory=list)
    has_attribution: bool = False
    has_interval: bool = False
    bases: list[ConfidenceBasis] = field(default_factory=list)
    #: an attribution result stored before confidence was assessed: the evaluation's confidence is not assessed either
    unassessed: bool = False

    def name(self, base: str) -> str:
        if base not in self.components:
            return base
        i = 2
        while f"{base}#{i}" in self.components:
            i += 1
        return f"{base}#{i}"


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def _fmt_casualty(c: Casualty) -> str:
    who = ", ".join(x for x in (c.nationality or "nationality unknown", c.category) if x)
    approx = " (approximate)" if c.approximate else ""
    return f"{c.count} {c.status} ({who}){approx}"


def _report_verdict(cond: CasualtyCondition, report: CasualtyReport) -> bool | None:
    """Whether one document's figures meet a casualty leaf (True), contradict it (False) or say nothing (None)."""
    statuses = ("killed", "injured") if cond.status == "any" else (cond.status,)
    rows = [c for c in report.casualties if c.status in statuses and (cond.category is None or c.category in cond.category or c.category is None)]
    if cond.nationality is None:
        n = sum(tally(rows, st) for st in statuses)
    else:
        n = sum(tally(rows, st, cond.nationality) for st in statuses)
    if n >= cond.min_count:
        return True
    if cond.nationality is not None:
        mine = [c for c in rows if c.nationality == cond.nationality]
        others = [c for c in rows if c.nationality not in (None, cond.nationality) and c.count > 0]
        if any(c.count == 0 for c in mine) or (others and not mine):
            return False  # "no Americans were hurt", or the victims it names are of other nationalities
    if rows and all(c.count == 0 for c in rows):
        return False  # "no casualties"
    return None


def casualty_probability(cond: CasualtyCondition, incident: Incident, rule: RedLineRule) -> tuple[float, str]:
    """P(casualty leaf met) and the fact sentence that explains it.

    When the merged figures meet the leaf, each document's own figures
    (``incident.casualty_reports``) are weighed: P is the reporting confidence
    times the reliability-weighted share of the reports that address the
    leaf and support it, so one report of an American killed against three
    that name other victims does not make the death certain.
    """
    matched = [
        c
        for c in incident.casualties
        if (cond.status == "any" or c.status == cond.status)
        and (cond.nationality is None or (c.nationality or "").upper() == cond.nationality)
        and (cond.category is None or c.category in cond.category)
    ]
    total = sum(c.count for c in matched)
    firm = sum(c.count for c in matched if not c.approximate)
    if total >= cond.min_count:
        p = rule.reporting_confidence if firm >= cond.min_count else min(rule.approximate_confidence, rule.reporting_confidence)
        fact = "reported: " + "; ".join(_fmt_casualty(c) for c in matched)
        verdicts = [(r, _report_verdict(cond, r)) for r in incident.casualty_reports]
        support = sum(r.reliability for r, v in verdicts if v is True)
        against = sum(r.reliability for r, v in verdicts if v is False)
        if against > 0 and support + against > 0:
            share = support / (support + against)
            p *= share
            names = lambda want: ", ".join(_who(r) for r, v in verdicts if v is want) or "none"  # noqa: E731
            fact += f"; sources conflict: supported by {names(True)}, contradicted by {names(False)} (reliability-weighted share {share:.2f})"
        return p, fact
    reported = "; ".join(_fmt_casualty(c) for c in incident.casualties) or "no casualties reported"
    return 0.0, f"no reported casualty meets {cond.describe()} (reported: {reported})"


def casualty_basis(cond: CasualtyCondition, incident: Incident, met: bool) -> ConfidenceBasis:
    """The sources behind a casualty leaf: who reports figures meeting it (``met``) or that it is not met, and who contradicts.

    Each document's report counts once per outlet (or speaker); an incident
    without per-document reports (imported datasets, hand-built incidents)
    counts its documents as origins, with no graded source.
    """
    verdicts = [(r, _report_verdict(cond, r)) for r in incident.casualty_reports]
    if not verdicts:
        return ConfidenceBasis(origins=len(set(incident.documents)))
    backing = [r for r, v in verdicts if v is True] if met else [r for r, _v in verdicts]
    against = {_who(r) for r, v in verdicts if v is False} if met else set()
    best = max((r.reliability for r in backing), default=None)
    return ConfidenceBasis(origins=len({_who(r) for r in backing}), best_reliability=best, dissent=len(against))


def combine_bases(bases: Sequence[ConfidenceBasis], incident: Incident) -> ConfidenceBasis:
    """The weakest combination of the leaves' bases (no leaf rests on reporting: the incident's documents, ungraded)."""
    if not bases:
        return ConfidenceBasis(origins=len(set(incident.documents)))
    rels = [b.best_reliability for b in bases]
    return ConfidenceBasis(
        origins=min(b.origins for b in bases),
        best_reliability=None if any(r is None for r in rels) else min(r for r in rels if r is not None),
        dissent=sum(b.dissent for b in bases),
    )


def _who(report: CasualtyReport) -> str:
    src = report.source
    return src.outlet or src.speaker or f"document {report.document_id[:8]}"


def _matching_keys(cond: AttributionCondition, result: AttributionResult) -> set[str]:
    return {e.hypothesis.key for e in result.posterior if cond.matches(e.hypothesis.perpetrator, e.hypothesis.sponsor, e.hypothesis.relation)}


def attribution_value(cond: AttributionCondition, result: AttributionResult | None) -> tuple[float, float, float, bool]:
    """(P, lower, upper, has_interval) of an attribution leaf from a result.

    The bounds of a sum of posterior masses are approximated from the
    per-hypothesis intervals two ways -- the sum of the matching hypotheses'
    bounds, and one minus the sum of the other hypotheses' bounds (the
    posterior sums to one) -- and the tighter of each is kept.
    """
    if result is None:
        return 0.0, 0.0, 0.0, False
    p = lo = hi = 0.0
    lo_other = hi_other = 0.0
    has_interval = False
    for entry in result.posterior:
        h = entry.hypothesis
        e_lo, e_hi = entry.interval if entry.interval is not None else (entry.probability, entry.probability)
        has_interval = has_interval or entry.interval is not None
        if cond.matches(h.perpetrator, h.sponsor, h.relation):
            p += entry.probability
            lo += e_lo
            hi += e_hi
        else:
            lo_other += e_lo
            hi_other += e_hi
    p = _clip(p)
    lo = max(_clip(lo), _clip(1.0 - hi_other))
    hi = min(_clip(hi), _clip(1.0 - lo_other))
    return p, min(lo, p), max(hi, p), has_interval


def evidence_toward(cond: AttributionCondition, result: AttributionResult, target: set[str] | None = None) -> list[tuple[float, str]]:
    """Evidence items scored by their mean log-LR for the accepted hypotheses minus that for the rest."""
    target = _matching_keys(cond, result) if target is None else target
    if not target:  # nothing to move toward: no hypothesis of the engine's space matches
        return []
    others = {e.hypothesis.key for e in result.posterior} - target
    scored = []
    for ev in result.evidence:
        t = [ev.log_lr.get(k, 0.0) for k in target] or [0.0]
        o = [ev.log_lr.get(k, 0.0) for k in others] or [0.0]
        contrast = sum(t) / len(t) - sum(o) / len(o)
        if abs(contrast) < 1e-9:
            continue
        direction = "toward" if contrast > 0 else "against"
        scored.append((abs(contrast), f"{ev.label} (log LR {contrast:+.2f} {direction} {cond.describe()})"))
    return scored


def _leaf(cond: Condition, incident: Incident, result: AttributionResult | None, rule: RedLineRule, trace: _Trace) -> Value:
    if isinstance(cond, CasualtyCondition):
        p, fact = casualty_probability(cond, incident, rule)
        trace.components[trace.name("casualties")] = p
        trace.facts.append((p, fact))
        trace.bases.append(casualty_basis(cond, incident, p > 0))
        return Value(p, p, p, p)
    if isinstance(cond, AttributionCondition):
        p, lo, hi, has_interval = attribution_value(cond, result)
        trace.components[trace.name("attribution")] = p
        trace.has_attribution = True
        trace.has_interval = trace.has_interval or has_interval
        if result is not None and result.basis is None:
            trace.unassessed = True
        else:  # no result at all: no evidence of who, so nothing to be confident in
            trace.bases.append(result.basis if result is not None and result.basis is not None else ConfidenceBasis(origins=0))
        if result is None:
            trace.facts.append((0.0, f"no attribution result for incident {incident.id}"))
        elif not (target := _matching_keys(cond, result)):
            trace.facts.append((0.0, f"no attribution hypothesis for this incident matches {cond.describe()}"))
        else:
            trace.attribution_evidence.extend(evidence_toward(cond, result, target))
        return Value(p, lo, hi, 1.0)
    if isinstance(cond, PlaceCondition):
        place = incident.place
        ok = place is not None and cond.matches(place.country, place.gazetteer_id)
        where = "place unknown" if place is None else f"place: {place.name} ({place.country or '?'})"
        p = 1.0 if ok else 0.0
        trace.facts.append((p, where))
        trace.components[trace.name("place")] = p
        return Value(p, p, p, p)
    if isinstance(cond, DateCondition):
        d = incident.date
        ok = d is not None and (cond.from_ is None or d >= cond.from_) and (cond.to is None or d <= cond.to)
        p = 1.0 if ok else 0.0
        trace.facts.append((p, "date unknown" if d is None else f"date: {d.isoformat()}"))
        trace.components[trace.name("date")] = p
        return Value(p, p, p, p)
    if isinstance(cond, WeaponCondition):
        ok = cond.matches(incident.weapon, incident.attack_type)
        p = 1.0 if ok else 0.0
        trace.facts.append((p, f"weapon: {incident.weapon or 'unknown'}"))
        trace.components[trace.name("weapon")] = p
        return Value(p, p, p, p)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover - the loader builds only known types


def evaluate_condition(cond: Condition, incident: Incident, result: AttributionResult | None, rule: RedLineRule, trace: _Trace | None = None) -> Value:
    """P(condition) for one incident, with interval, by the combination rules above."""
    trace = trace if trace is not None else _Trace()
    if isinstance(cond, AllOf):
        vals = [evaluate_condition(c, incident, result, rule, trace) for c in cond.all]
        out = [1.0, 1.0, 1.0, 1.0]
        for v in vals:
            out = [out[0] * v.p, out[1] * v.lo, out[2] * v.hi, out[3] * v.if_attributed]
        return Value(*out)
    if isinstance(cond, AnyOf):
        vals = [evaluate_condition(c, incident, result, rule, trace) for c in cond.any]
        miss = [1.0, 1.0, 1.0, 1.0]
        for v in vals:
            miss = [miss[0] * (1 - v.p), miss[1] * (1 - v.lo), miss[2] * (1 - v.hi), miss[3] * (1 - v.if_attributed)]
        return Value(*(1 - m for m in miss))
    if isinstance(cond, NotOf):
        v = evaluate_condition(cond.not_, incident, result, rule, trace)
        return Value(1 - v.p, 1 - v.hi, 1 - v.lo, 1 - v.if_attributed)
    return _leaf(cond, incident, result, rule, trace)


def status_for(p: float, value: Value, rule: RedLineRule, *, watch_fraction: float, has_attribution: bool) -> RedLineStatus:
    """Tripped / watch / clear by the rules in this module's docstring."""
    if p >= rule.threshold:
        return RedLineStatus.TRIPPED
    if p >= watch_fraction * rule.threshold:
        return RedLineStatus.WATCH
    if has_attribution and value.if_attributed >= rule.threshold and p >= rule.watch_floor and p > 0:
        return RedLineStatus.WATCH
    return RedLineStatus.CLEAR


def evaluate(rule: RedLineRule, incident: Incident, result: AttributionResult | None, *, now: dt.datetime, watch_fraction: float) -> Evaluation:
    """One rule against one incident: an :class:`~tripwire.model.Evaluation` that explains itself.

    ``evidence`` lists, in order: the facts that failed a leaf outright (why a
    line is clear), the attribution evidence that moved P(attribution leaf)
    most (largest mean log-LR contrast, at most :data:`TOP_EVIDENCE`), then
    the facts that met their leaves (the casualties counted, place, date).
    """
    trace = _Trace()
    value = evaluate_condition(rule.condition, incident, result, rule, trace)
    p = _clip(value.p)
    fraction = rule.watch_fraction if rule.watch_fraction is not None else watch_fraction
    status = status_for(p, value, rule, watch_fraction=fraction, has_attribution=trace.has_attribution)
    interval = (round(_clip(value.lo), 6), round(_clip(value.hi), 6)) if trace.has_interval else None
    top = sorted(trace.attribution_evidence, key=lambda x: -x[0])
    seen: set[str] = set()
    labels: list[str] = []
    for _score, label in top:
        if label not in seen and len(labels) < TOP_EVIDENCE:
            seen.add(label)
            labels.append(label)
    basis = None if trace.unassessed else combine_bases(trace.bases, incident)
    return Evaluation(
        rule_id=rule.id,
        incident_id=incident.id,
        probability=p,
        interval=interval,
        standard=rule.standard,
        threshold=rule.threshold,
        status=status,
        words=icd203_phrase(p),
        components=dict(trace.components),
        evidence=tuple([f for q, f in trace.facts if q == 0.0] + labels + [f for q, f in trace.facts if q > 0.0]),
        evaluated_at=now,
        confidence=basis.confidence(interval) if basis is not None else None,
        basis=basis,
    )


def check(
    rules: Iterable[RedLineRule],
    incidents: Sequence[Incident],
    results: Mapping[str, AttributionResult],
    *,
    now: dt.datetime,
    settings: Settings | None = None,
) -> list[Evaluation]:
    """Every rule against every incident, rule-major order; ``results`` maps incident id to its attribution."""
    settings = settings or Settings()
    fraction = float(settings.watch_fraction)
    return [evaluate(rule, inc, results.get(inc.id), now=now, watch_fraction=fraction) for rule in rules for inc in incidents]


__all__ = ["TOP_EVIDENCE", "Value", "attribution_value", "casualty_basis", "casualty_probability", "check", "combine_bases", "evaluate", "evaluate_condition", "evidence_toward", "status_for"]
