"""ICD 203 in one place: the words for a probability, and the analytic confidence beside it.

Intelligence Community Directive 203 asks for two separate things in every
judgement: *how likely* something is, in a fixed vocabulary tied to ranges of
probability, and *how confident* the analyst is in that judgement, given the
quantity and quality of the evidence behind it. Every part of Tripwire that
shows a probability in words (CLI, HTML report, REST API, dashboard, STIX)
takes both from this module; ``docs/redlines.md`` states the rules.

Likelihood words (:data:`ICD203_SCALE`, :func:`icd203_phrase`)
    The seven ICD 203 bands. Bands are **closed below and open above**
    (``[lower, upper)``), so a boundary value takes the word of the band it
    opens: 0.05 is "very unlikely", 0.55 "likely", 0.95 "almost certain". The
    scale's nominal ends (1 % and 99 %) do not stop it: 0.004 is still
    "almost no chance" and 0.996 "almost certain". Only the exact values 0 and
    1 -- which Tripwire produces only by logic (a red-line leaf that is not
    met, a hypothesis ruled out by its prior) -- are outside the scale and are
    said as :data:`NO_CHANCE` and :data:`CERTAIN`. Probabilities are rounded
    to 9 decimals first, so floating-point noise (0.9499999999997) does not
    move a value across a boundary.

Analytic confidence (:func:`analytic_confidence`)
    ``low``, ``moderate`` or ``high``: the weakest of four factors, each rated
    on the same three levels (see :data:`CONFIDENCE_RULE`):

    * **independent origins** of the statements saying who did it (relays of
      one origin count once): 0-1 low, 2 moderate, 3 or more high;
    * **best source reliability** among them (Admiralty grade mapped to
      P(reports truly)): at least 0.80 (A or B) high, at least 0.65 (C)
      moderate, below (D, E, F "cannot be judged") low;
    * **credible-interval width** of the probability: at most 0.20 high, at
      most 0.40 moderate, wider low; no interval (``interval_draws = 0``, or
      a figure with no uncertainty propagated) leaves this factor out;
    * **unresolved dissent** (statements disputing the attribution, reports
      contradicting a casualty figure): none high, any at most moderate.
"""

from __future__ import annotations

from collections.abc import Sequence

#: ICD 203 expressions of likelihood with their probability ranges [lower, upper).
ICD203_SCALE: tuple[tuple[str, float, float], ...] = (
    ("almost no chance", 0.00, 0.05),
    ("very unlikely", 0.05, 0.20),
    ("unlikely", 0.20, 0.45),
    ("roughly even chance", 0.45, 0.55),
    ("likely", 0.55, 0.80),
    ("very likely", 0.80, 0.95),
    ("almost certain", 0.95, 1.00),
)
#: Said for a probability of exactly 0 (outside the ICD 203 scale, which starts at 1 %).
NO_CHANCE = "no chance"
#: Said for a probability of exactly 1 (outside the ICD 203 scale, which ends at 99 %).
CERTAIN = "certain"
#: Every phrase :func:`icd203_phrase` can return.
PHRASES: frozenset[str] = frozenset({p for p, _, _ in ICD203_SCALE} | {NO_CHANCE, CERTAIN})

#: Analytic confidence levels, weakest first.
LEVELS: tuple[str, ...] = ("low", "moderate", "high")

#: The confidence rule as data: for each factor the least value (most, for the
#: interval width) that rates ``moderate`` and ``high``.
CONFIDENCE_RULE: dict[str, dict[str, float]] = {
    "origins": {"moderate": 2, "high": 3},
    "reliability": {"moderate": 0.65, "high": 0.80},
    "width": {"moderate": 0.40, "high": 0.20},
}


def icd203_phrase(p: float) -> str:
    """The ICD 203 words for probability ``p`` ("likely", "very unlikely", ...; see the module docstring)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"probability must be in [0, 1], got {p!r}")
    q = round(float(p), 9)
    if q == 0.0:
        return NO_CHANCE
    if q == 1.0:
        return CERTAIN
    for phrase, _lo, hi in ICD203_SCALE:
        if q < hi:
            return phrase
    return ICD203_SCALE[-1][0]  # pragma: no cover - q < 1 always matches


def phrase_range(phrase: str) -> tuple[float, float]:
    """The [lower, upper) range of an ICD 203 phrase (a point for ``no chance`` / ``certain``)."""
    if phrase == NO_CHANCE:
        return (0.0, 0.0)
    if phrase == CERTAIN:
        return (1.0, 1.0)
    for name, lo, hi in ICD203_SCALE:
        if name == phrase:
            return (lo, hi)
    raise ValueError(f"not an ICD 203 phrase: {phrase!r}")


def _level(value: float, moderate: float, high: float, *, smaller_is_better: bool = False) -> int:
    if smaller_is_better:
        return 2 if value <= high else 1 if value <= moderate else 0
    return 2 if value >= high else 1 if value >= moderate else 0


def confidence_factors(origins: int, best_reliability: float | None, dissent: int, width: float | None) -> dict[str, str]:
    """Each factor of the rule rated ``low`` / ``moderate`` / ``high`` (the interval is left out when ``width`` is None)."""
    if origins < 0 or dissent < 0:
        raise ValueError("origins and dissent must be counts (>= 0)")
    rule = CONFIDENCE_RULE
    out = {
        "origins": LEVELS[_level(origins, rule["origins"]["moderate"], rule["origins"]["high"])],
        "reliability": LEVELS[0 if best_reliability is None else _level(best_reliability, rule["reliability"]["moderate"], rule["reliability"]["high"])],
        "dissent": LEVELS[2 if dissent == 0 else 1],
    }
    if width is not None:
        if width < 0:
            raise ValueError(f"interval width must be >= 0, got {width!r}")
        out["width"] = LEVELS[_level(round(width, 9), rule["width"]["moderate"], rule["width"]["high"], smaller_is_better=True)]
    return out


def analytic_confidence(origins: int, best_reliability: float | None, dissent: int, width: float | None) -> str:
    """``low``, ``moderate`` or ``high``: the weakest of the factors of :func:`confidence_factors`."""
    return min(confidence_factors(origins, best_reliability, dissent, width).values(), key=LEVELS.index)


def interval_width(interval: Sequence[float] | None) -> float | None:
    """``upper - lower`` of a credible interval, None when there is none."""
    if interval is None:
        return None
    return max(0.0, float(interval[1]) - float(interval[0]))


def judgement(p: float, confidence: object | None) -> str:
    """``likely (moderate confidence)`` -- the words and confidence shown beside a probability.

    ``confidence`` is a level (``"low"`` or a :class:`~tripwire.model.Confidence`);
    None (results stored before confidence was assessed) says so.
    """
    words = icd203_phrase(p)
    level = getattr(confidence, "value", confidence)
    return f"{words} ({level} confidence)" if level else f"{words} (confidence not assessed)"


__all__ = [
    "CERTAIN",
    "CONFIDENCE_RULE",
    "ICD203_SCALE",
    "LEVELS",
    "NO_CHANCE",
    "PHRASES",
    "analytic_confidence",
    "confidence_factors",
    "icd203_phrase",
    "interval_width",
    "judgement",
    "phrase_range",
]
