"""Realistic incidents and attribution results for the red-line and report tests.

The facts follow public reporting on the Iraq theatre (Kirkuk K-1 base,
December 2019; Baghdad Green Zone rockets, November 2020; Al Asad missiles,
January 2020); the posteriors are hand-made stand-ins for what the attribution
engine produces, with the shapes it produces.
"""

from __future__ import annotations

import datetime as dt

from tripwire.model import (
    AttributionKind,
    AttributionResult,
    AttributionStatement,
    Casualty,
    ConfidenceBasis,
    EvidenceContribution,
    Hypothesis,
    Incident,
    Place,
    PosteriorEntry,
    Source,
)

NOW = dt.datetime(2020, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


def kirkuk() -> Incident:
    """K-1 base, 27 Dec 2019: a US contractor killed, service members and Iraqi personnel hurt."""
    return Incident(
        id="2019-12-27-k1-air-base-rocket-attack",
        date=dt.date(2019, 12, 27),
        place=Place(name="K-1 Air Base", country="IQ", lat=35.517, lon=44.285, gazetteer_id="k1-air-base"),
        attack_type="rocket attack",
        weapon="rocket",
        target="K-1 Air Base (US and Iraqi forces)",
        casualties=(
            Casualty(status="killed", count=1, nationality="US", category="contractor"),
            Casualty(status="injured", count=4, nationality="US", category="service-member"),
            Casualty(status="injured", count=2, nationality="IQ", category="service-member"),
        ),
        attributions=(
            AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.ALLEGED, sponsor="iran", relation="supported", asserted_by=Source(speaker_id="us-administration", speaker="US officials")),
            AttributionStatement(actor="isis", kind=AttributionKind.ASSESSED, comparative="more likely", asserted_by=Source(speaker_id="iraqi-intelligence", speaker="Iraqi intelligence")),
        ),
        summary="Some thirty rockets hit the K-1 base near Kirkuk; a US civilian contractor died.",
    )


def green_zone() -> Incident:
    """Baghdad, 17 Nov 2020: rockets near the Green Zone; an Iraqi child killed, five civilians hurt."""
    return Incident(
        id="2020-11-17-green-zone-rockets",
        date=dt.date(2020, 11, 17),
        place=Place(name="Green Zone", country="IQ", lat=33.301, lon=44.388, gazetteer_id="green-zone"),
        attack_type="rocket attack",
        weapon="rocket",
        target="US embassy area",
        casualties=(
            Casualty(status="killed", count=1, nationality="IQ", category="child"),
            Casualty(status="injured", count=5, nationality="IQ", category="civilian"),
        ),
        attributions=(
            AttributionStatement(actor="iran-aligned-militia", kind=AttributionKind.ALLEGED, hedges=("apparently",), sponsor="iran", relation="supported", asserted_by=Source(outlet="The Washington Post", outlet_id="washington-post")),
        ),
    )


def hypothetical_killing() -> Incident:
    """A made-up attack that kills two US service members at Erbil airport."""
    return Incident(
        id="2021-03-01-erbil-hypothetical",
        date=dt.date(2021, 3, 1),
        place=Place(name="Erbil International Airport", country="IQ", lat=36.2376, lon=43.9632, gazetteer_id="erbil-airport"),
        attack_type="rocket attack",
        weapon="rocket-107mm",
        casualties=(Casualty(status="killed", count=2, nationality="US", category="service-member"),),
    )


def al_asad() -> Incident:
    """Al Asad, 8 Jan 2020: Iranian ballistic missiles, no one killed."""
    return Incident(
        id="2020-01-08-al-asad-missile-strike",
        date=dt.date(2020, 1, 8),
        place=Place(name="Al Asad Air Base", country="IQ", lat=33.7856, lon=42.4412, gazetteer_id="al-asad"),
        attack_type="missile strike",
        weapon="ballistic missiles",
        casualties=(Casualty(status="injured", count=110, nationality="US", category="service-member", approximate=True),),
    )


def entry(perp: str, sponsor: str | None, relation: str, p: float, prior: float = 0.1, interval: tuple[float, float] | None = None) -> PosteriorEntry:
    """One posterior line."""
    return PosteriorEntry(hypothesis=Hypothesis(perpetrator=perp, sponsor=sponsor, relation=relation), prior=prior, probability=p, interval=interval)


def militia_result(incident_id: str, *, ordered: float, supported: float, independent: float, isis: float, unknown: float, with_intervals: bool = False) -> AttributionResult:
    """A posterior over Kataib Hezbollah x {ordered, supported, independent}, ISIS and unknown, with evidence."""

    def iv(p: float) -> tuple[float, float] | None:
        return (max(0.0, p - 0.1), min(1.0, p + 0.1)) if with_intervals else None

    entries = (
        entry("kataib-hezbollah", "iran", "ordered", ordered, 0.105, iv(ordered)),
        entry("kataib-hezbollah", "iran", "supported", supported, 0.15, iv(supported)),
        entry("kataib-hezbollah", "iran", "independent", independent, 0.045, iv(independent)),
        entry("isis", None, "independent", isis, 0.25, iv(isis)),
        entry("unknown", None, "independent", unknown, 0.2, iv(unknown)),
    )
    k_o, k_s, k_i, i_i, u_i = (e.hypothesis.key for e in entries)
    evidence = (
        EvidenceContribution(label="US officials blame Kataib Hezbollah", kind="alleged", weight=0.6, log_lr={k_o: 1.1, k_s: 1.0, k_i: 0.9, i_i: -0.5, u_i: 0.0}, source=Source(speaker="US officials")),
        EvidenceContribution(label="Iraqi intelligence: ISIS more likely", kind="assessed", weight=0.8, log_lr={k_o: -0.7, k_s: -0.7, k_i: -0.7, i_i: 1.4, u_i: 0.0}, source=Source(speaker="Iraqi intelligence")),
        EvidenceContribution(label="107mm rockets (weapon signature)", kind="weapon", weight=1.0, log_lr={k_o: 0.3, k_s: 0.3, k_i: 0.3, i_i: -0.2, u_i: 0.0}),
        EvidenceContribution(label="No proof of IRGC tasking presented", kind="disputed", weight=0.5, log_lr={k_o: -0.9, k_s: 0.0, k_i: 0.0, i_i: 0.0, u_i: 0.0}),
    )
    # two origins name who (US officials; Iraqi intelligence), one disputes it
    basis = ConfidenceBasis(origins=2, best_reliability=0.8, dissent=1)
    return AttributionResult(incident_id=incident_id, posterior=entries, evidence=evidence, basis=basis)


def irgc_result(incident_id: str, *, executed: float) -> AttributionResult:
    """A posterior where the IRGC itself (a state organ of Iran) fired, else a militia or unknown."""
    rest = 1.0 - executed
    return AttributionResult(
        incident_id=incident_id,
        posterior=(
            entry("irgc", None, "independent", executed),
            entry("kataib-hezbollah", "iran", "ordered", rest * 0.6),
            entry("unknown", None, "independent", rest * 0.4),
        ),
        evidence=(EvidenceContribution(label="IRGC statement claiming the strike", kind="claimed", weight=0.9, log_lr={"irgc|-|independent": 2.5}),),
    )
