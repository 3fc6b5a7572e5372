"""Small, realistic domain objects for store tests (invented events, not quotations)."""

from __future__ import annotations

import datetime as dt

from tripwire.model import (
    Action,
    AttributionKind,
    AttributionResult,
    AttributionStatement,
    Casualty,
    Document,
    Evaluation,
    EvidenceContribution,
    Extraction,
    Hypothesis,
    Incident,
    Place,
    PosteriorEntry,
    RedLineStatement,
    RedLineStatus,
    Source,
    Span,
)

UTC = dt.timezone.utc


def document(text: str = "Rockets struck a base near Kirkuk on Friday evening.", **fields: object) -> Document:
    defaults: dict[str, object] = {
        "location": "/data/articles/kirkuk.txt",
        "title": "Base near Kirkuk hit by rockets",
        "outlet": "Example Wire",
        "published": dt.datetime(2019, 12, 28, 9, 30, tzinfo=UTC),
        "raw_sha256": "ab" * 32,
        "retrieved_at": dt.datetime(2019, 12, 28, 10, 0, tzinfo=UTC),
    }
    defaults.update(fields)
    return Document.from_text(text, **defaults)  # type: ignore[arg-type]


def incident(incident_id: str = "2019-12-27-k1-rocket-attack", *, day: dt.date = dt.date(2019, 12, 27), country: str = "IQ", killed: int = 1) -> Incident:
    span = Span(document_id="d" * 64, start=0, end=30, text="about thirty rockets were fired")
    return Incident(
        id=incident_id,
        date=day,
        date_text="Friday",
        date_precision="day",
        place=Place(name="K-1 Air Base", country=country, lat=35.5, lon=44.3, gazetteer_id="k1-air-base"),
        attack_type="rocket-attack",
        weapon="107mm-rocket",
        target="base hosting coalition troops",
        casualties=(
            Casualty(status="killed", count=killed, nationality="US", category="contractor"),
            Casualty(status="injured", count=4, nationality="US", category="service-member", approximate=True),
            Casualty(status="injured", count=2, nationality="IQ"),
        ),
        attributions=(
            AttributionStatement(
                actor="kataib-hezbollah",
                kind=AttributionKind.ALLEGED,
                sponsor="iran",
                relation="supported",
                hedges=("apparently",),
                asserted_by=Source(speaker="a defence official", anonymous=True, outlet="Example Wire", outlet_id="example-wire"),
                evidence=span,
            ),
            AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.DENIED, asserted_by=Source(speaker_id="kh-spokesman")),
        ),
        documents=("d" * 64, "e" * 64),
        evidence=(span,),
        summary="Rocket attack on a base near Kirkuk.",
    )


def action(action_id: str = "2019-12-29-us-airstrikes", day: dt.date = dt.date(2019, 12, 29)) -> Action:
    return Action(id=action_id, kind="airstrike", actor="usa", target="kataib-hezbollah", date=day, caused_by=("2019-12-27-k1-rocket-attack",))


def redline(condition: str = "an American is killed", day: dt.date = dt.date(2019, 12, 31)) -> RedLineStatement:
    return RedLineStatement(speaker=Source(speaker="a head of state", speaker_id="us-president"), condition=condition, consequence="a swift response", date=day)


def extraction(doc_id: str, *, version: str = "1", redlines: tuple[RedLineStatement, ...] = ()) -> Extraction:
    return Extraction(document_id=doc_id, published=dt.date(2019, 12, 28), incidents=(incident(),), actions=(action(),), redlines=redlines, extractor_version=version)


def attribution(incident_id: str, p_kh: float) -> AttributionResult:
    return AttributionResult(
        incident_id=incident_id,
        posterior=(
            PosteriorEntry(hypothesis=Hypothesis(perpetrator="kataib-hezbollah", sponsor="iran", relation="directed"), prior=0.3, probability=p_kh, interval=(p_kh * 0.8, min(1.0, p_kh * 1.1))),
            PosteriorEntry(hypothesis=Hypothesis(perpetrator="isis"), prior=0.2, probability=1 - p_kh),
        ),
        evidence=(EvidenceContribution(label="weapon signature", kind="weapon", weight=0.9, log_lr={"kataib-hezbollah|iran|directed": 1.2, "isis|-|independent": -0.4}),),
    )


def evaluation(rule_id: str, incident_id: str, status: RedLineStatus, p: float, when: dt.datetime) -> Evaluation:
    words = {RedLineStatus.CLEAR: "unlikely", RedLineStatus.WATCH: "roughly even chance", RedLineStatus.TRIPPED: "very likely"}[status]
    return Evaluation(
        rule_id=rule_id,
        incident_id=incident_id,
        probability=p,
        standard="preponderance",
        threshold=0.5,
        status=status,
        words=words,
        components={"us_killed": 1.0, "tied_to_iran": p},
        evidence=("weapon signature",),
        evaluated_at=when,
    )
