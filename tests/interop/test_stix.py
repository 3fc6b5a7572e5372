"""STIX 2.1 export: objects, confidences, opinions, determinism, and a parse round trip."""

from __future__ import annotations

import json

import pytest

from tripwire.errors import ParseError
from tripwire.interop import parse_bundle, stix_id, to_stix_bundle
from tripwire.model import AttributionResult, Incident


def _objects(bundle) -> dict[str, list]:  # type: ignore[no-untyped-def]
    found: dict[str, list] = {}
    for obj in bundle.objects:
        found.setdefault(obj.type, []).append(obj)
    return found


@pytest.fixture(scope="module")
def bundle(k1_incident: Incident, k1_result: AttributionResult, kb):  # type: ignore[no-untyped-def]
    return to_stix_bundle([k1_incident], {k1_incident.id: k1_result}, kb)


def test_bundle_round_trips_through_stix2_parse(bundle) -> None:  # type: ignore[no-untyped-def]
    text = bundle.serialize()
    again = parse_bundle(text)
    assert again.id == bundle.id and len(again.objects) == len(bundle.objects)
    assert json.loads(again.serialize()) == json.loads(text)


def test_incident_carries_casualties_date_and_place(bundle, k1_incident: Incident) -> None:  # type: ignore[no-untyped-def]
    (incident,) = _objects(bundle)["incident"]
    assert incident.id == stix_id("incident", k1_incident.id)
    assert incident.x_tripwire_date == "2019-12-27" and incident.x_tripwire_killed == 1 and incident.x_tripwire_injured == 4
    assert incident.x_tripwire_casualties[0]["nationality"] == "US"
    (location,) = _objects(bundle)["location"]
    assert location.country == "IQ" and location.latitude == pytest.approx(35.517)
    located = [r for r in _objects(bundle)["relationship"] if r.relationship_type == "located-at"]
    assert [(r.source_ref, r.target_ref) for r in located] == [(incident.id, location.id)]


def test_attributed_to_confidence_follows_the_posterior(bundle) -> None:  # type: ignore[no-untyped-def]
    rels = {(r.x_tripwire_role, r.target_ref): r for r in _objects(bundle)["relationship"] if getattr(r, "x_tripwire_role", None)}
    kh = stix_id("threat-actor", "actor:kataib-hezbollah")
    isis = stix_id("threat-actor", "actor:isis")
    iran = stix_id("identity", "actor:iran")
    assert rels[("perpetrator", kh)].confidence == 80  # 0.55 + 0.15 + 0.10
    assert rels[("perpetrator", isis)].confidence == 20
    assert rels[("sponsor", iran)].confidence == 70  # supported 0.55 + ordered 0.15
    assert rels[("sponsor", iran)].x_tripwire_relations == {"ordered": 0.15, "supported": 0.55}


def test_actor_kinds_map_to_threat_actor_or_identity(bundle) -> None:  # type: ignore[no-untyped-def]
    names = {o.name for o in _objects(bundle)["threat-actor"]}
    assert {"Kataib Hezbollah", "Islamic State"} <= names
    identities = {o.name: o for o in _objects(bundle)["identity"]}
    assert identities["Iran"].identity_class == "organization" and "Tripwire" in identities
    kh = stix_id("threat-actor", "actor:kataib-hezbollah")
    sponsor = [r for r in _objects(bundle)["relationship"] if r.source_ref == kh]
    assert sponsor and sponsor[0].target_ref == stix_id("identity", "actor:iran") and sponsor[0].confidence == 90


@pytest.mark.parametrize(("kind", "opinion"), [("alleged", "agree"), ("disputed", "disagree"), ("denied", "strongly-disagree")])
def test_statements_become_opinions_on_the_relationship(bundle, kind: str, opinion: str) -> None:  # type: ignore[no-untyped-def]
    (op,) = [o for o in _objects(bundle)["opinion"] if o.x_tripwire_kind == kind]
    assert op.opinion == opinion
    perp = stix_id("relationship", "2019-12-27-k1-air-base-rocket-attack:perpetrator:kataib-hezbollah")
    assert perp in op.object_refs


def test_dissent_is_authored_by_iraqi_intelligence(bundle) -> None:  # type: ignore[no-untyped-def]
    (op,) = [o for o in _objects(bundle)["opinion"] if o.opinion == "disagree"]
    assert op.authors == ["Iraqi intelligence"] and "not proven" in op.explanation
    author = {o.id: o for o in _objects(bundle)["identity"]}[op.created_by_ref]
    assert author.name == "Iraqi intelligence"


def test_note_explains_the_result(bundle) -> None:  # type: ignore[no-untyped-def]
    (note,) = _objects(bundle)["note"]
    assert "kataib-hezbollah|iran|supported: 0.300 -> 0.550" in note.content and "labelling bias discounted" in note.content
    assert stix_id("incident", "2019-12-27-k1-air-base-rocket-attack") in note.object_refs


def test_reexport_is_byte_identical(k1_incident: Incident, k1_result: AttributionResult, kb) -> None:  # type: ignore[no-untyped-def]
    a = to_stix_bundle([k1_incident], {k1_incident.id: k1_result}, kb).serialize(pretty=True)
    b = to_stix_bundle([k1_incident], {k1_incident.id: k1_result}, kb).serialize(pretty=True)
    assert a == b


def test_without_a_result_statements_give_unweighted_links(k1_incident: Incident, kb) -> None:  # type: ignore[no-untyped-def]
    bundle = to_stix_bundle([k1_incident], {}, kb)
    rels = [r for r in bundle.objects if r.type == "relationship" and getattr(r, "x_tripwire_role", None) == "statement"]
    assert len(rels) == 1 and not hasattr(rels[0], "confidence") and "note" not in _objects(bundle)
    assert len(_objects(bundle)["opinion"]) == 3


def test_parse_bundle_rejects_non_stix() -> None:
    with pytest.raises(ParseError, match="STIX"):
        parse_bundle('{"type": "not-a-bundle"}')
