"""Priors per theatre in the hypothesis space and the prior vector; Iraq numbers unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from tripwire.attribute import Attributor, hypothesis_space
from tripwire.attribute.hypotheses import perpetrators, prior_vector, perpetrator_marginal
from tripwire.model import AttributionStatement, Incident, Place, Source
from tripwire.settings import Settings

from .cases import GREEN_ZONE, KIRKUK, K

FAST = Settings({"interval_draws": 0}, environ={})


@pytest.fixture(scope="module")
def att(kb):  # type: ignore[no-untyped-def]
    return Attributor(kb, settings=FAST)


def _moved(incident: Incident, place: Place | None) -> Incident:
    return incident.model_copy(update={"place": place})


@pytest.mark.parametrize("incident", [GREEN_ZONE, KIRKUK], ids=lambda i: i.id)
def test_iraq_posterior_is_the_default_posterior(att, incident: Incident) -> None:  # type: ignore[no-untyped-def]
    here = att.attribute(incident)
    nowhere = att.attribute(_moved(incident, None))
    assert [e.hypothesis.key for e in here.posterior] == [e.hypothesis.key for e in nowhere.posterior]
    assert [e.probability for e in here.posterior] == [e.probability for e in nowhere.posterior]
    assert [e.prior for e in here.posterior] == [e.prior for e in nowhere.posterior]


@pytest.mark.parametrize(
    ("place", "expected", "absent"),
    [
        (Place(name="Manda Bay", country="KE"), {"al-shabaab", "isis-somalia"}, {"kataib-hezbollah", "asaib-ahl-al-haq"}),
        (Place(name="Sanaa", country="YE"), {"houthis", "aqap"}, {"kataib-hezbollah"}),
        (Place(name="Red Sea", country=None, gazetteer_id="red-sea"), {"houthis"}, {"asaib-ahl-al-haq"}),
        (Place(name="Niamey", country="NE"), {"jnim", "isgs", "iswap"}, {"kataib-hezbollah"}),
    ],
)
def test_perpetrators_come_from_the_theatre(kb, place: Place, expected: set[str], absent: set[str]) -> None:  # type: ignore[no-untyped-def]
    inc = Incident(id="t", place=place)
    names = set(perpetrators(kb, inc))
    assert expected <= names and not (absent & names) and "unknown" in names


def test_prior_follows_the_theatre(att, kb) -> None:  # type: ignore[no-untyped-def]
    inc = Incident(id="kenya", place=Place(name="Lamu", country="KE"))
    space = hypothesis_space(kb, inc)
    marg = perpetrator_marginal(space, prior_vector(kb, space, att.tables, inc))
    assert max(marg, key=lambda p: marg[p]) == "al-shabaab"
    assert marg["al-shabaab"] == pytest.approx(0.78)


def test_yemen_relation_table_is_used(att, kb) -> None:  # type: ignore[no-untyped-def]
    us = Source(speaker="US officials", speaker_id="us-administration")
    inc = Incident(id="ye", place=Place(name="Hodeidah", country="YE"),
                   attributions=(AttributionStatement(actor="houthis", kind=K.ALLEGED, asserted_by=us),))
    space = hypothesis_space(kb, inc)
    prior = prior_vector(kb, space, att.tables, inc)
    houthi = {h.relation or "independent": p for h, p in zip(space, prior) if h.perpetrator == "houthis"}
    total = sum(houthi.values())
    assert total == pytest.approx(0.70)
    assert houthi["independent"] / total == pytest.approx(0.30) and houthi["ordered"] / total == pytest.approx(0.15)


def test_sensitivity_reports_the_theatre_base_rate(att) -> None:  # type: ignore[no-untyped-def]
    us = Source(speaker="US officials", speaker_id="us-administration")
    inc = Incident(id="ke", place=Place(name="Lamu", country="KE"),
                   attributions=(AttributionStatement(actor="al-shabaab", kind=K.ALLEGED, asserted_by=us),))
    p0 = att.sensitivity(inc, target=lambda h: h.perpetrator == "al-shabaab", threshold=0.5).target_probability
    rep = att.sensitivity(inc, target=lambda h: h.perpetrator == "al-shabaab", threshold=p0 - 0.01)
    texts = [c.change for c in rep.changes if c.setting == "prior"]
    assert any("base rate of al-shabaab (0.78)" in t for t in texts), texts
    assert np.isfinite(rep.target_probability)
