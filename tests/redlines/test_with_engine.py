"""The bundled rules against the real attribution engine, on the theatre's reference incidents.

Statuses are asserted, not exact probabilities: the engine's numbers may be
retuned, but the seed rule must stay on watch for Kirkuk (an American killed,
Iranian orders plausible but unproven), clear for the Green Zone (no American
killed), and the missile rule must trip for Al Asad (Iran's own missiles).
"""

from __future__ import annotations

import pytest

import tripwire.attribute as attribute
from tripwire.model import RedLineStatus
from tripwire.redlines import check, load_rules

from .scenarios import NOW, al_asad, green_zone, kirkuk


CASES = [
    ("us-american-killed-iran-instructed", kirkuk, RedLineStatus.WATCH),
    ("us-american-killed-iran-instructed", green_zone, RedLineStatus.CLEAR),
    ("us-american-killed-iran-instructed", al_asad, RedLineStatus.CLEAR),
    ("us-personnel-killed-iran-aligned", green_zone, RedLineStatus.CLEAR),
    ("iran-state-missile-attack", al_asad, RedLineStatus.TRIPPED),
    ("iran-state-missile-attack", kirkuk, RedLineStatus.CLEAR),
]


@pytest.fixture(scope="module")
def attributor(kb):
    return attribute.Attributor(kb)


@pytest.mark.parametrize(("rule_id", "make", "status"), CASES)
def test_bundled_rules_with_the_engine(kb, attributor, rule_id, make, status):
    incident = make()
    result = attributor.attribute(incident, rng=20200105)
    (rule,) = [r for r in load_rules(kb=kb) if r.id == rule_id]
    (ev,) = check([rule], [incident], {incident.id: result}, now=NOW)
    assert ev.status is status, ev
    if ev.interval is not None:
        lo, hi = ev.interval
        assert lo <= ev.probability <= hi
    if "attribution" in ev.components and ev.components["attribution"] > 0:
        assert any("log LR" in e for e in ev.evidence)
