"""check(): rule x incident x attribution -> probability, interval, status, words, components, evidence."""

from __future__ import annotations

import math

import pytest

from tripwire.model import AttributionResult, Casualty, RedLineStatus, icd203_phrase
from tripwire.redlines import check, evaluate, load_rules, parse_rules
from tripwire.settings import Settings

from .scenarios import NOW, al_asad, green_zone, hypothetical_killing, irgc_result, kirkuk, militia_result

CLEAR, WATCH, TRIPPED = RedLineStatus.CLEAR, RedLineStatus.WATCH, RedLineStatus.TRIPPED
SEED = "us-american-killed-iran-instructed"
ALIGNED = "us-personnel-killed-iran-aligned"
MISSILE = "iran-state-missile-attack"


@pytest.fixture(scope="module")
def rules(kb):
    return {r.id: r for r in load_rules(kb=kb)}


def strong_iran(incident_id):
    return militia_result(incident_id, ordered=0.80, supported=0.10, independent=0.02, isis=0.05, unknown=0.03)


def moderate_iran(incident_id):
    return militia_result(incident_id, ordered=0.30, supported=0.30, independent=0.05, isis=0.25, unknown=0.10)


def weak_iran(incident_id):
    return militia_result(incident_id, ordered=0.15, supported=0.35, independent=0.05, isis=0.35, unknown=0.10)


def faint_iran(incident_id):
    return militia_result(incident_id, ordered=0.05, supported=0.35, independent=0.05, isis=0.45, unknown=0.10)


def isis_did_it(incident_id):
    return militia_result(incident_id, ordered=0.0, supported=0.0, independent=0.0, isis=0.95, unknown=0.05)


# rule, incident, attribution, expected status, expected P
CASES = [
    # Green Zone, Nov 2020: no American killed -> clear whatever the attribution says
    (SEED, green_zone, strong_iran, CLEAR, 0.0),
    (SEED, green_zone, moderate_iran, CLEAR, 0.0),
    (ALIGNED, green_zone, strong_iran, CLEAR, 0.0),
    # Kirkuk, Dec 2019: a US contractor killed, Iranian orders moderately likely -> watch
    (SEED, kirkuk, moderate_iran, WATCH, 0.95 * 0.30),
    # ... weakly likely: below half the threshold, but the killing is established and only
    # attribution is open, above the floor -> still watch
    (SEED, kirkuk, weak_iran, WATCH, 0.95 * 0.15),
    # ... faint: below the watch floor -> clear
    (SEED, kirkuk, faint_iran, CLEAR, 0.95 * 0.05),
    (SEED, kirkuk, isis_did_it, CLEAR, 0.0),
    # Kirkuk under the wider "Iran-aligned, whoever directed it" line: KH at any relation counts
    (ALIGNED, kirkuk, moderate_iran, TRIPPED, 0.95 * 0.65),
    (ALIGNED, kirkuk, faint_iran, TRIPPED, 0.95 * 0.45),
    (ALIGNED, kirkuk, isis_did_it, CLEAR, 0.0),
    # hypothetical: two Americans killed, strong evidence of orders -> tripped
    (SEED, hypothetical_killing, strong_iran, TRIPPED, 0.95 * 0.80),
    (ALIGNED, hypothetical_killing, strong_iran, TRIPPED, 0.95 * 0.92),
    # missiles fired by the IRGC itself at Al Asad: nobody killed, so only the missile line can trip
    (SEED, al_asad, lambda i: irgc_result(i, executed=0.9), CLEAR, 0.0),
    (MISSILE, al_asad, lambda i: irgc_result(i, executed=0.9), TRIPPED, 0.9),
    (MISSILE, al_asad, lambda i: irgc_result(i, executed=0.5), WATCH, 0.5),
    (MISSILE, kirkuk, lambda i: irgc_result(i, executed=0.9), CLEAR, 0.0),  # rockets, and in 2019
]


@pytest.mark.parametrize(("rule_id", "make_incident", "make_result", "status", "p"), CASES)
def test_case_table(rules, rule_id, make_incident, make_result, status, p):
    incident = make_incident()
    (ev,) = check([rules[rule_id]], [incident], {incident.id: make_result(incident.id)}, now=NOW)
    assert ev.status is status, ev
    assert ev.probability == pytest.approx(p, abs=1e-9)
    assert ev.words == icd203_phrase(ev.probability)
    assert ev.threshold == rules[rule_id].threshold and ev.standard == rules[rule_id].standard
    assert ev.evaluated_at == NOW and ev.previous_status is None
    # the product of the top-level components is the probability (an `all` rule)
    assert math.prod(ev.components.values()) == pytest.approx(ev.probability)
    assert ev.evidence, "every evaluation explains itself"


def test_components_and_evidence_explain_the_kirkuk_watch(rules):
    incident = kirkuk()
    (ev,) = check([rules[SEED]], [incident], {incident.id: moderate_iran(incident.id)}, now=NOW)
    assert ev.components == {"casualties": pytest.approx(0.95), "attribution": pytest.approx(0.30)}
    # evidence: the item moving most toward/away from "Iran ordered" first, then the casualty fact
    assert ev.evidence[0].startswith("No proof of IRGC tasking presented (log LR -")
    assert any(e.startswith("Iraqi intelligence: ISIS more likely") and "against" in e for e in ev.evidence)
    assert ev.evidence[-1] == "reported: 1 killed (US, contractor)"
    assert len([e for e in ev.evidence if "log LR" in e]) == 3
    assert ev.words == "unlikely"


def test_green_zone_says_why_it_is_clear(rules):
    incident = green_zone()
    (ev,) = check([rules[SEED]], [incident], {incident.id: strong_iran(incident.id)}, now=NOW)
    assert ev.components["casualties"] == 0.0 and ev.components["attribution"] == pytest.approx(0.8)
    fact = ev.evidence[0]  # the fact that fails the rule comes first
    assert fact.startswith("no reported casualty meets >=1 killed, nationality US")
    assert "1 killed (IQ, child)" in fact and "5 injured (IQ, civilian)" in fact


def test_missing_attribution_is_zero_and_said(rules):
    incident = kirkuk()
    (ev,) = check([rules[SEED]], [incident], {}, now=NOW)
    assert ev.probability == 0.0 and ev.status is CLEAR
    assert f"no attribution result for incident {incident.id}" in ev.evidence


def test_interval_propagates_through_the_condition(rules):
    incident = kirkuk()
    result = militia_result(incident.id, ordered=0.30, supported=0.30, independent=0.05, isis=0.25, unknown=0.10, with_intervals=True)
    (ev,) = check([rules[SEED]], [incident], {incident.id: result}, now=NOW)
    assert ev.interval == pytest.approx((0.95 * 0.20, 0.95 * 0.40))
    (ev,) = check([rules[ALIGNED]], [incident], {incident.id: result}, now=NOW)
    # three matching hypotheses, bounds [0.2,0.4]+[0.2,0.4]+[0,0.15] = [0.4, 0.95]; the other two,
    # [0.15,0.35]+[0,0.2], leave between 1-0.55 and 1-0.15 for the match: the tighter ends are kept
    assert ev.interval == pytest.approx((0.95 * 0.45, 0.95 * 0.85))
    no_iv = moderate_iran(incident.id)
    (ev,) = check([rules[SEED]], [incident], {incident.id: no_iv}, now=NOW)
    assert ev.interval is None


COMBINATORS = """
rules:
  - id: combo
    title: Combinators
    declared_by: {speaker: Test}
    consequence: none
    condition:
      any:
        - all:
            - casualties: {status: killed, nationality: US}
            - attribution: {sponsor: iran, relation_at_least: ordered}
        - not:
            attribution: {perpetrators: [isis, unknown]}
    standard: 0.9
"""


def test_any_and_not_combine_by_the_documented_formulas(kb):
    (rule,) = parse_rules(COMBINATORS, kb=kb)
    incident = kirkuk()
    result = militia_result(incident.id, ordered=0.30, supported=0.30, independent=0.05, isis=0.25, unknown=0.10, with_intervals=True)
    ev = evaluate(rule, incident, result, now=NOW, watch_fraction=0.5)
    a = 0.95 * 0.30
    b = 1 - (0.25 + 0.10)
    assert ev.probability == pytest.approx(1 - (1 - a) * (1 - b))
    lo_a, hi_a = 0.95 * 0.20, 0.95 * 0.40
    lo_b, hi_b = 1 - (0.35 + 0.2), 1 - (0.35 - 0.2)  # `not` swaps the bounds
    assert ev.interval == pytest.approx((1 - (1 - lo_a) * (1 - lo_b), 1 - (1 - hi_a) * (1 - hi_b)))
    assert set(ev.components) == {"casualties", "attribution", "attribution#2"}
    assert ev.status is WATCH  # 0.79 >= 0.5 * 0.9


@pytest.mark.parametrize(
    ("casualties", "confidence"),
    [
        ((Casualty(status="killed", count=1, nationality="US"),), 0.95),
        ((Casualty(status="killed", count=1, nationality="US", approximate=True),), 0.85),
        ((Casualty(status="killed", count=3, nationality="US"), Casualty(status="killed", count=2, nationality="US", approximate=True)), 0.95),
        ((Casualty(status="injured", count=9, nationality="US"),), 0.0),
        ((Casualty(status="killed", count=1, nationality=None),), 0.0),
    ],
)
def test_reporting_confidence(rules, casualties, confidence):
    incident = hypothetical_killing().model_copy(update={"casualties": casualties})
    (ev,) = check([rules[SEED]], [incident], {incident.id: strong_iran(incident.id)}, now=NOW)
    assert ev.components["casualties"] == pytest.approx(confidence)


def test_min_count_and_category(kb):
    (rule,) = parse_rules(COMBINATORS.replace("casualties: {status: killed, nationality: US}", "casualties: {status: killed, nationality: US, min_count: 2, category: service-member}"), kb=kb)
    ev = evaluate(rule, hypothetical_killing(), strong_iran("x"), now=NOW, watch_fraction=0.5)
    assert ev.components["casualties"] == pytest.approx(0.95)
    ev = evaluate(rule, kirkuk(), strong_iran("x"), now=NOW, watch_fraction=0.5)
    assert ev.components["casualties"] == 0.0


def test_watch_fraction_from_settings_and_rule(rules, kb):
    incident = kirkuk()
    result = militia_result(incident.id, ordered=0.40, supported=0.20, independent=0.05, isis=0.25, unknown=0.10)
    # threshold 0.99: even certain attribution (0.95) would not reach it, so only the fraction rule can put it on watch
    strict = rules[ALIGNED].model_copy(update={"watch_fraction": None, "threshold": 0.99})
    (ev,) = check([strict], [incident], {incident.id: result}, now=NOW, settings=Settings({"watch_fraction": 0.7}, environ={}))
    assert ev.probability == pytest.approx(0.95 * 0.65) and ev.status is CLEAR  # 0.6175 < 0.7 * 0.99
    (ev,) = check([strict], [incident], {incident.id: result}, now=NOW, settings=Settings({"watch_fraction": 0.6}, environ={}))
    assert ev.status is WATCH  # 0.6175 >= 0.6 * 0.99
    (ev,) = check([strict.model_copy(update={"watch_fraction": 0.6})], [incident], {incident.id: result}, now=NOW, settings=Settings({"watch_fraction": 0.7}, environ={}))
    assert ev.status is WATCH  # the rule's own fraction wins over the setting
    # threshold 0.9: the rest of the condition (0.95) would meet it, attribution is the open question -> watch
    (ev,) = check([strict.model_copy(update={"threshold": 0.9})], [incident], {incident.id: result}, now=NOW, settings=Settings({"watch_fraction": 0.7}, environ={}))
    assert ev.status is WATCH


def test_undated_or_unplaced_incidents_fail_place_and_date_leaves(rules):
    incident = al_asad().model_copy(update={"date": None, "place": None})
    (ev,) = check([rules[MISSILE]], [incident], {incident.id: irgc_result(incident.id, executed=0.9)}, now=NOW)
    assert ev.components["place"] == 0.0 and ev.components["date"] == 0.0 and ev.status is CLEAR
    assert "place unknown" in ev.evidence and "date unknown" in ev.evidence


def test_check_is_rule_major_over_all_incidents(rules):
    incidents = [kirkuk(), green_zone(), hypothetical_killing()]
    results: dict[str, AttributionResult] = {i.id: strong_iran(i.id) for i in incidents}
    evs = check(list(rules.values()), incidents, results, now=NOW)
    assert len(evs) == len(rules) * len(incidents)
    assert [e.rule_id for e in evs[:3]] == [next(iter(rules))] * 3
