"""Fixtures of the interop tests: the small dataset files under fixtures/ and a built incident."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tripwire.model import (
    AttributionKind,
    AttributionResult,
    AttributionStatement,
    Casualty,
    EvidenceContribution,
    Hypothesis,
    Incident,
    Place,
    PosteriorEntry,
    Source,
    Span,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The folder of hand-made ACLED / UCDP / GDELT sample files."""
    return FIXTURES


@pytest.fixture(scope="session")
def k1_incident() -> Incident:
    """A rocket attack on a base, alleged against one militia and disputed by Iraqi intelligence."""
    return Incident(
        id="2019-12-27-k1-air-base-rocket-attack",
        date=dt.date(2019, 12, 27),
        date_precision="day",
        place=Place(name="K-1 Air Base", country="IQ", lat=35.517, lon=44.285, gazetteer_id="k1-air-base"),
        attack_type="rocket attack",
        weapon="rocket-107mm",
        target="coalition base",
        casualties=(
            Casualty(status="killed", count=1, nationality="US", category="contractor"),
            Casualty(status="injured", count=4, nationality="US", category="service-member", approximate=True),
        ),
        attributions=(
            AttributionStatement(
                actor="kataib-hezbollah",
                kind=AttributionKind.ALLEGED,
                sponsor="iran",
                relation="supported",
                asserted_by=Source(speaker="US officials", speaker_id="us-administration", outlet="Reuters", outlet_id="reuters"),
                evidence=Span(document_id="doc-a", start=10, end=40, text="blamed the militia for the salvo"),
            ),
            AttributionStatement(
                actor="kataib-hezbollah",
                kind=AttributionKind.DISPUTED,
                hedges=("not proven",),
                asserted_by=Source(speaker="Iraqi intelligence", speaker_id="iraqi-intelligence", anonymous=True, role="officials"),
            ),
            AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.DENIED, asserted_by=Source(outlet="Sabereen News", outlet_id="sabereen-news")),
        ),
        documents=("doc-a", "doc-b"),
        summary="Rockets hit a base near Kirkuk; a US contractor died.",
    )


@pytest.fixture(scope="session")
def k1_result(k1_incident: Incident) -> AttributionResult:
    """A posterior for the K-1 incident: mostly Kataib Hezbollah supported by Iran, some ISIS."""
    return AttributionResult(
        incident_id=k1_incident.id,
        posterior=(
            PosteriorEntry(hypothesis=Hypothesis(perpetrator="kataib-hezbollah", sponsor="iran", relation="supported"), prior=0.3, probability=0.55),
            PosteriorEntry(hypothesis=Hypothesis(perpetrator="kataib-hezbollah", sponsor="iran", relation="ordered"), prior=0.1, probability=0.15),
            PosteriorEntry(hypothesis=Hypothesis(perpetrator="kataib-hezbollah"), prior=0.2, probability=0.1),
            PosteriorEntry(hypothesis=Hypothesis(perpetrator="isis"), prior=0.4, probability=0.2, interval=(0.1, 0.3)),
        ),
        evidence=(
            EvidenceContribution(label="US officials blame the militia", kind="statement", weight=0.4,
                                 log_lr={"kataib-hezbollah|iran|supported": 0.9}, notes=("labelling bias discounted",)),
        ),
    )
