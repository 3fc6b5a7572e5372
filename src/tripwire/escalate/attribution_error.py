"""How the attribution engine's verdicts err, as models the policy simulation draws from.

A red line of the form "if an American is killed and it can be tied back to
instructions from the sponsor" trips when the attribution engine's
probability that an attack was ordered reaches a threshold. What matters for
policy is how that probability is distributed for attacks that *were*
ordered versus attacks that were not. Each model here draws one score in
``[0, 1]`` per attack given whether the attack *looks* ordered (truly ordered
attacks do; spoilers' staged attacks may); a rule with threshold ``t`` trips
when ``score >= t``.

* :class:`ConfusionAttribution` — a fixed confusion matrix:
  P(attributed | ordered) = ``tpr``, P(attributed | not ordered) = ``fpr``
  (scores are 0 or 1, so every threshold in (0, 1] behaves alike);
* :class:`BetaScores` — posterior scores Beta-distributed per class, so
  raising the threshold trades missed trips for fewer false ones;
* :class:`EmpiricalScores` — scores resampled from a calibration run of the
  attribution engine (:meth:`EmpiricalScores.from_calibration`).

Perfect attribution is ``ConfusionAttribution(tpr=1, fpr=0)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import InputError


@runtime_checkable
class AttributionModel(Protocol):
    """Draws the engine's P(ordered) for each attack, given whether it looks ordered."""

    label: str

    def draw(self, looks_ordered: np.ndarray, rng: np.random.Generator) -> np.ndarray: ...

    def p_attributed(self, threshold: float, looks_ordered: bool) -> float: ...


def _check_p(name: str, value: float) -> None:
    if not (np.isfinite(value) and 0.0 <= value <= 1.0):
        raise InputError(f"{name} must be a probability in [0, 1], got {value!r}")


@dataclass(frozen=True)
class ConfusionAttribution:
    """Attribution with fixed error rates: ``tpr`` = P(attributed | ordered), ``fpr`` = P(attributed | not ordered)."""

    tpr: float = 1.0
    fpr: float = 0.0

    def __post_init__(self) -> None:
        _check_p("tpr", self.tpr)
        _check_p("fpr", self.fpr)

    @property
    def label(self) -> str:
        """Short description used in sweep tables."""
        return f"confusion(tpr={self.tpr:g}, fpr={self.fpr:g})"

    def draw(self, looks_ordered: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """1.0 where the attack is attributed to the sponsor, else 0.0."""
        p = np.where(looks_ordered, self.tpr, self.fpr)
        return (rng.random(looks_ordered.shape) < p).astype(float)

    def p_attributed(self, threshold: float, looks_ordered: bool) -> float:
        """P(score >= threshold) for one class (threshold in (0, 1])."""
        return self.tpr if looks_ordered else self.fpr


@dataclass(frozen=True)
class BetaScores:
    """Scores ~ Beta(``ordered``) for attacks that look ordered, Beta(``not_ordered``) otherwise.

    The defaults describe a moderately discriminating engine: mean 0.75 for
    ordered attacks, 0.25 for the rest. They are illustrative, not measured.
    """

    ordered: tuple[float, float] = (6.0, 2.0)
    not_ordered: tuple[float, float] = (2.0, 6.0)

    def __post_init__(self) -> None:
        for name, (a, b) in (("ordered", self.ordered), ("not_ordered", self.not_ordered)):
            if not (a > 0 and b > 0):
                raise InputError(f"Beta parameters for {name} must be > 0, got {(a, b)!r}")

    @property
    def label(self) -> str:
        """Short description used in sweep tables."""
        return f"beta(ordered={self.ordered[0]:g},{self.ordered[1]:g}; other={self.not_ordered[0]:g},{self.not_ordered[1]:g})"

    def draw(self, looks_ordered: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One Beta score per attack."""
        a = np.where(looks_ordered, self.ordered[0], self.not_ordered[0])
        b = np.where(looks_ordered, self.ordered[1], self.not_ordered[1])
        return rng.beta(a, b) if looks_ordered.size else np.empty(0)

    def p_attributed(self, threshold: float, looks_ordered: bool) -> float:
        """P(score >= threshold) for one class."""
        from scipy.stats import beta

        a, b = self.ordered if looks_ordered else self.not_ordered
        return float(beta.sf(threshold, a, b))


@dataclass(frozen=True)
class EmpiricalScores:
    """Scores resampled (with replacement) from a calibration run's scores for each class."""

    ordered_scores: tuple[float, ...]
    other_scores: tuple[float, ...]

    def __post_init__(self) -> None:
        for name, values in (("ordered_scores", self.ordered_scores), ("other_scores", self.other_scores)):
            arr = np.asarray(values, dtype=float)
            if arr.size == 0 or not np.all((arr >= 0) & (arr <= 1)):
                raise InputError(f"{name} must be a non-empty list of probabilities in [0, 1]")

    @classmethod
    def from_calibration(cls, scores: np.ndarray | list[float], truly_ordered: np.ndarray | list[bool]) -> "EmpiricalScores":
        """From the engine's P(ordered) on cases whose truth is known (e.g. its calibration set)."""
        s = np.asarray(scores, dtype=float)
        t = np.asarray(truly_ordered, dtype=bool)
        if s.shape != t.shape:
            raise InputError(f"scores and truth differ in length ({s.size} vs {t.size})")
        return cls(tuple(s[t].tolist()), tuple(s[~t].tolist()))

    @property
    def label(self) -> str:
        """Short description used in sweep tables."""
        return f"empirical(n={len(self.ordered_scores)}+{len(self.other_scores)})"

    def draw(self, looks_ordered: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A resampled calibration score per attack."""
        pos = np.asarray(self.ordered_scores)
        neg = np.asarray(self.other_scores)
        i = rng.integers(0, pos.size, looks_ordered.shape)
        j = rng.integers(0, neg.size, looks_ordered.shape)
        return np.where(looks_ordered, pos[i], neg[j])

    def p_attributed(self, threshold: float, looks_ordered: bool) -> float:
        """Share of the class's calibration scores at or above ``threshold``."""
        values = np.asarray(self.ordered_scores if looks_ordered else self.other_scores)
        return float(np.mean(values >= threshold))
