"""Sensitivity and value of information for one target proposition.

Given a target (a predicate over hypotheses, e.g. "Iran ordered or executed
it") and a threshold, :func:`analyse` reports

* which single evidence item flips P(target) across the threshold when it is
  removed or inverted (its log-LR negated: the same strength pointing the
  other way);
* which prior setting flips it (a perpetrator's base rate or a relation
  level's weight scaled by the smallest factor in 1/20..20 that does);
* which speaker setting flips it (a source's reliability set to another
  Admiralty grade, or a label rate set to 0, 0.5 or 0.95);
* the most valuable question to ask next: the unobserved evidence with the
  largest expected information gain (bits) about the target.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import AttributionError
from ..knowledge import ADMIRALTY_RELIABILITY
from ..model import Action, AttributionKind, Hypothesis, Incident
from .evidence import Params
from ..knowledge.priors import incident_priors
from .hypotheses import UNKNOWN, prior_vector
from .observations import match_weapon
from .uncertainty import posterior

SCALES = tuple(float(x) for x in np.exp(np.linspace(-math.log(20), math.log(20), 61)))
LABEL_VALUES = (0.0, 0.5, 0.95)


@dataclass(frozen=True)
class Change:
    """One what-if: a change to the evidence, prior or a speaker setting, and P(target) after it."""

    setting: str  #: "evidence", "prior" or "speaker"
    change: str
    probability: float
    flips: bool


@dataclass(frozen=True)
class Question:
    """An unobserved piece of evidence, phrased as a question, with its expected information gain (bits)."""

    label: str
    question: str
    expected_information_gain: float
    outcomes: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class SensitivityReport:
    """What flips P(target) across the threshold, and what to ask next."""

    incident_id: str
    target_probability: float
    threshold: float
    changes: tuple[Change, ...]
    questions: tuple[Question, ...]

    @property
    def above(self) -> bool:
        """Whether P(target) is at or above the threshold now."""
        return self.target_probability >= self.threshold

    @property
    def flips(self) -> tuple[Change, ...]:
        """The changes that move P(target) across the threshold."""
        return tuple(c for c in self.changes if c.flips)

    @property
    def next_question(self) -> Question | None:
        """The question with the largest expected information gain."""
        return self.questions[0] if self.questions else None


def _entropy(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def expected_information_gain(post: np.ndarray, mask: np.ndarray, likelihood: np.ndarray) -> tuple[float, np.ndarray]:
    """EIG (bits) about the binary target from observing one of O outcomes; likelihood has shape (O, H)."""
    joint = likelihood * post[None, :]
    p_o = joint.sum(axis=1)
    keep = p_o > 1e-15
    p_t_given_o = (joint[keep] * mask[None, :]).sum(axis=1) / p_o[keep]
    prior_t = float((post * mask).sum())
    gain = float(_entropy(np.array(prior_t)) - (p_o[keep] * _entropy(p_t_given_o)).sum())
    return max(0.0, gain), p_o


def _questions(att, c, post: np.ndarray, mask: np.ndarray) -> list[Question]:
    kb, space = att.kb, c.space
    perps = [p for p in dict.fromkeys(h.perpetrator for h in space) if p != UNKNOWN]
    hp = np.array([h.perpetrator for h in space])
    kinds = {st.kind for st in c.incident.attributions}
    speakers = {st.asserted_by.speaker_id for st in c.incident.attributions}
    out: list[Question] = []

    def add(label: str, question: str, names: list[str], lik: np.ndarray) -> None:
        gain, p_o = expected_information_gain(post, mask, lik)
        out.append(Question(label, question, gain, tuple((n, float(p)) for n, p in zip(names, p_o))))

    if AttributionKind.CLAIMED not in kinds and perps:
        rows = []
        for p in perps:
            pt, pf = att.tables.claim_rates(p)
            rows.append(np.where(hp == p, pt, pf))
        lik = np.vstack(rows + [np.clip(1 - np.sum(rows, axis=0), 0, 1)])
        add("a claim of responsibility", "Has any group (or a front for one) claimed the attack, and which?",
            [f"claim by {p}" for p in perps] + ["no claim"], lik)
    w = match_weapon(kb, c.incident)
    if w is None or w.id == "rocket":
        cands = [x for x in kb.weapons.values() if x.id != "rocket" and (w is None or x.attack_type == w.attack_type)]
        if cands:
            lik = np.array([[x.p_given(h.perpetrator) for h in space] for x in cands])
            lik = lik / lik.sum(axis=0, keepdims=True)
            add("forensics on the weapon", "What do forensics say the weapon was (e.g. the rocket type and launch site)?",
                [x.name for x in cands], lik)
    if "iraqi-intelligence" not in speakers and "iraqi-intelligence" in kb.speakers and perps:
        r = ADMIRALTY_RELIABILITY[kb.speakers["iraqi-intelligence"].reliability]
        k = len(perps) + 1
        rows = [r * (hp == p) + (1 - r) / k for p in perps] + [r * (hp == UNKNOWN) + (1 - r) / k]
        add("an Iraqi intelligence assessment", "What does Iraqi intelligence assess about who carried out the attack?",
            [f"names {p}" for p in perps] + ["no clear view"], np.vstack(rows))
    sponsors = sorted({h.sponsor for h in space if h.sponsor})
    r = ADMIRALTY_RELIABILITY["B"]
    ordered = kb.relation_rank("ordered")
    for s in sponsors:
        yes = np.array([h.sponsor == s and kb.relation_rank(h.relation) >= ordered for h in space])
        lik = np.vstack([np.where(yes, r, 1 - r), np.where(yes, 1 - r, r)])
        add(f"evidence of instructions from {s}", f"Is there credible evidence (e.g. intercepted orders) that {kb.actors[s].name} "
            f"instructed the attack?", ["yes", "no"], lik)
    return sorted(out, key=lambda q: (-q.expected_information_gain, q.label))


def analyse(att, incident: Incident, *, target: Callable[[Hypothesis], bool], threshold: float,
            context: Sequence[Incident | Action] = (), rng: np.random.Generator | int | None = None) -> SensitivityReport:
    """See the module docstring. ``rng`` is accepted for interface symmetry; the analysis is deterministic."""
    if not 0.0 <= threshold <= 1.0:
        raise AttributionError(f"threshold must be in [0, 1], got {threshold!r}")
    c = att.compile(incident, context=context)
    mask = np.array([1.0 if target(h) else 0.0 for h in c.space])
    L = c.log_lr_matrix()
    total = L.sum(axis=0)
    log_prior = np.log(c.prior)
    p0 = float((posterior(log_prior, total) * mask).sum())
    above = p0 >= threshold
    changes: list[Change] = []

    def p_of(tot: np.ndarray, lp: np.ndarray = log_prior) -> float:
        return float((posterior(lp, tot) * mask).sum())

    def record(setting: str, change: str, p: float) -> None:
        changes.append(Change(setting, change, p, (p >= threshold) != above))

    for i, item in enumerate(c.items):
        record("evidence", f"remove '{item.label}'", p_of(total - L[i]))
        record("evidence", f"invert '{item.label}'", p_of(total - 2 * L[i]))
    base = incident_priors(att.kb, incident)[0]
    for dim, keys in (("perpetrator", list(dict.fromkeys(h.perpetrator for h in c.space))),
                      ("relation", list(dict.fromkeys(h.relation for h in c.space)))):
        for key in keys:
            best: tuple[float, float] | None = None
            for f in sorted(SCALES, key=lambda s: (abs(math.log(s)), s)):
                kw = {"perpetrator_scale": {key: f}} if dim == "perpetrator" else {"relation_scale": {key: f}}
                pr = prior_vector(att.kb, c.space, att.tables, incident, **kw)
                p = p_of(total, np.log(pr))
                if (p >= threshold) != above:
                    best = (f, p)
                    break
            if best is not None:
                what = f"base rate of {key} ({base.get(key, 'unlisted')})" if dim == "perpetrator" else f"prior weight of relation '{key}'"
                record("prior", f"scale the {what} by x{best[0]:.3g}", best[1])
    for key, r in sorted(c.point.reliability.items()):
        for grade, value in ADMIRALTY_RELIABILITY.items():
            if abs(value - r) < 1e-9:
                continue
            params = Params({**c.point.reliability, key: value}, c.point.label_rate)
            record("speaker", f"treat {key} as grade {grade} (reliability {value:g} instead of {r:.2f})", p_of(c.log_lr_matrix(params).sum(axis=0)))
    for key, lam in sorted(c.point.label_rate.items()):
        for value in LABEL_VALUES:
            if abs(value - lam) < 1e-9:
                continue
            params = Params(c.point.reliability, {**c.point.label_rate, key: value})
            record("speaker", f"set {key} label rate to {value:g} (instead of {lam:g})", p_of(c.log_lr_matrix(params).sum(axis=0)))
    changes.sort(key=lambda ch: (not ch.flips, -abs(ch.probability - p0), ch.change))
    post = posterior(log_prior, total)
    return SensitivityReport(incident.id, p0, threshold, tuple(changes), tuple(_questions(att, c, post, mask)))
