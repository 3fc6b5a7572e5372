"""Realistic incidents for the attribution tests, written from the seed story's facts (in our own words)."""

from __future__ import annotations

import datetime as dt

from tripwire.model import Action, AttributionKind, AttributionStatement, Casualty, Incident, Place, Source

K = AttributionKind
POST = Source(outlet="The Washington Post", outlet_id="washington-post")
US = Source(speaker="US officials", speaker_id="us-administration")
IRAQI_INTEL = Source(speaker="Iraqi intelligence", speaker_id="iraqi-intelligence", outlet="The New York Times", outlet_id="new-york-times")
IRAN = Source(speaker="Iranian Foreign Ministry", speaker_id="iran-government", outlet="Reuters", outlet_id="reuters")
TELEGRAM = Source(speaker="Telegram channels", speaker_id="militia-telegram")

GREEN_ZONE = Incident(
    id="2020-11-17-green-zone-rockets",
    date=dt.date(2020, 11, 17),
    place=Place(name="Green Zone", country="IQ", lat=33.301, lon=44.388, gazetteer_id="green-zone"),
    attack_type="rocket attack",
    weapon="rockets",
    target="US embassy",
    casualties=(Casualty(status="killed", count=1, nationality="IQ", category="child"), Casualty(status="injured", count=5, nationality="IQ")),
    attributions=(
        AttributionStatement(actor="iran-aligned-militia", kind=K.ALLEGED, hedges=("apparently", "not yet clear"), sponsor="iran",
                             relation="supported", asserted_by=POST),
        AttributionStatement(actor="unknown", kind=K.DISPUTED, hedges=("not yet clear",), asserted_by=POST),
    ),
)

KIRKUK = Incident(
    id="2019-12-27-k1-air-base-rocket-attack",
    date=dt.date(2019, 12, 27),
    place=Place(name="K-1 Air Base", country="IQ", lat=35.517, lon=44.285, gazetteer_id="k1-air-base"),
    attack_type="rocket attack",
    weapon="rockets",
    casualties=(Casualty(status="killed", count=1, nationality="US", category="contractor"),),
    attributions=(
        AttributionStatement(actor="kataib-hezbollah", kind=K.ALLEGED, sponsor="iran", relation="supported", asserted_by=US),
        AttributionStatement(actor="isis", kind=K.ASSESSED, comparative="more likely", asserted_by=IRAQI_INTEL),
        AttributionStatement(actor="kataib-hezbollah", kind=K.DISPUTED, hedges=("no proof",),
                             asserted_by=Source(outlet="Antiwar.com", outlet_id="antiwar-com")),
    ),
)

FRONT_CLAIM = Incident(
    id="2020-09-15-erbil-front-claim",
    date=dt.date(2020, 9, 15),
    place=Place(name="Erbil", country="IQ", lat=36.191, lon=44.009, gazetteer_id="erbil"),
    attack_type="rocket attack",
    weapon="107mm rockets",
    attributions=(
        AttributionStatement(actor="saraya-awliya-al-dam", kind=K.CLAIMED, asserted_by=TELEGRAM),
        AttributionStatement(actor="iran", kind=K.DENIED, asserted_by=IRAN),
    ),
)

US_STRIKES = Action(id="2019-12-29-us-strikes-kh", kind="airstrike", actor="usa", target="kataib-hezbollah", date=dt.date(2019, 12, 29))
SOLEIMANI = Action(id="2020-01-03-soleimani", kind="drone-strike", actor="usa", target="quds-force", date=dt.date(2020, 1, 3))


def relayed(statement: AttributionStatement, outlets: list[str]) -> tuple[AttributionStatement, ...]:
    """The same statement carried by several outlets, each citing one origin."""
    return tuple(statement.model_copy(update={"asserted_by": statement.asserted_by.model_copy(update={"outlet": o, "outlet_id": None})})
                 for o in outlets)
