"""The hard acceptance test: everything the seed story reports, found in the seed story."""

from __future__ import annotations

import datetime as dt

import pytest

from tripwire.extract import extract_text
from tripwire.model import Action, AttributionKind, Extraction, Incident

PUBLISHED = dt.date(2020, 11, 18)


@pytest.fixture(scope="module")
def seed(seed_text: str, kb) -> Extraction:  # type: ignore[no-untyped-def]
    return extract_text(seed_text, published=PUBLISHED, document_id="seed", kb=kb)


def _incident(ex: Extraction, place_id: str) -> Incident:
    found = [i for i in ex.incidents if i.place and i.place.gazetteer_id == place_id]
    assert len(found) == 1, [i.id for i in ex.incidents]
    return found[0]


def _action(ex: Extraction, kind: str) -> Action:
    found = [a for a in ex.actions if a.kind == kind]
    assert len(found) == 1, [a.id for a in ex.actions]
    return found[0]


def test_two_incidents_only(seed: Extraction) -> None:
    assert sorted(i.place.gazetteer_id for i in seed.incidents if i.place) == ["green-zone", "kirkuk"]


@pytest.mark.parametrize(
    ("place", "date", "precision", "attack_type", "killed", "injured"),
    [
        ("green-zone", dt.date(2020, 11, 17), "day", "rocket attack", {(None, "child"): 1}, {(None, "civilian"): 5}),
        ("kirkuk", dt.date(2019, 12, 1), "month", "rocket attack", {("US", "contractor"): 1}, {}),
    ],
)
def test_incident_facts(seed: Extraction, place: str, date: dt.date, precision: str, attack_type: str, killed: dict, injured: dict) -> None:  # type: ignore[type-arg]
    inc = _incident(seed, place)
    assert (inc.date, inc.date_precision, inc.attack_type) == (date, precision, attack_type)
    assert inc.place is not None and inc.place.country == "IQ" and inc.place.lat is not None
    got_k = {(c.nationality, c.category): c.count for c in inc.casualties if c.status == "killed" and c.count}
    got_i = {(c.nationality, c.category): c.count for c in inc.casualties if c.status == "injured" and c.count}
    assert (got_k, got_i) == (killed, injured)


def test_green_zone_details(seed: Extraction) -> None:
    inc = _incident(seed, "green-zone")
    assert inc.date_text and "Tuesday" in inc.date_text
    assert inc.target == "Green Zone"
    assert inc.killed("US") == 0 and inc.injured("US") == 0
    assert any(c.count == 0 and c.nationality == "US" for c in inc.casualties), "explicit zero for US personnel"


@pytest.mark.parametrize(
    ("place", "actor", "kind", "hedges", "speaker_id", "outlet_id", "sponsor", "comparative"),
    [
        ("green-zone", "iran-aligned-militia", AttributionKind.ALLEGED, {"apparently"}, None, "washington-post", "iran", None),
        ("green-zone", "unknown", AttributionKind.DISPUTED, {"not yet clear"}, None, None, None, None),
        ("kirkuk", "kataib-hezbollah", AttributionKind.ALLEGED, set(), "us-administration", None, None, None),
        ("kirkuk", "isis", AttributionKind.ASSESSED, {"believed", "more likely"}, "iraqi-intelligence", None, None, "more likely"),
        ("kirkuk", "kataib-hezbollah", AttributionKind.DISPUTED, {"no proof"}, None, None, None, None),
    ],
)
def test_attributions(seed: Extraction, place: str, actor: str, kind: AttributionKind, hedges: set, speaker_id, outlet_id, sponsor, comparative) -> None:  # type: ignore[no-untyped-def, type-arg]
    inc = _incident(seed, place)
    matches = [a for a in inc.attributions if a.actor == actor and a.kind == kind and hedges <= set(a.hedges)]
    assert matches, [(a.actor, a.kind.value, a.hedges) for a in inc.attributions]
    st = matches[0]
    if speaker_id:
        assert st.asserted_by.speaker_id == speaker_id
    if outlet_id:
        assert st.asserted_by.outlet_id == outlet_id
    assert st.sponsor == sponsor
    if sponsor:
        assert st.relation == "supported"
    assert st.comparative == comparative
    assert st.evidence is not None and st.evidence.document_id == "seed"


def test_strikes_on_kataib_hezbollah(seed: Extraction) -> None:
    strike = _action(seed, "airstrike")
    kirkuk = _incident(seed, "kirkuk")
    assert (strike.actor, strike.target) == ("usa", "Kataib Hezbollah")
    assert strike.casualties and strike.casualties[0].count == 25 and strike.casualties[0].category == "fighter"
    assert kirkuk.id in strike.caused_by


@pytest.mark.parametrize(
    ("kind", "actor", "target_part", "caused_by_kind"),
    [
        ("protest", None, "US embassy", "airstrike"),
        ("drone-strike", "usa", "Soleimani", "protest"),
        ("parliamentary-vote", "iraqi-parliament", "US troops", "drone-strike"),
        ("ceasefire-pledge", None, "US targets", None),
        ("withdrawal", "usa", None, None),
    ],
)
def test_actions(seed: Extraction, kind: str, actor: str | None, target_part: str | None, caused_by_kind: str | None) -> None:
    act = _action(seed, kind)
    assert act.actor == actor
    if target_part:
        assert act.target and target_part in act.target
    if caused_by_kind:
        kinds = {a.kind for a in seed.actions if a.id in act.caused_by}
        assert caused_by_kind in kinds


def test_soleimani_killing_names_both_men(seed: Extraction) -> None:
    act = _action(seed, "drone-strike")
    assert act.target and "Soleimani" in act.target and "Mohandes" in act.target


def test_ceasefire_is_conditional_on_full_withdrawal(seed: Extraction) -> None:
    act = _action(seed, "ceasefire-pledge")
    assert act.date == dt.date(2020, 10, 1) and act.date_precision == "month"
    assert act.summary and "Iraqi militias" in act.summary and "full US withdrawal" in act.summary


def test_partial_withdrawal(seed: Extraction) -> None:
    act = _action(seed, "withdrawal")
    assert act.summary and "partial" in act.summary
    assert act.place is not None and act.place.gazetteer_id == "iraq"


def test_red_line(seed: Extraction) -> None:
    lines = [r for r in seed.redlines if r.speaker.speaker_id == "us-administration" and r.speaker.anonymous and "immediate" in r.consequence]
    assert lines, seed.redlines
    rl = lines[0]
    assert rl.speaker.speaker == "Trump"
    assert rl.speaker.outlet_id == "washington-post"
    assert rl.speaker.role == "official familiar with the meeting"
    assert "American" in rl.condition and "instructions from Iran" in rl.condition
    assert "US response" in rl.consequence
    assert rl.evidence is not None


def test_evidence_spans_cite_the_text(seed: Extraction, seed_text: str) -> None:
    spans = [s for i in seed.incidents for s in (*i.evidence, *(a.evidence for a in i.attributions if a.evidence))]
    spans += [s for a in seed.actions for s in a.evidence] + [r.evidence for r in seed.redlines if r.evidence]
    assert spans
    for s in spans:
        assert seed_text[s.start : s.end] == s.text
