"""A store seeded with realistic incidents, attribution results and red-line evaluations, and an app over it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tripwire.model import (
    Action,
    AttributionKind,
    AttributionResult,
    AttributionStatement,
    Casualty,
    ConfidenceBasis,
    Evaluation,
    EvidenceContribution,
    Hypothesis,
    Incident,
    Place,
    PosteriorEntry,
    RedLineStatus,
    Source,
)
from tripwire.settings import Settings

TOKEN = "s3cret-token"

K1 = Incident(
    id="2019-12-27-k1-air-base-rocket-attack",
    date=dt.date(2019, 12, 27),
    date_precision="day",
    place=Place(name="K-1 Air Base", country="IQ", lat=35.517, lon=44.285),
    attack_type="rocket attack",
    weapon="rocket",
    target="K-1 air base",
    casualties=(Casualty(status="killed", count=1, nationality="US", category="contractor"), Casualty(status="injured", count=4, nationality="US", category="service-member")),
    attributions=(
        AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.ALLEGED, sponsor="iran", relation="supported", asserted_by=Source(speaker="US officials", speaker_id="us-administration")),
        AttributionStatement(actor="isis", kind=AttributionKind.ASSESSED, hedges=("more likely",), comparative="more likely", asserted_by=Source(speaker="Iraqi intelligence", speaker_id="iraqi-intelligence", outlet="The New York Times")),
    ),
    summary="Rockets hit K-1 air base near Kirkuk, killing a US contractor",
)
GREEN_ZONE = Incident(
    id="2020-11-17-green-zone-rocket-attack",
    date=dt.date(2020, 11, 17),
    date_precision="day",
    place=Place(name="Green Zone", country="IQ", lat=33.301, lon=44.388),
    attack_type="rocket attack",
    weapon="rocket",
    casualties=(Casualty(status="killed", count=1, nationality=None, category="child"), Casualty(status="injured", count=5, category="civilian")),
    attributions=(
        AttributionStatement(actor="iran-aligned-militia", kind=AttributionKind.ALLEGED, hedges=("apparently",), sponsor="iran", relation="supported", asserted_by=Source(outlet="The Washington Post", outlet_id="washington-post")),
    ),
    summary="Rockets fired at Baghdad's Green Zone <b>kill a child</b>",
)
STRIKES = Action(id="2019-12-29-us-airstrike-kataib-hezbollah", kind="airstrike", actor="usa", target="kataib-hezbollah", date=dt.date(2019, 12, 29), casualties=(Casualty(status="killed", count=25, category="fighter"),), caused_by=(K1.id,), summary="US strikes on Kataib Hezbollah")


def _result(incident: Incident, p_ordered: float) -> AttributionResult:
    hyps = [
        (Hypothesis(perpetrator="kataib-hezbollah", sponsor="iran", relation="ordered"), 0.2, p_ordered),
        (Hypothesis(perpetrator="kataib-hezbollah", sponsor="iran", relation="supported"), 0.4, 0.9 - p_ordered),
        (Hypothesis(perpetrator="isis", relation="independent"), 0.4, 0.1),
    ]
    return AttributionResult(
        incident_id=incident.id,
        posterior=tuple(PosteriorEntry(hypothesis=h, prior=pr, probability=p, interval=(max(0.0, p - 0.1), min(1.0, p + 0.1)), confidence=BASIS.confidence((max(0.0, p - 0.1), min(1.0, p + 0.1))))
                        for h, pr, p in hyps),
        evidence=(EvidenceContribution(label="US officials allege Kataib Hezbollah", kind="alleged", weight=0.3, log_lr={hyps[0][0].key: 0.4}, notes=("labelling bias",)),),
        basis=BASIS,
    )


#: two origins name who, the best graded B, one disputes it: moderate confidence at best
BASIS = ConfidenceBasis(origins=2, best_reliability=0.8, dissent=1)


def _evaluation(incident: Incident, p: float, status: RedLineStatus, words: str, when: dt.datetime, *, assessed: bool = True) -> Evaluation:
    """A stored evaluation; ``assessed=False`` is one recorded before confidence was assessed (legacy words kept)."""
    return Evaluation(
        rule_id="us-american-killed-iran-instructed",
        incident_id=incident.id,
        probability=p,
        interval=(max(0.0, p - 0.1), min(1.0, p + 0.1)),
        standard="preponderance",
        threshold=0.5,
        status=status,
        words=words,
        components={"casualties": 1.0 if incident.killed("US") else 0.0, "attribution": p},
        evidence=("US officials allege Kataib Hezbollah",),
        evaluated_at=when,
        confidence=BASIS.confidence((max(0.0, p - 0.1), min(1.0, p + 0.1))) if assessed else None,
        basis=BASIS if assessed else None,
    )


@pytest.fixture()
def seeded_store(tmp_path: Path) -> Iterator[object]:
    from tripwire.store import Store

    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    seed(store)
    yield store
    store.close()


def seed(store) -> None:  # type: ignore[no-untyped-def]
    """The incidents, action, attribution results and evaluations the web tests read."""
    for incident in (K1, GREEN_ZONE):
        store.save_incident(incident)
    store.save_action(STRIKES)
    store.save_attribution(_result(K1, 0.35))
    store.save_attribution(_result(GREEN_ZONE, 0.2))
    t0 = dt.datetime(2020, 11, 18, 12, tzinfo=dt.timezone.utc)
    store.record_evaluation(_evaluation(K1, 0.31, RedLineStatus.WATCH, "unlikely", t0))
    store.record_evaluation(_evaluation(GREEN_ZONE, 0.0, RedLineStatus.CLEAR, "almost no chance", t0, assessed=False))


@pytest.fixture()
def web_settings(tmp_path: Path) -> Settings:
    return settings_for(f"sqlite:///{tmp_path / 'web.db'}")


def settings_for(url: str) -> Settings:
    """The web tests' settings over the store at ``url``."""
    # the test client sends Host: testserver, which a real deployment would not answer to
    return Settings({"database_url": url, "api_token": TOKEN, "max_request_bytes": 20_000, "allowed_hosts": "testserver,localhost,127.0.0.1"}, environ={})


@pytest.fixture()
def app(seeded_store: object, web_settings: Settings):  # type: ignore[no-untyped-def]
    from tripwire.web.app import create_app

    return create_app(web_settings, store=seeded_store)


#: bases that were hit repeatedly (public facts: name, country, approximate coordinates)
BASES = (
    ("Al Asad Air Base", "IQ", 33.785, 42.441),
    ("Erbil International Airport", "IQ", 36.237, 43.963),
    ("Camp Taji", "IQ", 33.530, 44.260),
    ("Al-Tanf garrison", "SY", 33.490, 38.620),
    ("Mission Support Site Conoco", "SY", 35.300, 40.300),
    ("Tower 22", "JO", 33.320, 38.690),
)


def busy_incidents(n: int = 60) -> list[Incident]:
    """``n`` dated attacks on the bases above, one every five days from October 2023, every third claimed by Kataib Hezbollah."""
    out = []
    for k in range(n):
        name, country, lat, lon = BASES[k % len(BASES)]
        day = dt.date(2023, 10, 17) + dt.timedelta(days=5 * k)
        slug = name.lower().replace(" ", "-")
        claims = (AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.CLAIMED, asserted_by=Source(speaker="Kataib Hezbollah")),) if k % 3 == 0 else ()
        out.append(Incident(
            id=f"{day}-{slug}-drone-attack", date=day, date_precision="day", place=Place(name=name, country=country, lat=lat, lon=lon),
            attack_type="drone attack", weapon="one-way attack drone", target=name, attributions=claims,
            casualties=(Casualty(status="injured", count=1 + k % 4, nationality="US", category="service-member"),),
            summary=f"A drone struck {name}",
        ))  # fmt: skip
    return out


@pytest.fixture()
def busy_app(seeded_store, web_settings):  # type: ignore[no-untyped-def]
    """The seeded app plus sixty attacks on six bases in Iraq, Syria and Jordan (paging and filters have something to do)."""
    from tripwire.web.app import create_app

    for incident in busy_incidents():
        seeded_store.save_incident(incident)  # type: ignore[attr-defined]
    seeded_store.save_action(Action(id="2024-02-02-us-airstrikes-iraq-syria", kind="airstrike", actor="usa", target="kataib-hezbollah",  # type: ignore[attr-defined]
                                    date=dt.date(2024, 2, 2), place=Place(name="Al-Qaim", country="IQ", lat=34.37, lon=41.09), summary="US strikes in Iraq and Syria"))
    return create_app(web_settings, store=seeded_store)
