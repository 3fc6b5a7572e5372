"""The 2019-2020 escalation in Iraq as model objects, built from the seed story's facts (in our own words)."""

from __future__ import annotations

import datetime as dt

from tripwire.model import Action, AttributionKind, AttributionStatement, Casualty, Incident, Place, Source, Span

DOC = "doc-escalation-notes"


def span(text: str, start: int = 0) -> Span:
    """A supporting span in the notes document."""
    return Span(document_id=DOC, start=start, end=start + len(text), text=text)


def winter_2019_2020() -> tuple[list[Incident], list[Action]]:
    """Kirkuk rockets -> US strikes on Kataib Hezbollah -> embassy storming -> Soleimani strike -> vote / Al Asad / more rockets."""
    kirkuk = Incident(
        id="2019-12-27-k1-rocket-attack",
        date=dt.date(2019, 12, 27),
        place=Place(name="K1 air base", country="IQ"),
        attack_type="rocket attack",
        target="US base",
        casualties=(Casualty(status="killed", count=1, nationality="US", category="contractor"),),
        attributions=(
            AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.ALLEGED, sponsor="iran", relation="supported",
                                 asserted_by=Source(speaker="US officials")),
            AttributionStatement(actor="isis", kind=AttributionKind.ASSESSED, comparative="more likely",
                                 asserted_by=Source(speaker="Iraqi intelligence")),
            AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.DENIED),
        ),
        summary="Rockets hit K1 base near Kirkuk; a US contractor dies",
    )
    airstrikes = Action(
        id="2019-12-29-us-strikes-kh", kind="airstrike", actor="usa", target="kataib-hezbollah", date=dt.date(2019, 12, 29),
        casualties=(Casualty(status="killed", count=25, nationality="IQ", category="fighter"),),
        caused_by=(kirkuk.id,),
        evidence=(span("Washington hit back at the militia for the Kirkuk rocket strike", 100),),
        summary="US airstrikes on Kataib Hezbollah sites",
    )
    embassy = Action(
        id="2019-12-31-embassy-storming", kind="protest", actor="kataib-hezbollah", target="US embassy", date=dt.date(2019, 12, 31),
        caused_by=(airstrikes.id,),
        evidence=(span("Militia supporters broke into the embassy compound; the strikes had sparked the crowd", 300),),
        summary="Crowds storm the US embassy compound in Baghdad",
    )
    soleimani = Action(
        id="2020-01-03-soleimani-strike", kind="drone-strike", actor="usa", target="quds-force", date=dt.date(2020, 1, 3),
        casualties=(Casualty(status="killed", count=1, nationality="IR"), Casualty(status="killed", count=1, nationality="IQ")),
        caused_by=(embassy.id,),
        evidence=(span("The embassy siege led to the drone strike near Baghdad airport", 500),),
        summary="US drone kills Soleimani and al-Mohandes",
    )
    vote = Action(
        id="2020-01-05-parliament-vote", kind="parliamentary-vote", actor="iraqi-parliament", target="usa", date=dt.date(2020, 1, 5),
        caused_by=(soleimani.id,),
        evidence=(span("Lawmakers voted to expel foreign troops after the two men were killed", 700),),
        summary="Iraqi parliament votes to expel US troops",
    )
    al_asad = Incident(
        id="2020-01-08-al-asad-missile-strike",
        date=dt.date(2020, 1, 8),
        place=Place(name="Al Asad air base", country="IQ"),
        attack_type="ballistic missile attack",
        target="US forces",
        attributions=(AttributionStatement(actor="irgc", kind=AttributionKind.CLAIMED, sponsor="iran", relation="executed"),),
        summary="Iranian missiles hit Al Asad air base",
    )
    balad = Incident(
        id="2020-01-12-balad-rocket-attack",
        date=dt.date(2020, 1, 12),
        place=Place(name="Balad air base", country="IQ"),
        attack_type="rocket attack",
        target="US forces",
        attributions=(AttributionStatement(actor="iran-aligned-militia", kind=AttributionKind.ALLEGED, hedges=("apparently",)),),
        summary="More rockets on a base hosting US troops",
    )
    return [kirkuk, al_asad, balad], [airstrikes, embassy, soleimani, vote]
