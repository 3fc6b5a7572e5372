"""STIX 2.1 export: objects, the property extension, times, references, TLP, the attribution floor, opinions, actions, determinism."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from tripwire.errors import ParseError, SettingError
from tripwire.interop import parse_bundle, stix_id, to_stix_bundle
from tripwire.interop.stix_common import EXTENSION_ID, TLP_IDS, tlp_level
from tripwire.model import Action, AttributionResult, ConfidenceBasis, Document, Incident
from tripwire.settings import Settings

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "stix-extension.schema.json"
K1 = "2019-12-27-k1-air-base-rocket-attack"


def _objects(bundle) -> dict[str, list]:  # type: ignore[no-untyped-def]
    found: dict[str, list] = {}
    for obj in bundle.objects:
        found.setdefault(obj.type, []).append(obj)
    return found


def ext(obj) -> dict:  # type: ignore[no-untyped-def]
    """Tripwire's properties of a STIX object."""
    return dict(obj.extensions[EXTENSION_ID]) if "extensions" in obj and EXTENSION_ID in obj.extensions else {}


def meant(rel) -> str:  # type: ignore[no-untyped-def]
    """The relationship a link stands for: its type, or the one a related-to link carries in the extension."""
    return ext(rel).get("relationship", rel.relationship_type)


DOCS = {
    "doc-a": Document(id="doc-a", text="a", location="/data/a.md", outlet="Reuters", title="Rockets hit K-1", published=dt.datetime(2019, 12, 28, 6, tzinfo=dt.timezone.utc),
                      raw_sha256="ab" * 32),
    "doc-b": Document(id="doc-b", text="b", location="https://example.org/news/k1-doubts", outlet="The New York Times", published=dt.datetime(2020, 2, 10, 12, tzinfo=dt.timezone.utc)),
}
LOCATIONS = {"doc-a": ["/data/a.md", "https://example.org/news/k1-rockets"], "doc-b": ["https://example.org/news/k1-doubts"]}
STRIKES = Action(id="2019-12-29-us-strikes", kind="airstrike", actor="usa", target="Kataib Hezbollah", date=dt.date(2019, 12, 29), caused_by=(K1,),
                 documents=("doc-b",), summary="US strikes on militia sites in Iraq and Syria")


@pytest.fixture(scope="module")
def confident_result(k1_result: AttributionResult) -> AttributionResult:
    basis = ConfidenceBasis(origins=2, best_reliability=0.8, dissent=1)
    return k1_result.model_copy(update={"basis": basis, "posterior": tuple(e.model_copy(update={"confidence": basis.confidence(e.interval)}) for e in k1_result.posterior)})


@pytest.fixture(scope="module")
def bundle(k1_incident: Incident, confident_result: AttributionResult, kb):  # type: ignore[no-untyped-def]
    return to_stix_bundle([k1_incident], {k1_incident.id: confident_result}, kb, actions=[STRIKES], documents=DOCS, locations=LOCATIONS)


def test_bundle_round_trips_through_stix2_parse_without_custom_content(bundle) -> None:  # type: ignore[no-untyped-def]
    text = bundle.serialize()
    again = parse_bundle(text)
    assert again.id == bundle.id and len(again.objects) == len(bundle.objects)
    assert json.loads(again.serialize()) == json.loads(text)
    assert "x_tripwire" not in text  # no deprecated custom properties left


def test_ids_are_deterministic_uuid4(bundle) -> None:  # type: ignore[no-untyped-def]
    for obj in bundle.objects:
        if obj.type == "marking-definition":
            continue
        assert uuid.UUID(obj.id.split("--", 1)[1]).version == 4, obj.id
    assert stix_id("incident", K1) == stix_id("incident", K1) != stix_id("incident", K1 + "x")


def test_incident_carries_facts_and_posterior_in_the_extension(bundle, k1_incident: Incident) -> None:  # type: ignore[no-untyped-def]
    (incident,) = [o for o in _objects(bundle)["incident"] if ext(o)["event"] == "incident"]
    props = ext(incident)
    assert incident.id == stix_id("incident", k1_incident.id)
    assert props["date"] == "2019-12-27" and props["killed"] == 1 and props["injured"] == 4 and props["casualties"][0]["nationality"] == "US"
    assert props["posterior"][0] == {"hypothesis": "kataib-hezbollah|iran|supported", "prior": 0.3, "probability": 0.55, "words": "likely",
                                     "analytic_confidence": "moderate"}
    assert props["confidence_basis"] == {"origins": 2, "best_reliability": 0.8, "dissent": 1}
    (location,) = [o for o in _objects(bundle)["location"] if o.name == "K-1 Air Base"]
    assert location.country == "IQ" and location.latitude == pytest.approx(35.517)
    (placed,) = [r for r in _objects(bundle)["relationship"] if (r.source_ref, r.target_ref) == (incident.id, location.id)]
    # STIX 2.1 suggests no relationship for incident but the common ones: related-to, standing for located-at
    assert placed.relationship_type == "related-to" and meant(placed) == "located-at"
    assert location.region == "asia"


def test_relationship_types_are_the_suggested_ones(bundle) -> None:  # type: ignore[no-untyped-def]
    from tripwire.interop.stix_common import SUGGESTED_RELATIONSHIPS

    for r in _objects(bundle)["relationship"]:
        pair = (r.source_ref.split("--")[0], r.relationship_type, r.target_ref.split("--")[0])
        assert r.relationship_type == "related-to" or pair in SUGGESTED_RELATIONSHIPS, pair
        if r.relationship_type == "related-to" and meant(r) != "related-to":
            assert r.source_ref.startswith("incident--") and meant(r) in ("attributed-to", "located-at")
    # the knowledge-base sponsor link between a threat actor and a state is one STIX suggests, so it stays typed
    kh = stix_id("threat-actor", "actor:kataib-hezbollah")
    assert [r.relationship_type for r in _objects(bundle)["relationship"] if r.source_ref == kh] == ["attributed-to"]


def test_typed_incident_links_setting(k1_incident: Incident, confident_result: AttributionResult, kb) -> None:  # type: ignore[no-untyped-def]
    settings = Settings({"stix_typed_incident_links": True}, environ={})
    bundle = to_stix_bundle([k1_incident], {K1: confident_result}, kb, settings=settings)
    types = {(ext(r).get("role"), r.relationship_type) for r in _objects(bundle)["relationship"] if r.source_ref == stix_id("incident", K1)}
    assert {("perpetrator", "attributed-to"), ("sponsor", "attributed-to"), (None, "located-at")} <= types
    assert not any("relationship" in ext(r) for r in _objects(bundle)["relationship"])


def test_threat_actor_profile_comes_from_the_knowledge_base(bundle) -> None:  # type: ignore[no-untyped-def]
    actors = {ext(o)["actor_id"]: o for o in _objects(bundle)["threat-actor"]}
    kh = actors["kataib-hezbollah"]  # a militia the knowledge base links to Iran
    assert kh.threat_actor_types == ["unknown"] and kh.roles == ["agent"] and kh.resource_level == "organization"
    assert (kh.sophistication, kh.primary_motivation) == ("intermediate", "ideology")
    assert ext(kh)["profile_defaults"] == ["sophistication", "primary_motivation"]
    isis = actors["isis"]  # no sponsor in the knowledge base
    assert isis.roles == ["independent"] and isis.threat_actor_types == ["unknown"]


def test_extension_definition_and_properties_match_the_documented_schema(bundle) -> None:  # type: ignore[no-untyped-def]
    jsonschema = pytest.importorskip("jsonschema")
    (definition,) = _objects(bundle)["extension-definition"]
    assert definition.id == EXTENSION_ID and definition.extension_types == ["property-extension"] and definition.schema.endswith("stix-extension.schema.json")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    checked = 0
    for obj in bundle.objects:
        if props := ext(obj):
            jsonschema.validate(props, schema)
            checked += 1
    assert checked >= 10


def test_times_come_from_the_articles(bundle) -> None:  # type: ignore[no-untyped-def]
    by_id = {o.id: o for o in bundle.objects}
    incident = by_id[stix_id("incident", K1)]
    assert (incident.created, incident.modified) == (dt.datetime(2019, 12, 28, 6, tzinfo=dt.timezone.utc), dt.datetime(2020, 2, 10, 12, tzinfo=dt.timezone.utc))
    strikes = by_id[stix_id("incident", f"action:{STRIKES.id}")]
    assert strikes.created == dt.datetime(2020, 2, 10, 12, tzinfo=dt.timezone.utc)
    assert all(o.created.year >= 2019 for o in bundle.objects)  # nothing dated 2000-01-01 any more


def test_undated_data_falls_back_to_the_incident_date(k1_incident: Incident, kb) -> None:  # type: ignore[no-untyped-def]
    bundle = to_stix_bundle([k1_incident], {}, kb)
    incident = {o.id: o for o in bundle.objects}[stix_id("incident", K1)]
    assert incident.created == dt.datetime(2019, 12, 27, tzinfo=dt.timezone.utc)


def test_producer_marking_and_references(bundle) -> None:  # type: ignore[no-untyped-def]
    producer = stix_id("identity", "tripwire")
    amber = TLP_IDS["amber"]  # the default marking, referred to by its OASIS id
    assert "marking-definition" not in _objects(bundle)  # predefined: not carried (the interop profile would ask it for modified)
    for obj in bundle.objects:
        assert obj.object_marking_refs == [amber], obj.id
        if obj.type != "opinion":
            assert obj.created_by_ref == producer, obj.id
    incident = {o.id: o for o in bundle.objects}[stix_id("incident", K1)]
    refs = [dict(r) for r in incident.external_references]
    assert refs[0] == {"source_name": "Reuters", "external_id": "doc-a", "url": "https://example.org/news/k1-rockets", "description": "Rockets hit K-1",
                       "hashes": {"SHA-256": "ab" * 32}}
    assert refs[1]["url"] == "https://example.org/news/k1-doubts"


@pytest.mark.parametrize(("value", "level"), [("clear", "clear"), ("TLP:AMBER+STRICT", "amber+strict"), (" Green ", "green"), ("white", "clear"), ("red", "red")])
def test_tlp_setting_names(value: str, level: str, k1_incident: Incident, kb) -> None:  # type: ignore[no-untyped-def]
    assert tlp_level(value) == level
    bundle = to_stix_bundle([k1_incident], {}, kb, settings=Settings({"stix_tlp": value}, environ={}))
    assert {m for o in bundle.objects for m in o.object_marking_refs} == {TLP_IDS[level]}


@pytest.mark.parametrize(("settings", "message"), [({"stix_tlp": "secret"}, "stix_tlp"), ({"stix_attribution_floor": 1.5}, "stix_attribution_floor")])
def test_bad_stix_settings_are_refused(settings: dict, message: str, k1_incident: Incident, kb) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingError, match=message):
        to_stix_bundle([k1_incident], {}, kb, settings=Settings(settings, environ={}))


@pytest.mark.parametrize(
    ("floor", "links"),
    [
        (0.5, {("perpetrator", "kataib-hezbollah"): 80, ("sponsor", "iran"): 70}),  # ISIS at 0.20 gets no link
        (0.1, {("perpetrator", "kataib-hezbollah"): 80, ("perpetrator", "isis"): 20, ("sponsor", "iran"): 70}),
        (0.75, {("perpetrator", "kataib-hezbollah"): 80}),
        (0.95, {}),
    ],
)
def test_attributed_to_only_above_the_floor(floor: float, links: dict, k1_incident: Incident, confident_result: AttributionResult, kb) -> None:  # type: ignore[no-untyped-def]
    bundle = to_stix_bundle([k1_incident], {K1: confident_result}, kb, settings=Settings({"stix_attribution_floor": floor}, environ={}))
    by_id = {o.id: o for o in bundle.objects}
    got = {}
    for r in _objects(bundle)["relationship"]:
        if meant(r) == "attributed-to" and r.source_ref == stix_id("incident", K1):
            got[(ext(r)["role"], ext(by_id[r.target_ref])["actor_id"])] = r.confidence
            assert r.confidence >= 100 * floor
    assert got == links
    # below the floor nothing is "attributed", but the posterior is kept in full
    assert len(ext(by_id[stix_id("incident", K1)])["posterior"]) == 4


def test_attribution_link_says_words_and_confidence(bundle) -> None:  # type: ignore[no-untyped-def]
    rel = {o.id: o for o in bundle.objects}[stix_id("relationship", f"{K1}:perpetrator:kataib-hezbollah")]
    assert rel.description == "attributed to (perpetrator): P = 0.800, very likely (moderate confidence)"
    assert ext(rel) == {"extension_type": "property-extension", "role": "perpetrator", "probability": 0.8, "words": "very likely", "analytic_confidence": "moderate",
                        "relationship": "attributed-to"}


def test_sponsor_links_of_the_knowledge_base_respect_the_floor(bundle) -> None:  # type: ignore[no-untyped-def]
    kh = stix_id("threat-actor", "actor:kataib-hezbollah")
    sponsor = [r for r in _objects(bundle)["relationship"] if r.source_ref == kh]
    assert sponsor and sponsor[0].target_ref == stix_id("identity", "actor:iran") and sponsor[0].confidence == 90


@pytest.mark.parametrize(("kind", "opinion"), [("alleged", "agree"), ("disputed", "disagree"), ("denied", "strongly-disagree")])
def test_statements_become_opinions_on_the_relationship(bundle, kind: str, opinion: str) -> None:  # type: ignore[no-untyped-def]
    (op,) = [o for o in _objects(bundle)["opinion"] if ext(o)["statement_kind"] == kind]
    assert op.opinion == opinion
    assert stix_id("relationship", f"{K1}:perpetrator:kataib-hezbollah") in op.object_refs


def test_dissent_is_authored_by_iraqi_intelligence(bundle) -> None:  # type: ignore[no-untyped-def]
    (op,) = [o for o in _objects(bundle)["opinion"] if o.opinion == "disagree"]
    assert op.authors == ["Iraqi intelligence"] and "not proven" in op.explanation
    author = {o.id: o for o in _objects(bundle)["identity"]}[op.created_by_ref]
    assert author.name == "Iraqi intelligence"


def test_opinion_is_dated_and_referenced_by_its_article(bundle) -> None:  # type: ignore[no-untyped-def]
    (op,) = [o for o in _objects(bundle)["opinion"] if o.opinion == "agree"]  # the US allegation, quoted from doc-a
    assert op.created == dt.datetime(2019, 12, 28, 6, tzinfo=dt.timezone.utc)
    assert [r.url for r in op.external_references] == ["https://example.org/news/k1-rockets"]


def test_actions_are_incident_objects_with_actor_target_and_cause(bundle) -> None:  # type: ignore[no-untyped-def]
    by_id = {o.id: o for o in bundle.objects}
    action = by_id[stix_id("incident", f"action:{STRIKES.id}")]
    assert ext(action)["event"] == "action" and ext(action)["action_kind"] == "airstrike" and action.description.startswith("US strikes")
    rels = {ext(r).get("role"): r for r in _objects(bundle)["relationship"] if r.source_ref == action.id}
    assert ext(by_id[rels["reported-actor"].target_ref])["actor_id"] == "usa"
    assert ext(by_id[rels["target"].target_ref])["actor_id"] == "kataib-hezbollah" and rels["target"].relationship_type == "related-to"
    assert rels["caused-by"].target_ref == stix_id("incident", K1)


def test_note_explains_the_result(bundle) -> None:  # type: ignore[no-untyped-def]
    (note,) = _objects(bundle)["note"]
    assert "kataib-hezbollah|iran|supported: 0.300 -> 0.550, likely (moderate confidence)" in note.content
    assert "labelling bias discounted" in note.content and "Analytic confidence from 2 independent origins" in note.content
    assert stix_id("incident", K1) in note.object_refs


def test_reexport_is_byte_identical(k1_incident: Incident, confident_result: AttributionResult, kb) -> None:  # type: ignore[no-untyped-def]
    def export() -> str:
        return to_stix_bundle([k1_incident], {K1: confident_result}, kb, actions=[STRIKES], documents=DOCS, locations=LOCATIONS).serialize(pretty=True)

    assert export() == export()


def test_without_a_result_nothing_is_attributed(k1_incident: Incident, kb) -> None:  # type: ignore[no-untyped-def]
    bundle = to_stix_bundle([k1_incident], {}, kb)
    incident_id = stix_id("incident", K1)
    assert not [r for r in bundle.objects if r.type == "relationship" and meant(r) == "attributed-to" and r.source_ref == incident_id]
    assert "note" not in _objects(bundle)
    opinions = _objects(bundle)["opinion"]
    assert len(opinions) == 3 and all(incident_id in o.object_refs for o in opinions)


def test_parse_bundle_rejects_non_stix_and_custom_content() -> None:
    with pytest.raises(ParseError, match="STIX"):
        parse_bundle('{"type": "not-a-bundle"}')
    custom = {"type": "bundle", "id": "bundle--" + str(uuid.uuid4()), "objects": [
        {"type": "identity", "spec_version": "2.1", "id": "identity--" + str(uuid.uuid4()), "created": "2020-01-01T00:00:00Z",
         "modified": "2020-01-01T00:00:00Z", "name": "x", "x_tripwire_actor_id": "x"}]}  # fmt: skip
    with pytest.raises(ParseError, match="STIX"):
        parse_bundle(json.dumps(custom))


@pytest.mark.parametrize(("country", "region"), [("IQ", "asia"), ("NG", "africa"), ("fr", "europe"), ("MX", "americas"), ("BR", "south-america"),
                                                 ("AU", "oceania"), ("ZZ", None), (None, None)])
def test_region_of_a_country(country: str | None, region: str | None) -> None:
    from tripwire.interop.stix_common import region as region_of

    assert region_of(country) == region


@pytest.mark.parametrize(
    ("kind", "sponsored", "sponsors", "expected"),
    [
        ("state-organ", False, True, (["nation-state"], ["agent", "sponsor"], "government")),
        ("intelligence", False, False, (["nation-state"], ["agent"], "government")),
        ("militia", True, False, (["unknown"], ["agent"], "organization")),
        ("insurgent", False, False, (["unknown"], ["independent"], "organization")),
    ],
)
def test_threat_actor_profile_by_kind(kind: str, sponsored: bool, sponsors: bool, expected: tuple) -> None:
    from tripwire.interop.stix_common import threat_actor_profile

    enums = pytest.importorskip("stix2validator.v21.enums")

    got = threat_actor_profile(kind, sponsored=sponsored, sponsors=sponsors)
    assert (got["threat_actor_types"], got["roles"], got["resource_level"]) == expected
    # every value is in the STIX 2.1 vocabulary the validator checks in strict mode
    assert set(got["threat_actor_types"]) <= set(enums.THREAT_ACTOR_TYPE_OV) and set(got["roles"]) <= set(enums.THREAT_ACTOR_ROLE_OV)
    assert got["sophistication"] in enums.THREAT_ACTOR_SOPHISTICATION_OV and got["primary_motivation"] in enums.ATTACK_MOTIVATION_OV
    assert got["resource_level"] in enums.ATTACK_RESOURCE_LEVEL_OV
