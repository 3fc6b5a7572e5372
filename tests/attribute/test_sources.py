from __future__ import annotations

import numpy as np
import pytest

from tripwire.attribute import Attributor, SourceSetting, SpeakerBiasModel, report_probabilities
from tripwire.attribute.sources import resolve_source
from tripwire.errors import ConfigError, EstimationError
from tripwire.model import AttributionKind, AttributionStatement, Hypothesis, Incident, Source
from tripwire.settings import Settings


@pytest.mark.parametrize(
    ("value", "reliability", "credibility"),
    [("B2", 0.8, 2), ("a", 0.95, None), (0.7, 0.7, None), ({"reliability": "E", "credibility": 5}, 0.35, 5)],
)
def test_source_setting_parse(value, reliability, credibility):
    s = SourceSetting.parse(value)
    assert s.reliability == pytest.approx(reliability) and s.credibility == credibility


@pytest.mark.parametrize("bad", ["G", "B7", 1.5, True, {"grade": "B"}, {"credibility": 9}, [1]])
def test_source_setting_rejects_bad_input(bad):
    with pytest.raises(ConfigError):
        SourceSetting.parse(bad)


@pytest.mark.parametrize(
    ("source", "key", "grade"),
    [
        (Source(speaker="Pentagon"), "speaker:pentagon", "B"),
        (Source(outlet="Rudaw"), "outlet:rudaw", "C"),
        (Source(speaker="an official", anonymous=True, via="The Washington Post", outlet="Rudaw"), "outlet:washington-post", "B"),
        (Source(speaker="a passer-by"), "other:a passer-by", "F"),
    ],
)
def test_resolve_source(kb, source, key, grade):
    prof = resolve_source(kb, source, {})
    assert (prof.key, prof.grade) == (key, grade)


def test_override_changes_grade_and_credibility_discounts(kb):
    inc = Incident(id="x", attributions=(AttributionStatement(actor="isis", kind=AttributionKind.ALLEGED, asserted_by=Source(outlet="Rudaw")),))
    fast = Settings({"interval_draws": 0}, environ={})
    base = Attributor(kb, settings=fast).attribute(inc).probability(perpetrator="isis")
    better = Attributor(kb, settings=fast, sources={"rudaw": "A1"}).attribute(inc).probability(perpetrator="isis")
    doubtful = Attributor(kb, settings=fast, sources={"rudaw": "A5"}).attribute(inc)
    assert better > base
    assert doubtful.probability(perpetrator="isis") < better
    assert any("credibility 5" in n for n in doubtful.evidence[0].notes)


def _simulate(kb, rng, n, lam, rel):
    """A speaker who tags 'iran' at rate lam whatever the truth, else reports it correctly with probability rel."""
    sts, outs = [], []
    for _ in range(n):
        iran = rng.random() < 0.4
        truth = Hypothesis(perpetrator="kataib-hezbollah", sponsor="iran", relation="ordered") if iran else Hypothesis(perpetrator="isis")
        says = rng.random() < lam or (rng.random() < rel if iran else rng.random() > rel)
        sts.append(AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.ALLEGED, sponsor="iran" if says else None,
                                        asserted_by=Source(speaker_id="pentagon")))
        outs.append(truth)
    return sts, outs


def test_speaker_bias_model_recovers_label_rate_and_reliability(kb):
    rng = np.random.default_rng(11)
    sts, outs = _simulate(kb, rng, 4000, lam=0.6, rel=0.85)
    model = SpeakerBiasModel(kb, strength=2.0).fit(sts, outs)
    rel, lam = model.rates("pentagon", "iran")
    assert lam == pytest.approx(0.6, abs=0.05)
    assert rel == pytest.approx(0.85, abs=0.05)
    held_sts, held_outs = _simulate(kb, np.random.default_rng(12), 1000, lam=0.6, rel=0.85)
    wrong = SpeakerBiasModel(kb, strength=2.0).fit(*_simulate(kb, np.random.default_rng(13), 4000, lam=0.1, rel=0.55))
    assert model.score(held_sts, held_outs) > wrong.score(held_sts, held_outs)


def test_learned_bias_feeds_the_engine(kb):
    sts, outs = _simulate(kb, np.random.default_rng(3), 2000, lam=0.0, rel=0.9)
    model = SpeakerBiasModel(kb).fit(sts, outs)
    inc = Incident(id="x", attributions=(AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.ALLEGED, sponsor="iran",
                                                              asserted_by=Source(speaker_id="pentagon")),))
    fast = Settings({"interval_draws": 0}, environ={})
    kb_only = Attributor(kb, settings=fast).attribute(inc).probability(sponsor="iran")
    learned = Attributor(kb, settings=fast, bias=model).attribute(inc)
    assert learned.probability(sponsor="iran") > kb_only  # an unbiased speaker's label is informative
    assert any("learned from resolved cases" in n for n in learned.evidence[0].notes)


def test_bias_model_errors(kb):
    with pytest.raises(EstimationError, match="not fitted"):
        SpeakerBiasModel(kb).rates("pentagon", "iran")
    with pytest.raises(EstimationError, match="one outcome per statement"):
        SpeakerBiasModel(kb).fit([], [Hypothesis(perpetrator="isis")])


def test_report_probabilities_limits():
    assert report_probabilities(0.8, 0.0) == pytest.approx((0.8, 0.2))
    p1, p0 = report_probabilities(0.8, 1.0)
    assert p1 == p0 == 1.0
