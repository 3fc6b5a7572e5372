"""Conflicting casualty reports stay visible and are weighed by source reliability.

A tanker attack off Oman: one outlet reports an American among the dead, three
others name the two victims as a Briton and a Romanian. The merged incident
keeps every report; the red-line check uses the reliability-weighted share of
the reports that support "an American killed", so one wrong report does not
make the death certain. The articles are written for this test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tripwire.extract import extract_text, merge
from tripwire.model import Casualty, CasualtyReport, Incident, Source, tally
from tripwire.redlines import check, load_rules

from .scenarios import NOW, militia_result

SEED = "us-american-killed-iran-instructed"


@pytest.fixture(scope="module")
def rules(kb):  # type: ignore[no-untyped-def]
    return {r.id: r for r in load_rules(kb=kb)}


def strong_iran(incident_id: str):  # type: ignore[no-untyped-def]
    return militia_result(incident_id, ordered=0.80, supported=0.10, independent=0.02, isis=0.05, unknown=0.03)

PUB = dt.date(2021, 7, 31)
WRONG = "A drone attack on the tanker Mercer Street off the coast of Oman on Thursday killed an American crew member, a local website reported."
RIGHT = (
    "The drone attack on the tanker Mercer Street off the coast of Oman on Thursday killed two crew members, a Briton and a Romanian, the ship's operator said.",
    "Two crew members, a Briton and a Romanian, were killed in Thursday's drone attack on the Mercer Street tanker off Oman.",
    "A British security guard and a Romanian captain were killed when a drone hit the Mercer Street off the coast of Oman on Thursday.",
)


def _report(doc: str, *cas: Casualty, reliability: float = 0.8) -> CasualtyReport:
    return CasualtyReport(document_id=doc, source=Source(outlet=doc), casualties=cas, reliability=reliability)


US1 = Casualty(status="killed", count=1, nationality="US")
GB1 = Casualty(status="killed", count=1, nationality="GB")
RO1 = Casualty(status="killed", count=1, nationality="RO")


def _incident(*reports: CasualtyReport) -> Incident:
    cas = tuple(c for r in reports for c in r.casualties)
    return Incident(id="2021-07-29-arabian-sea-drone-attack", date=dt.date(2021, 7, 29), casualties=cas, casualty_reports=reports)


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        ((_report("a", US1),), 0.95),  # one report, nobody contradicts it
        ((_report("a", US1), _report("b", GB1, RO1)), 0.95 * 0.5),  # one against one of equal standing
        ((_report("a", US1, reliability=0.5), _report("b", GB1, RO1), _report("c", GB1, RO1), _report("d", GB1)), 0.95 * 0.5 / (0.5 + 2.4)),
        ((_report("a", US1), _report("b", Casualty(status="killed", count=0, nationality="US"))), 0.95 * 0.5),  # "no Americans were killed"
        ((_report("a", US1), _report("b", Casualty(status="injured", count=3, nationality="GB"))), 0.95),  # says nothing about the dead
    ],
)
def test_casualty_probability_weighs_the_reports(rules, reports, expected) -> None:  # type: ignore[no-untyped-def]
    incident = _incident(*reports)
    (ev,) = check([rules[SEED]], [incident], {incident.id: strong_iran(incident.id)}, now=NOW)
    assert ev.components["casualties"] == pytest.approx(expected)
    if len(reports) > 1 and expected < 0.95:
        assert any("sources conflict" in e for e in ev.evidence)


def test_one_wrong_article_among_four_does_not_make_an_american_dead(rules, kb) -> None:  # type: ignore[no-untyped-def]
    exs = [extract_text(t, published=PUB, document_id=f"doc-{n}", kb=kb) for n, t in enumerate((WRONG, *RIGHT))]
    (incident,) = merge(exs, kb).incidents
    assert len(incident.casualty_reports) == 4
    assert incident.killed("US") == 1 and incident.killed("GB") == 1 and incident.killed("RO") == 1  # every report stays visible
    (ev,) = check([rules[SEED]], [incident], {incident.id: strong_iran(incident.id)}, now=NOW)
    assert 0 < ev.components["casualties"] < 0.5


@pytest.mark.parametrize(
    ("casualties", "nationality", "killed"),
    [
        ((Casualty(status="killed", count=3, nationality="US"), Casualty(status="killed", count=1, nationality="US", category="service-member")), "US", 3),
        ((Casualty(status="killed", count=1, nationality="US", category="service-member"), Casualty(status="killed", count=2, nationality="US", category="contractor")), "US", 3),
        # reported apart, counted apart ("including an American" is taken out of its total when the text says so)
        ((Casualty(status="killed", count=10, nationality=None), Casualty(status="killed", count=1, nationality="US", category="service-member")), None, 11),
        ((Casualty(status="killed", count=1, nationality="US"), Casualty(status="killed", count=1, nationality="RO")), None, 2),
    ],
)
def test_tally_counts_nobody_twice(casualties, nationality, killed) -> None:  # type: ignore[no-untyped-def]
    assert tally(casualties, "killed", nationality) == killed
