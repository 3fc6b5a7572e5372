"""ICD 203: the likelihood words at every band and boundary, and the analytic-confidence rule, as case tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tripwire.icd203 import (
    CERTAIN,
    ICD203_SCALE,
    NO_CHANCE,
    PHRASES,
    analytic_confidence,
    confidence_factors,
    icd203_phrase,
    interval_width,
    judgement,
    phrase_range,
)
from tripwire.model import Confidence, ConfidenceBasis

DOCS = Path(__file__).resolve().parents[1] / "docs" / "redlines.md"


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.0, NO_CHANCE),  # exact 0 is outside the scale (it starts at 1 %)
        (1e-12, NO_CHANCE),  # rounding noise around 0 is 0
        (0.004, "almost no chance"),  # below the nominal 1 %, still the lowest band
        (0.01, "almost no chance"),
        (0.049, "almost no chance"),
        (0.05, "very unlikely"),  # boundaries belong to the band they open
        (0.19, "very unlikely"),
        (0.20, "unlikely"),
        (0.30, "unlikely"),
        (0.4499, "unlikely"),
        (0.45, "roughly even chance"),
        (0.50, "roughly even chance"),
        (0.55, "likely"),
        (0.75, "likely"),  # the old table said "highly probable" (ICD 203: 80-95 %)
        (0.7999, "likely"),
        (0.80, "very likely"),
        (0.9499999999997, "almost certain"),  # floating-point noise does not cross a boundary
        (0.95, "almost certain"),  # the old function said "very likely"
        (0.99, "almost certain"),
        (0.996, "almost certain"),  # above the nominal 99 %, still the top band
        (1.0, CERTAIN),
    ],
)
def test_words_for_each_band_and_boundary(p: float, words: str) -> None:
    assert icd203_phrase(p) == words


@pytest.mark.parametrize("p", [-0.01, 1.01, float("nan")])
def test_out_of_range_probabilities_are_refused(p: float) -> None:
    with pytest.raises(ValueError, match="probability"):
        icd203_phrase(p)


@given(st.floats(min_value=0.0, max_value=1.0))
def test_every_probability_gets_a_phrase_whose_range_holds_it(p: float) -> None:
    words = icd203_phrase(p)
    assert words in PHRASES
    lo, hi = phrase_range(words)
    q = round(p, 9)
    assert lo <= q <= hi if words in (NO_CHANCE, CERTAIN) else lo <= q < hi


def test_scale_is_the_seven_icd203_bands_without_gaps() -> None:
    assert [w for w, _, _ in ICD203_SCALE] == ["almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely", "very likely", "almost certain"]
    assert [(lo, hi) for _, lo, hi in ICD203_SCALE] == [(0.0, 0.05), (0.05, 0.2), (0.2, 0.45), (0.45, 0.55), (0.55, 0.8), (0.8, 0.95), (0.95, 1.0)]


def test_documented_table_matches_the_scale() -> None:
    text = DOCS.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (almost no chance|very unlikely|unlikely|roughly even chance|likely|very likely|almost certain) \| ([\d.]+) ≤ P < ([\d.]+) \|", text, re.M)
    assert [(w, float(lo), float(hi)) for w, lo, hi in rows] == list(ICD203_SCALE)


@pytest.mark.parametrize(
    ("origins", "reliability", "dissent", "width", "level"),
    [
        # every factor high
        (3, 0.95, 0, 0.10, "high"),
        (5, 0.80, 0, 0.20, "high"),  # at the high thresholds exactly
        (3, 0.80, 0, None, "high"),  # no interval: the factor is left out
        # one factor pulls it down to moderate
        (2, 0.95, 0, 0.10, "moderate"),  # only two independent origins
        (3, 0.65, 0, 0.10, "moderate"),  # best source graded C
        (3, 0.95, 1, 0.10, "moderate"),  # unresolved dissent
        (3, 0.95, 4, 0.10, "moderate"),  # however much dissent, it caps at moderate
        (3, 0.95, 0, 0.40, "moderate"),  # interval as wide as moderate allows
        (3, 0.95, 0, 0.21, "moderate"),
        # one factor pulls it down to low
        (1, 0.95, 0, 0.05, "low"),  # single-source reporting
        (0, None, 0, 0.05, "low"),  # nobody said who: weapon or pattern evidence alone
        (4, 0.50, 0, 0.05, "low"),  # many origins, none better than D / F
        (4, None, 0, None, "low"),  # origins with no graded source
        (4, 0.95, 0, 0.41, "low"),  # wide interval
        (1, 0.50, 2, 0.90, "low"),
    ],
)
def test_confidence_rule(origins: int, reliability: float | None, dissent: int, width: float | None, level: str) -> None:
    assert analytic_confidence(origins, reliability, dissent, width) == level
    iv = None if width is None else (0.5 - width / 2, 0.5 + width / 2)
    assert ConfidenceBasis(origins=origins, best_reliability=reliability, dissent=dissent).confidence(iv) is Confidence(level)


@pytest.mark.parametrize(
    ("origins", "reliability", "dissent", "width", "factors"),
    [
        (2, 0.8, 1, 0.3, {"origins": "moderate", "reliability": "high", "dissent": "moderate", "width": "moderate"}),
        (0, None, 0, None, {"origins": "low", "reliability": "low", "dissent": "high"}),
    ],
)
def test_confidence_factors_say_which_factor_decides(origins: int, reliability: float | None, dissent: int, width: float | None, factors: dict[str, str]) -> None:
    assert confidence_factors(origins, reliability, dissent, width) == factors


@pytest.mark.parametrize(("args", "match"), [((-1, 0.8, 0, 0.1), "counts"), ((2, 0.8, -1, 0.1), "counts"), ((2, 0.8, 0, -0.1), "width")])
def test_confidence_rule_refuses_bad_input(args: tuple[int, float, int, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        analytic_confidence(*args)


@given(st.integers(0, 10), st.one_of(st.none(), st.floats(0, 1)), st.integers(0, 5), st.one_of(st.none(), st.floats(0, 1)))
def test_more_evidence_never_lowers_confidence(origins: int, reliability: float | None, dissent: int, width: float | None) -> None:
    rank = ("low", "moderate", "high").index
    base = rank(analytic_confidence(origins, reliability, dissent, width))
    assert rank(analytic_confidence(origins + 1, reliability, dissent, width)) >= base
    assert rank(analytic_confidence(origins, reliability, max(0, dissent - 1), width)) >= base
    if width is not None:
        assert rank(analytic_confidence(origins, reliability, dissent, width / 2)) >= base


@pytest.mark.parametrize(
    ("p", "confidence", "text"),
    [
        (0.62, Confidence.MODERATE, "likely (moderate confidence)"),
        (0.62, "high", "likely (high confidence)"),
        (0.0, Confidence.LOW, "no chance (low confidence)"),
        (0.31, None, "unlikely (confidence not assessed)"),
    ],
)
def test_judgement_puts_words_and_confidence_together(p: float, confidence: object, text: str) -> None:
    assert judgement(p, confidence) == text


@pytest.mark.parametrize(("interval", "width"), [(None, None), ((0.2, 0.5), 0.3), ((0.4, 0.4), 0.0)])
def test_interval_width(interval: tuple[float, float] | None, width: float | None) -> None:
    got = interval_width(interval)
    assert got == width if width is None else got == pytest.approx(width)


@pytest.mark.parametrize(
    ("basis", "text"),
    [
        (ConfidenceBasis(origins=1, best_reliability=0.95), "1 independent origin, best source reliability 0.95, no dissent"),
        (ConfidenceBasis(origins=0), "0 independent origins, no graded source, no dissent"),
        (ConfidenceBasis(origins=3, best_reliability=0.8, dissent=2), "3 independent origins, best source reliability 0.80, 2 dissenting"),
    ],
)
def test_basis_in_words(basis: ConfidenceBasis, text: str) -> None:
    assert basis.describe() == text
