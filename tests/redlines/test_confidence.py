"""ICD 203 analytic confidence of red-line evaluations, and standards named by their threshold.

The casualty cases reuse the tanker attack of ``test_casualty_reports``: one
outlet reports an American among the dead, others name a Briton and a
Romanian.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tripwire.attribute import Attributor
from tripwire.extract import extract_text, merge
from tripwire.icd203 import icd203_phrase
from tripwire.model import Casualty, Confidence, ConfidenceBasis, Incident
from tripwire.redlines import DEFAULT_STANDARDS, STANDARDS, check, load_rules
from tripwire.redlines.check import casualty_basis, combine_bases
from tripwire.redlines.conditions import CasualtyCondition
from tripwire.settings import Settings

from .scenarios import NOW, hypothetical_killing, kirkuk, militia_result
from .test_casualty_reports import GB1, PUB, RIGHT, RO1, US1, WRONG, _incident, _report

SEED = "us-american-killed-iran-instructed"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "redlines.md"
AMERICAN_KILLED = CasualtyCondition(status="killed", nationality="US", min_count=1)


@pytest.fixture(scope="module")
def rules(kb):  # type: ignore[no-untyped-def]
    return {r.id: r for r in load_rules(kb=kb)}


@pytest.mark.parametrize(
    ("reports", "met", "basis"),
    [
        ((_report("a", US1, reliability=0.95),), True, ConfidenceBasis(origins=1, best_reliability=0.95)),
        ((_report("a", US1), _report("b", GB1, RO1)), True, ConfidenceBasis(origins=1, best_reliability=0.8, dissent=1)),
        ((_report("a", US1), _report("b", US1, reliability=0.65), _report("c", US1, reliability=0.5)), True, ConfidenceBasis(origins=3, best_reliability=0.8)),
        ((_report("a", US1), _report("a", US1)), True, ConfidenceBasis(origins=1, best_reliability=0.8)),  # one outlet twice is one origin
        ((_report("a", US1), _report("b", Casualty(status="killed", count=0, nationality="US"))), True, ConfidenceBasis(origins=1, best_reliability=0.8, dissent=1)),
        ((_report("b", GB1), _report("c", RO1, reliability=0.95)), False, ConfidenceBasis(origins=2, best_reliability=0.95)),  # not met: who reported figures
    ],
)
def test_casualty_basis(reports, met: bool, basis: ConfidenceBasis) -> None:  # type: ignore[no-untyped-def]
    assert casualty_basis(AMERICAN_KILLED, _incident(*reports), met) == basis


def test_casualty_basis_without_reports_counts_documents() -> None:
    incident = hypothetical_killing().model_copy(update={"documents": ("doc-1", "doc-2", "doc-1")})
    assert casualty_basis(AMERICAN_KILLED, incident, True) == ConfidenceBasis(origins=2)


@pytest.mark.parametrize(
    ("bases", "combined"),
    [
        ([ConfidenceBasis(origins=3, best_reliability=0.95), ConfidenceBasis(origins=2, best_reliability=0.8, dissent=1)],
         ConfidenceBasis(origins=2, best_reliability=0.8, dissent=1)),
        ([ConfidenceBasis(origins=4, best_reliability=0.95, dissent=1), ConfidenceBasis(origins=1, best_reliability=None, dissent=2)],
         ConfidenceBasis(origins=1, best_reliability=None, dissent=3)),
        ([], ConfidenceBasis(origins=1)),  # no reporting leaf: the incident's one document, ungraded
    ],
)
def test_combine_bases_takes_the_weakest(bases: list[ConfidenceBasis], combined: ConfidenceBasis) -> None:
    incident = kirkuk().model_copy(update={"documents": ("doc-1",)})
    assert combine_bases(bases, incident) == combined


def test_one_wrong_article_gives_low_confidence_end_to_end(rules, kb) -> None:  # type: ignore[no-untyped-def]
    exs = [extract_text(t, published=PUB, document_id=f"doc-{n}", kb=kb) for n, t in enumerate((WRONG, *RIGHT))]
    (incident,) = merge(exs, kb).incidents
    result = Attributor(kb, settings=Settings({"interval_draws": 100}, environ={})).attribute(incident, rng=3)
    (ev,) = check([rules[SEED]], [incident], {incident.id: result}, now=NOW)
    assert ev.basis is not None and ev.basis.dissent >= 3  # the three reports naming other victims
    assert ev.confidence is Confidence.LOW
    assert ev.words == icd203_phrase(ev.probability)


@pytest.mark.parametrize(
    ("result", "confidence"),
    [
        ("engine", Confidence.MODERATE),  # kirkuk: three outlets report the death, but only two origins name who
        ("none", Confidence.LOW),  # an attribution leaf with no result: nobody said who
        ("legacy", None),  # a result stored before confidence was assessed: not guessed
    ],
)
def test_evaluation_confidence_follows_its_attribution(rules, kb, result: str, confidence: Confidence | None) -> None:  # type: ignore[no-untyped-def]
    incident: Incident = kirkuk()
    reports = (_report("Reuters", US1, reliability=0.95), _report("AP", US1, reliability=0.95), _report("The Washington Post", US1))
    incident = incident.model_copy(update={"casualty_reports": reports})
    results = {}
    if result == "engine":
        results[incident.id] = Attributor(kb, settings=Settings({"interval_draws": 0}, environ={})).attribute(incident)
    elif result == "legacy":
        results[incident.id] = militia_result(incident.id, ordered=0.3, supported=0.3, independent=0.05, isis=0.25, unknown=0.1).model_copy(update={"basis": None})
    (ev,) = check([rules[SEED]], [incident], results, now=NOW)
    assert ev.confidence is confidence
    if result == "engine":
        # casualties: three A/B outlets; attribution: US officials and Iraqi intelligence -> two origins, no dissent
        assert ev.basis == ConfidenceBasis(origins=2, best_reliability=0.8, dissent=0)
    if result == "none":
        assert ev.basis == ConfidenceBasis(origins=0, best_reliability=None, dissent=0)


def test_standards_are_described_by_their_threshold() -> None:
    assert DEFAULT_STANDARDS["clear-and-convincing"].describe() == "clear-and-convincing (P >= 0.75, likely)"
    assert DEFAULT_STANDARDS["beyond-reasonable-doubt"].words == "almost certain"
    for s in STANDARDS:  # no likelihood phrase hand-written into a standard's help
        assert not re.search(r"highly probable|almost certain|very likely|ICD 203", s.help, re.I), s.help


def test_documented_standards_table_matches_the_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \| ([\d.]+) \| [^|]+ \| ([a-z ]+) \|$", text, re.M)
    assert [(n, float(t), w) for n, t, w in rows] == [(s.name, s.threshold, s.words) for s in STANDARDS]
