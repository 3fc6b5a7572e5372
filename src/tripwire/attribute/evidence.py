"""Evidence kinds and their likelihood models.

Every evidence item is one or more :class:`Factor` objects. A factor sorts
the hypotheses into categories (``0`` = the reference, e.g. "the statement is
false of this hypothesis") and gives P(observation | category). The item's
log-likelihood ratio for hypothesis *h* is
``log P(obs | category(h)) - log P(obs | category 0)``, summed over its
factors, so hypotheses the item says nothing about get exactly 0.

Factor models (``Factor.model``):

``report``
    A statement S by a fallible, possibly biased source:
    ``P(S | true) = lam + (1-lam) r``, ``P(S | false) = lam + (1-lam)(1-r)``
    with reliability *r* and label rate *lam* (:func:`sources.report_probabilities`).
``fixed``
    Constant rates from ``evidence.yaml`` (claims, denials, disputes); when a
    reliability key is set the force is further scaled by ``max(0, 2r-1)``.
``comparative``
    "X more likely than Y": ``P = r`` under X, ``1-r`` under Y, 1/2 otherwise.
``table``
    Per-hypothesis probabilities (weapon signatures).
``loglr``
    Per-hypothesis log-likelihood ratios computed from context (timing, pattern).

Every model's force is shrunk by the discount *d* in [0, 1] (hedges,
anonymity, self-interest, credibility, relaying):
``P'(obs | c) = P(obs | 0) + d (P(obs | c) - P(obs | 0))`` - a mixture in
which, with probability ``1-d``, the statement is noise that would have been
made whatever the truth. Reports relayed ``n`` times from one origin get the
transmission term ``L = P' t^n + (1-P') (eps g)^n`` with ``t = 1-eps+eps g``
(``eps`` = ``dependence_transmission_error``, ``g`` = ``transmission_match``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import EvidenceContribution, Hypothesis, Source


class Params:
    """Values of the uncertain parameters: reliabilities and label rates by key (floats or arrays of draws)."""

    def __init__(self, reliability: Mapping[str, Any], label_rate: Mapping[str, Any]) -> None:
        self.reliability = dict(reliability)
        self.label_rate = dict(label_rate)

    def r(self, key: str) -> Any:
        """Reliability for ``key``."""
        return self.reliability[key]

    def lam(self, key: str | None) -> Any:
        """Label rate for ``key`` (0 when there is none)."""
        return 0.0 if key is None else self.label_rate.get(key, 0.0)


@dataclass(frozen=True, eq=False)
class Factor:
    """One likelihood factor of an evidence item (see the module docstring for the models)."""

    name: str
    category: np.ndarray
    model: str
    const: tuple[float, ...] = ()
    discount: float = 1.0
    reliability_key: str | None = None
    label_key: str | None = None
    relays: int = 0
    eps: float = 0.0
    match: float = 0.0

    def probabilities(self, params: Params) -> np.ndarray:
        """P(observation | category), categories on the last axis (draws, if any, in front)."""
        d = self.discount
        if self.model == "report":
            p1, p0 = _report(params.r(self.reliability_key), params.lam(self.label_key))
            p0 = np.asarray(p0, dtype=float)
            cats = [p0, p0 + d * (np.asarray(p1) - p0)]
        elif self.model == "fixed":
            pt, pf = self.const
            if self.reliability_key is not None:
                d = d * np.maximum(0.0, 2.0 * np.asarray(params.r(self.reliability_key), dtype=float) - 1.0)
            pf_arr = np.zeros_like(np.asarray(d, dtype=float)) + pf
            cats = [pf_arr, pf_arr + d * (pt - pf)]
        elif self.model == "comparative":
            r = np.asarray(params.r(self.reliability_key), dtype=float)
            half = np.zeros_like(r) + 0.5
            cats = [half, half + d * (r - 0.5), half + d * (0.5 - r)]
        elif self.model == "table":
            ref = self.const[0]
            cats = [np.asarray(ref, dtype=float)] + [np.asarray(ref + d * (p - ref), dtype=float) for p in self.const[1:]]
        else:  # pragma: no cover - guarded by builders
            raise ValueError(f"unknown factor model {self.model!r}")
        out = np.stack(np.broadcast_arrays(*cats), axis=-1)
        if self.relays >= 1:
            out = transmit(out, self.relays, self.eps, self.match)
        return out

    def log_lr(self, params: Params) -> np.ndarray:
        """Per-hypothesis log-LR against category 0, shape (..., H)."""
        if self.model == "loglr":
            return np.asarray(self.const, dtype=float)
        probs = self.probabilities(params)
        logp = np.log(probs)
        rel = logp - logp[..., :1]
        return rel[..., self.category]


def _report(r: Any, lam: Any) -> tuple[Any, Any]:
    from .sources import report_probabilities

    return report_probabilities(r, lam)


def transmit(p: Any, n: int, eps: float, match: float) -> Any:
    """Likelihood of ``n`` relays all carrying a statement the origin makes with probability ``p``."""
    t = 1.0 - eps + eps * match
    e = eps * match
    return p * t**n + (1.0 - p) * e**n


@dataclass(frozen=True, eq=False)
class EvidenceItem:
    """One piece of evidence (a statement group, a weapon signature, a timing or pattern observation)."""

    label: str
    kind: str
    factors: tuple[Factor, ...]
    weight: float = 1.0
    notes: tuple[str, ...] = ()
    source: Source | None = None
    group: str | None = None

    def log_lr(self, params: Params, n_hyp: int) -> np.ndarray:
        """Per-hypothesis log-LR, summed over factors, shape (..., H)."""
        total: Any = np.zeros(n_hyp)
        for f in self.factors:
            total = total + f.log_lr(params)
        return np.asarray(total, dtype=float)

    def contribution(self, space: list[Hypothesis], params: Params, extra_notes: tuple[str, ...] = ()) -> EvidenceContribution:
        """The explanation-table row of this item at point values ``params``."""
        llr = self.log_lr(params, len(space))
        return EvidenceContribution(
            label=self.label,
            kind=self.kind,
            source=self.source,
            weight=float(min(1.0, max(0.0, self.weight))),
            log_lr={h.key: float(v) for h, v in zip(space, llr)},
            notes=self.notes + extra_notes,
            group=self.group,
        )


def describe_lr(factor: Factor, params: Params) -> str:
    """'LR 2.85' (category 1 against the reference) at point values, for notes."""
    if factor.model == "loglr":
        return ""
    probs = factor.probabilities(params)
    parts = [f"{v:.3g}" for v in (probs[..., 1:] / probs[..., :1]).ravel()]
    return "LR " + "/".join(parts)
