from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tripwire.attribute import Attributor, hypothesis_space
from tripwire.errors import AttributionError
from tripwire.model import AttributionStatement, Hypothesis, Incident, Place, Source
from tripwire.settings import Settings

from .cases import FRONT_CLAIM, GREEN_ZONE, IRAN, KIRKUK, SOLEIMANI, US, US_STRIKES, K

FAST = Settings({"interval_draws": 0}, environ={})
IRAN_ORDERED = {"ordered", "executed"}


@pytest.fixture(scope="module")
def att(kb):
    return Attributor(kb, settings=FAST)


def _keys(space):
    return {h.key for h in space}


def test_space_expands_categories_fronts_and_states(kb):
    keys = _keys(hypothesis_space(kb, GREEN_ZONE))
    for member in ("kataib-hezbollah", "asaib-ahl-al-haq", "harakat-al-nujaba", "kataib-sayyid-al-shuhada"):
        assert {f"{member}|-|independent", f"{member}|iran|supported", f"{member}|iran|ordered"} <= keys
    assert "iran|iran|executed" in keys and "unknown|-|independent" in keys and "isis|-|independent" in keys
    assert not any(k.startswith("iran-aligned-militia") for k in keys)
    front = _keys(hypothesis_space(kb, FRONT_CLAIM))
    assert not any(k.startswith("saraya") for k in front) and "kataib-hezbollah|iran|ordered" in front
    inc = Incident(id="x", attributions=(AttributionStatement(actor="irgc", kind=K.ALLEGED),))
    assert "irgc|iran|executed" in _keys(hypothesis_space(kb, inc))


def test_space_rejects_unknown_relation(kb):
    with pytest.raises(AttributionError, match="unknown relation"):
        hypothesis_space(kb, GREEN_ZONE, relations=["independent", "bribed"])


def test_prior_is_normalised_product_of_tables(kb, att):
    c = att.compile(Incident(id="empty"))
    assert c.prior.sum() == pytest.approx(1.0)
    p = dict(zip([h.key for h in c.space], c.prior))
    # KH base rate 0.30 split 0.15/0.50/0.35 over independent/supported/ordered, total base rates sum to 1.0
    assert p["kataib-hezbollah|iran|ordered"] == pytest.approx(0.30 * 0.35)
    assert p["isis|-|independent"] == pytest.approx(0.25)


@pytest.mark.parametrize("case", [GREEN_ZONE, KIRKUK, FRONT_CLAIM], ids=lambda c: c.id)
def test_posterior_equals_prior_times_exp_of_contributions(att, case):
    r = att.attribute(case, context=[US_STRIKES, SOLEIMANI, KIRKUK])
    keys = [e.hypothesis.key for e in r.posterior]
    prior = np.array([e.prior for e in r.posterior])
    total = np.array([sum(c.log_lr[k] for c in r.evidence) for k in keys])
    expected = prior * np.exp(total)
    expected /= expected.sum()
    assert np.allclose([e.probability for e in r.posterior], expected, atol=1e-12)
    assert sum(e.probability for e in r.posterior) == pytest.approx(1.0)
    assert all(c.notes for c in r.evidence)


def test_green_zone_hedged_post_report_moves_towards_militias_but_not_iranian_orders(att):
    prior = att.attribute(Incident(id="empty", weapon="rockets"))
    r = att.attribute(GREEN_ZONE)
    militias = ("kataib-hezbollah", "asaib-ahl-al-haq", "harakat-al-nujaba", "kataib-sayyid-al-shuhada")
    p_mil = sum(r.probability(perpetrator=m) for m in militias)
    assert p_mil > sum(prior.probability(perpetrator=m) for m in militias)
    assert r.probability(perpetrator="isis") < prior.probability(perpetrator="isis")
    # the report says "backed", not "instructed": P(tied to instructions from Iran) stays well short of certainty
    assert r.probability(sponsor="iran", relations=IRAN_ORDERED) < 0.5
    post = next(c for c in r.evidence if c.kind == "alleged")
    assert post.weight == pytest.approx(0.25)  # 'apparently' x 'not yet clear'
    unclear = next(c for c in r.evidence if c.kind == "disputed")
    assert all(v == 0 for v in unclear.log_lr.values())


def test_hedges_weaken(att):
    bare = GREEN_ZONE.model_copy(update={"attributions": (GREEN_ZONE.attributions[0].model_copy(update={"hedges": ()}),)})
    hedged = GREEN_ZONE.model_copy(update={"attributions": GREEN_ZONE.attributions[:1]})
    assert att.attribute(bare).probability(perpetrator="kataib-hezbollah") > att.attribute(hedged).probability(perpetrator="kataib-hezbollah")


def test_kirkuk_dissent_pulls_towards_isis(att):
    us_only = KIRKUK.model_copy(update={"attributions": KIRKUK.attributions[:1]})
    a, b = att.attribute(us_only), att.attribute(KIRKUK)
    assert b.probability(perpetrator="isis") > a.probability(perpetrator="isis")
    assert b.probability(perpetrator="kataib-hezbollah") < a.probability(perpetrator="kataib-hezbollah")
    comp = next(c for c in b.evidence if c.kind == "assessed")
    assert comp.log_lr["isis|-|independent"] > 0 > comp.log_lr["kataib-hezbollah|iran|ordered"]
    assert comp.log_lr["unknown|-|independent"] == 0
    dispute = next(c for c in b.evidence if c.kind == "disputed")
    assert dispute.log_lr["kataib-hezbollah|iran|supported"] < 0


def test_labelling_bias_lr_is_derived_from_reliability_and_rate(att):
    inc = Incident(id="x", attributions=(AttributionStatement(actor="kataib-hezbollah", kind=K.ALLEGED, sponsor="iran", asserted_by=US),))
    r = att.attribute(inc)
    c = r.evidence[0]
    # perpetrator factor: reliability 0.8, x0.75 self-interest; sponsor factor: label rate 0.95
    rel, lam, d = 0.8, 0.95, 0.75
    p1, p0 = lam + (1 - lam) * rel, lam + (1 - lam) * (1 - rel)
    p1 = p0 + d * (p1 - p0)
    t, e = 1 - 0.1 + 0.01, 0.01
    sponsor_llr = np.log(p1 * t + (1 - p1) * e) - np.log(p0 * t + (1 - p0) * e)
    both = c.log_lr["kataib-hezbollah|iran|supported"]
    perp_only = c.log_lr["kataib-hezbollah|-|independent"]
    assert both - perp_only == pytest.approx(sponsor_llr, abs=1e-12)
    assert 1.0 < np.exp(sponsor_llr) < 1.05
    assert any("labelling bias" in n and "95%" in n for n in c.notes)
    unbiased = Attributor(att.kb, settings=FAST, sources={"us-administration": {"labels": {"iran": 0.0}}}).attribute(inc).evidence[0]
    assert unbiased.log_lr["kataib-hezbollah|iran|supported"] - unbiased.log_lr["kataib-hezbollah|-|independent"] > 0.4


def test_front_claim_is_evidence_about_the_principal_and_iran_denial_is_weak(att):
    r = att.attribute(FRONT_CLAIM)
    claim = next(c for c in r.evidence if c.kind == "claimed")
    assert claim.log_lr["kataib-hezbollah|iran|ordered"] > 2.0
    assert claim.log_lr["asaib-ahl-al-haq|iran|ordered"] == 0
    assert any("front group" in n for n in claim.notes)
    denial = next(c for c in r.evidence if c.kind == "denied")
    lr_ordered = np.exp(denial.log_lr["kataib-hezbollah|iran|ordered"])
    assert 0.9 < lr_ordered < 1.0  # routine denial
    assert denial.log_lr["kataib-hezbollah|iran|supported"] == 0
    assert r.probability(perpetrator="kataib-hezbollah") > 0.8
    nonroutine = FRONT_CLAIM.model_copy(update={"attributions": (AttributionStatement(actor="iran", kind=K.DENIED,
                                                                                      asserted_by=Source(speaker_id="european-officials")),)})
    strong = att.attribute(nonroutine).evidence[0]
    assert np.exp(strong.log_lr["kataib-hezbollah|iran|ordered"]) < 0.6


def test_five_outlets_citing_one_origin_count_once(att):
    base = AttributionStatement(actor="kataib-hezbollah", kind=K.ALLEGED, sponsor="iran",
                                asserted_by=Source(speaker="an official", anonymous=True, via="The Washington Post"))
    outlets = ["Reuters", "Rudaw", "Kurdistan 24", "Al-Monitor", "Business Insider"]
    one = Incident(id="x", attributions=(base.model_copy(update={"asserted_by": base.asserted_by.model_copy(update={"outlet": "Rudaw"})}),))
    five = Incident(id="x", attributions=tuple(base.model_copy(update={"asserted_by": base.asserted_by.model_copy(update={"outlet": o})})
                                                for o in outlets))
    independent = Incident(id="x", attributions=tuple(base.model_copy(update={"asserted_by": Source(outlet=o)}) for o in outlets))
    p0 = att.attribute(Incident(id="x")).probability(perpetrator="kataib-hezbollah")
    p1 = att.attribute(one).probability(perpetrator="kataib-hezbollah")
    r5 = att.attribute(five)
    p5 = r5.probability(perpetrator="kataib-hezbollah")
    pi = att.attribute(independent).probability(perpetrator="kataib-hezbollah")
    assert len(r5.evidence) == 1 and r5.evidence[0].group == "outlet:washington-post"
    assert p1 > p0
    # moved (almost) exactly as much as one report: only the transmission-error term differs
    assert 0 <= p5 - p1 < 0.05 * (p1 - p0)
    assert pi - p0 > 1.2 * (p5 - p0)  # five independent outlets move it far more
    exact = Attributor(att.kb, settings=FAST.replace(dependence_transmission_error=0.0))
    assert exact.attribute(five).probability(perpetrator="kataib-hezbollah") == pytest.approx(
        exact.attribute(one).probability(perpetrator="kataib-hezbollah"), abs=1e-12)


def test_timing_after_strike_on_the_actor_raises_its_retaliation(att):
    inc = Incident(id="t", date=dt.date(2020, 1, 4), weapon="rockets")
    r = att.attribute(inc, context=[US_STRIKES, SOLEIMANI])
    timing = next(c for c in r.evidence if c.kind == "timing")
    assert timing.log_lr["kataib-hezbollah|-|independent"] > 0
    assert timing.log_lr["asaib-ahl-al-haq|iran|ordered"] > 0  # retaliation ordered by the struck state
    assert timing.log_lr["asaib-ahl-al-haq|iran|supported"] == 0
    late = att.attribute(inc.model_copy(update={"date": dt.date(2020, 6, 1)}), context=[US_STRIKES, SOLEIMANI])
    assert not any(c.kind == "timing" for c in late.evidence)


def test_pattern_similarity_uses_earlier_incidents(att):
    claimed = FRONT_CLAIM.model_copy(update={"id": "earlier", "date": dt.date(2020, 9, 1)})
    inc = Incident(id="now", date=dt.date(2020, 9, 20), place=FRONT_CLAIM.place, weapon="107mm rockets")
    r = att.attribute(inc, context=[claimed])
    pat = next(c for c in r.evidence if c.kind == "pattern")
    assert pat.log_lr["kataib-hezbollah|iran|supported"] > 0 > pat.log_lr["isis|-|independent"]
    far = claimed.model_copy(update={"place": Place(name="Basra", country="IQ", lat=30.5, lon=47.8), "date": dt.date(2018, 1, 1)})
    assert not any(c.kind == "pattern" for c in att.attribute(inc, context=[far]).evidence)


def test_intervals_deterministic_given_seed_and_cover_point(kb):
    a = Attributor(kb, settings=Settings({"interval_draws": 200}, environ={}))
    r1, r2, r3 = a.attribute(KIRKUK, rng=7), a.attribute(KIRKUK, rng=7), a.attribute(KIRKUK, rng=np.random.default_rng(8))
    assert r1 == r2
    assert r1 != r3
    for e in r1.posterior:
        lo, hi = e.interval
        assert 0 <= lo <= e.probability <= hi <= 1
    top = r1.posterior[0]
    assert top.interval[1] - top.interval[0] > 0.01


def test_sensitivity_reports_flips_and_next_question(att):
    target = lambda h: h.perpetrator == "kataib-hezbollah"  # noqa: E731
    rep = att.sensitivity(KIRKUK, target=target, threshold=0.5)
    assert rep.target_probability == pytest.approx(att.attribute(KIRKUK).probability(perpetrator="kataib-hezbollah"))
    assert rep.flips, "some single change must flip a contested attribution"
    for ch in rep.flips:
        assert (ch.probability >= 0.5) != rep.above
    kinds = {ch.setting for ch in rep.flips}
    assert "evidence" in kinds and "prior" in kinds
    q = rep.next_question
    assert q is not None and q.question.endswith("?") and q.expected_information_gain > 0
    assert q.expected_information_gain == max(x.expected_information_gain for x in rep.questions)
    assert sum(p for _, p in q.outcomes) == pytest.approx(1.0)
    iran = att.sensitivity(GREEN_ZONE, target=lambda h: h.sponsor == "iran" and h.relation in IRAN_ORDERED, threshold=0.9)
    assert any(x.label.startswith("evidence of instructions from iran") for x in iran.questions)
    with pytest.raises(AttributionError):
        att.sensitivity(KIRKUK, target=target, threshold=1.5)


def test_relations_argument_widens_the_spectrum(kb):
    a = Attributor(kb, settings=FAST, relations=["independent", "encouraged", "supported", "coordinated", "ordered"])
    r = a.attribute(GREEN_ZONE)
    assert any(e.hypothesis.relation == "coordinated" for e in r.posterior)
    assert sum(e.probability for e in r.posterior) == pytest.approx(1.0)


def test_custom_hypothesis_space(att):
    space = [Hypothesis(perpetrator="kataib-hezbollah"), Hypothesis(perpetrator="isis")]
    r = att.attribute(KIRKUK, hypotheses=space)
    assert {e.hypothesis.key for e in r.posterior} == {h.key for h in space}
    with pytest.raises(AttributionError, match="duplicates"):
        att.attribute(KIRKUK, hypotheses=space + space[:1])


def test_iranian_denial_source_profile(att):
    r = att.attribute(FRONT_CLAIM.model_copy(update={"attributions": (AttributionStatement(actor="iran", kind=K.DENIED, asserted_by=IRAN),)}))
    assert "routine denial" in " ".join(r.evidence[0].notes)
