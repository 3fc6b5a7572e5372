"""The bundled example articles and feed: the facts listed for them, and one merged incident per real event."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import tripwire.ingest as ingest
from tripwire.extract import extract, merge
from tripwire.extract.merge import Merged
from tripwire.model import AttributionKind, Extraction, Incident

K = AttributionKind


@pytest.fixture(scope="module")
def extractions(examples_dir: Path, kb) -> dict[str, list[Extraction]]:  # type: ignore[no-untyped-def]
    files = sorted((examples_dir / "articles").iterdir()) + [examples_dir / "feeds" / "theatre-wire.xml"]
    return {f.name: [extract(d, kb) for d in ingest.load_file(f)] for f in files}


@pytest.fixture(scope="module")
def merged(extractions: dict[str, list[Extraction]], kb) -> Merged:  # type: ignore[no-untyped-def]
    return merge([e for exs in extractions.values() for e in exs], kb=kb)


def _one(extractions: dict[str, list[Extraction]], name: str) -> Extraction:
    return next(exs[0] for fname, exs in extractions.items() if fname.startswith(name))


def _main(ex: Extraction) -> Incident:
    assert ex.incidents, "no incident found"
    return max(ex.incidents, key=lambda i: len(i.evidence))


@pytest.mark.parametrize(
    ("article", "date", "place", "attack_type"),
    [
        ("2019-12-28-k1", dt.date(2019, 12, 27), "k1-air-base", "rocket attack"),
        ("2020-01-08-al-asad", dt.date(2020, 1, 8), "al-asad", "missile strike"),
        ("2020-02-10-kirkuk", dt.date(2019, 12, 27), "k1-air-base", "rocket attack"),
        ("2020-03-13-camp-taji", dt.date(2020, 3, 11), "camp-taji", "rocket attack"),
        ("2020-11-18-green-zone", dt.date(2020, 11, 17), "green-zone", "rocket attack"),
        ("2021-02-16-erbil", dt.date(2021, 2, 15), "erbil-airport", "rocket attack"),
    ],
)
def test_incident_when_where_how(extractions, article: str, date: dt.date, place: str, attack_type: str) -> None:  # type: ignore[no-untyped-def]
    inc = _main(_one(extractions, article))
    assert (inc.date, inc.place.gazetteer_id if inc.place else None, inc.attack_type) == (date, place, attack_type)


@pytest.mark.parametrize(
    ("article", "status", "nationality", "category", "count"),
    [
        ("2019-12-28-k1", "killed", "US", "contractor", 1),
        ("2019-12-28-k1", "injured", "US", "service-member", 4),
        ("2019-12-28-k1", "injured", "IQ", "service-member", 2),
        ("2020-01-08-al-asad", "killed", "US", None, 0),
        ("2020-03-13-camp-taji", "killed", "US", "service-member", 2),
        ("2020-03-13-camp-taji", "killed", "GB", "service-member", 1),
        ("2020-03-13-camp-taji", "injured", None, None, 14),
        ("2020-11-18-green-zone", "killed", None, "child", 1),
        ("2020-11-18-green-zone", "injured", None, "civilian", 5),
        ("2021-02-16-erbil", "killed", None, "contractor", 1),
        ("2021-02-16-erbil", "injured", "US", "service-member", 1),
    ],
)
def test_casualties(extractions, article: str, status: str, nationality: str | None, category: str | None, count: int) -> None:  # type: ignore[no-untyped-def]
    inc = _main(_one(extractions, article))
    assert any((c.status, c.nationality, c.category, c.count) == (status, nationality, category, count) for c in inc.casualties), inc.casualties


def test_erbil_contractor_is_not_american(extractions) -> None:  # type: ignore[no-untyped-def]
    inc = _main(_one(extractions, "2021-02-16-erbil"))
    assert inc.killed("US") == 0 and inc.killed() == 1
    assert inc.injured() == 9, "the US service member is part of the nine wounded, not in addition"


@pytest.mark.parametrize(
    ("article", "actor", "kind", "hedge", "speaker_id", "sponsor"),
    [
        ("2019-12-28-k1", "kataib-hezbollah", K.ALLEGED, "suspected", "us-administration", "iran"),
        ("2019-12-28-k1", "kataib-hezbollah", K.DISPUTED, "no evidence", None, None),
        ("2019-12-30-us-strikes", "kataib-hezbollah", K.ALLEGED, None, "pentagon", None),
        ("2020-01-08-al-asad", "irgc", K.CLAIMED, None, None, None),
        ("2020-02-10-kirkuk", "isis", K.ASSESSED, "more likely", "iraqi-intelligence", None),
        ("2020-02-10-kirkuk", "kataib-hezbollah", K.ALLEGED, None, "us-administration", None),
        ("2020-02-10-kirkuk", "kataib-hezbollah", K.DISPUTED, None, None, None),
        ("2020-03-13-camp-taji", "iran-aligned-militia", K.ALLEGED, None, "us-administration", "iran"),
        ("2020-03-13-camp-taji", "kataib-hezbollah", K.ALLEGED, None, "us-administration", None),
        ("2020-11-18-green-zone", "unknown", K.DISPUTED, "not yet clear", None, None),
        ("2021-02-16-erbil", "saraya-awliya-al-dam", K.CLAIMED, None, None, None),
        ("2021-02-16-erbil", "iran", K.DENIED, None, "iran-government", None),
        ("2021-02-16-erbil", "unknown", K.DISPUTED, None, "us-administration", None),
    ],
)
def test_attributions(extractions, article: str, actor: str, kind: AttributionKind, hedge: str | None, speaker_id: str | None, sponsor: str | None) -> None:  # type: ignore[no-untyped-def]
    ex = _one(extractions, article)
    stmts = [a for i in ex.incidents for a in i.attributions]
    hits = [a for a in stmts if a.actor == actor and a.kind == kind and (hedge is None or hedge in a.hedges)]
    hits = [a for a in hits if speaker_id is None or a.asserted_by.speaker_id == speaker_id]
    assert hits, [(a.actor, a.kind.value, a.hedges, a.asserted_by.speaker_id) for a in stmts]
    if sponsor:
        assert any(a.sponsor == sponsor and a.relation == "supported" for a in hits)


@pytest.mark.parametrize("article", ["2019-12-28-k1", "2020-03-13-camp-taji", "2020-11-18-green-zone"])
def test_no_claim_when_no_group_claimed(extractions, article: str) -> None:  # type: ignore[no-untyped-def]
    ex = _one(extractions, article)
    assert not [a for i in ex.incidents for a in i.attributions if a.kind == K.CLAIMED]


def test_generic_blame_is_not_attached(extractions) -> None:  # type: ignore[no-untyped-def]
    inc = _main(_one(extractions, "2020-11-18-green-zone"))
    assert not [a for a in inc.attributions if a.kind in {K.ALLEGED, K.ASSESSED}]


def test_feed_claims_share_their_relay(extractions) -> None:  # type: ignore[no-untyped-def]
    items = extractions["theatre-wire.xml"]
    claims = [a for ex in items[:2] for i in ex.incidents for a in i.attributions if a.kind == K.CLAIMED]
    assert len(claims) == 2
    assert {a.actor for a in claims} == {"saraya-awliya-al-dam"}
    assert {a.asserted_by.via for a in claims} == {"Sabereen News"}


@pytest.mark.parametrize(
    ("article", "kind", "actor", "date", "place"),
    [
        ("2019-12-30-us-strikes", "airstrike", "usa", dt.date(2019, 12, 29), "al-qaim"),
        ("2020-01-03-baghdad", "drone-strike", "usa", dt.date(2020, 1, 3), "baghdad-airport"),
        ("2020-01-03-baghdad", "protest", "kataib-hezbollah", dt.date(2019, 12, 31), "us-embassy-baghdad"),
        ("2020-01-08-al-asad", "parliamentary-vote", "iraqi-parliament", dt.date(2020, 1, 5), None),
        ("2020-03-13-camp-taji", "airstrike", "usa", dt.date(2020, 3, 12), None),
        ("2020-11-18-green-zone", "ceasefire-pledge", None, dt.date(2020, 10, 1), None),
        ("2020-11-18-green-zone", "withdrawal", "usa", None, "iraq"),
        ("theatre-wire", "airstrike", "usa", dt.date(2021, 2, 25), "syria"),
    ],
)
def test_actions(extractions, article: str, kind: str, actor: str | None, date: dt.date | None, place: str | None) -> None:  # type: ignore[no-untyped-def]
    exs = next(v for k, v in extractions.items() if k.startswith(article))
    acts = [a for ex in exs for a in ex.actions if a.kind == kind]
    assert acts, [a.id for ex in exs for a in ex.actions]
    act = acts[0]
    assert (act.actor, act.date, act.place.gazetteer_id if act.place else None) == (actor, date, place)


def test_strike_casualties_and_targets(extractions) -> None:  # type: ignore[no-untyped-def]
    strike = next(a for a in _one(extractions, "2019-12-30-us-strikes").actions if a.kind == "airstrike")
    assert strike.target == "Kataib Hezbollah"
    assert any(c.status == "killed" and c.count == 25 and c.category == "fighter" and c.approximate for c in strike.casualties)
    drone = next(a for a in _one(extractions, "2020-01-03-baghdad").actions if a.kind == "drone-strike")
    assert drone.target and "Soleimani" in drone.target and "Muhandis" in drone.target


def test_merge_gives_one_incident_per_event(merged: Merged) -> None:
    ids = [i.id for i in merged.incidents]
    assert ids == [
        "2019-12-27-k1-air-base-rocket-attack",
        "2020-01-08-al-asad-missile-strike",
        "2020-03-11-camp-taji-rocket-attack",
        "2020-11-17-green-zone-rocket-attack",
        "2021-02-15-erbil-airport-rocket-attack",
    ]


@pytest.mark.parametrize(("incident_id", "n_docs"), [("2019-12-27-k1-air-base-rocket-attack", 3), ("2021-02-15-erbil-airport-rocket-attack", 4)])
def test_merge_unions_documents_without_double_counting(merged: Merged, incident_id: str, n_docs: int) -> None:
    inc = next(i for i in merged.incidents if i.id == incident_id)
    assert len(inc.documents) == n_docs
    assert inc.killed() == 1, inc.casualties


@pytest.mark.parametrize(
    ("kind", "date", "cause"),
    [
        ("airstrike", dt.date(2019, 12, 29), "2019-12-27-k1-air-base-rocket-attack"),
        ("airstrike", dt.date(2020, 3, 12), "2020-03-11-camp-taji-rocket-attack"),
        ("airstrike", dt.date(2021, 2, 25), "2021-02-15-erbil-airport-rocket-attack"),
        ("protest", dt.date(2019, 12, 31), "2019-12-29-airstrike-kataib-hezbollah"),
    ],
)
def test_merged_causal_links(merged: Merged, kind: str, date: dt.date, cause: str) -> None:
    act = next(a for a in merged.actions if a.kind == kind and a.date == date)
    assert cause in act.caused_by


def test_merged_strike_collects_reports(merged: Merged) -> None:
    strike = next(a for a in merged.actions if a.id == "2019-12-29-airstrike-kataib-hezbollah")
    assert len(strike.documents) == 2  # the strike report and the airport-strike background paragraph
