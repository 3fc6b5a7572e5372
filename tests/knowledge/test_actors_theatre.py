"""The theatre-scale actor, speaker and outlet tables, and priors per theatre."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from tripwire.errors import KnowledgeError
from tripwire.knowledge import KnowledgeBase
from tripwire.knowledge.priors import incident_priors, incident_theatre, perpetrator_priors, relation_priors, theatre_for, theatres
from tripwire.model import Incident, Place

# Words that must never be an alias on their own: they occur in ordinary prose.
STOP_WORDS = frozenset(
    """
    a an the of in on at to by for from with as is it its us we he she they them this that and or but not no
    state states army armies resistance party parties base bases government governments military forces force
    navy police coalition group groups militia militias militants militant gunmen gunman insurgents insurgent
    jihadists jihadist rebels rebel fighters officials official ministry office agency council command movement
    brigade brigades front network organization organisation guard guards union court people cave islamic
    national security defence defense intelligence president minister spokesman spokesperson leader general
    insider economist guardian times post standard hill star nation dawn telegram sabah mercy victory peace
    """.split()
)

KINDS = {"state", "state-organ", "militia", "insurgent", "front", "category", "agency", "party"}


def _names(items) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    seen: dict[str, set[str]] = defaultdict(set)
    for item in items:
        for alias in (item.name, *item.aliases):
            seen[" ".join(alias.split()).casefold()].add(item.id)
    return seen


def test_theatre_scale(kb: KnowledgeBase) -> None:
    assert len(kb.actors) >= 160
    assert len(kb.speakers) >= 12 + 60
    assert len(kb.outlets) >= 13 + 80
    assert {a.kind for a in kb.actors.values()} <= KINDS


@pytest.mark.parametrize(
    "actor_id",
    ["iran", "irgc", "quds-force", "usa", "iraq", "iraqi-army", "iraqi-intelligence", "iraqi-parliament", "pmf", "kataib-hezbollah",
     "asaib-ahl-al-haq", "isis", "harakat-al-nujaba", "kataib-sayyid-al-shuhada", "iran-aligned-militia", "saraya-awliya-al-dam",
     "usbat-al-thaireen", "israel", "saudi-arabia", "unknown"],
)
def test_original_ids_are_kept(kb: KnowledgeBase, actor_id: str) -> None:
    assert actor_id in kb.actors


@pytest.mark.parametrize("table", ["actors", "speakers", "outlets"])
def test_no_alias_names_two_entries(kb: KnowledgeBase, table: str) -> None:
    clashes = {alias: ids for alias, ids in _names(getattr(kb, table).values()).items() if len(ids) > 1}
    assert not clashes


@pytest.mark.parametrize("table", ["actors", "speakers", "outlets"])
def test_no_alias_is_a_stop_word(kb: KnowledgeBase, table: str) -> None:
    bad = set()
    for item in getattr(kb, table).values():
        for alias in (item.name, *item.aliases):
            if alias.isupper() and len(alias) <= 4 or alias in {"IS", "AP"}:
                continue  # matched case-sensitively ("US", "IS"), so not the word
            folded = alias.casefold()
            if folded in STOP_WORDS:
                bad.add((item.id, alias))
    assert not bad


def test_short_capital_aliases_are_acronyms(kb: KnowledgeBase) -> None:
    # <= 4 capitals match case-sensitively; anything shorter than 3 letters must be capitals
    for actor in kb.actors.values():
        for alias in actor.aliases:
            assert len(alias) >= 3 or alias.isupper(), (actor.id, alias)


#: known overlaps with gazetteer names, accepted on purpose
PLACE_OVERLAPS = {
    ("badr-organization", "Badr"),  # a small town in Egypt; in the news "Badr" is the Iraqi organisation
    ("taliban", "Islamic Emirate of Afghanistan"),  # the Taliban's name for the state it governs
}


def test_no_actor_alias_is_a_place_except_for_its_own_state(kb: KnowledgeBase) -> None:
    places: dict[str, set[str]] = defaultdict(set)
    for p in kb.places.values():
        for name in (p.name, *p.aliases):
            places[name.casefold()].add(p.country)
    bad = []
    for actor in kb.actors.values():
        for alias in (actor.name, *actor.aliases):
            countries = places.get(alias.casefold())
            if alias.isupper() and len(alias) <= 4 or (actor.id, alias) in PLACE_OVERLAPS:
                continue  # acronyms match in capitals only
            if countries and not (actor.kind == "state" and actor.country in countries):
                bad.append((actor.id, alias, sorted(countries)))
    assert not bad


@pytest.mark.parametrize(
    ("name", "actor_id"),
    [
        ("Ansarallah", "houthis"), ("Ansar Allah", "houthis"), ("Houthi rebels", "houthis"), ("Yemen's Houthis", "houthis"),
        ("the Houthi militia", "houthis"), ("Houthi-led government in Sanaa", "houthis"),
        ("ISKP", "isis-k"), ("ISIS-K", "isis-k"), ("Islamic State Khorasan", "isis-k"),
        ("al-Shabab", "al-shabaab"), ("Shabaab", "al-shabaab"), ("Harakat al-Shabaab al-Mujahideen", "al-shabaab"),
        ("Hizballah", "hezbollah"), ("Hizbollah", "hezbollah"), ("Party of God", "hezbollah"),
        ("Kataib Hezbollah", "kataib-hezbollah"), ("Kata'ib Hizballah", "kataib-hezbollah"),
        ("Islamic State", "isis"), ("Daesh", "isis"), ("ISWAP", "iswap"), ("Islamic State in the Greater Sahara", "isgs"),
        ("Islamic State Sahel Province", "isgs"), ("JNIM", "jnim"), ("AQAP", "aqap"), ("al-Qaida", "al-qaeda"),
        ("Saraya al-Quds", "al-quds-brigades"), ("PIJ", "palestinian-islamic-jihad"), ("Qassam Brigades", "qassam-brigades"),
        ("Badr Organisation", "badr-organization"), ("Peace Brigades", "saraya-salam"), ("Fatemiyoun", "liwa-fatemiyoun"),
        ("Islamic Resistance in Iraq", "islamic-resistance-in-iraq"), ("Ashab al-Kahf", "ashab-al-kahf"),
        ("Usbat al-Tha'ireen", "usbat-al-thaireen"), ("Nusra Front", "hts"), ("Haqqani network", "haqqani-network"),
        ("Pakistani Taliban", "ttp"), ("Taliban", "taliban"), ("Wagner Group", "wagner"), ("Africa Corps", "africa-corps"),
        ("CENTCOM", "centcom"), ("US Africa Command", "africom"), ("Fifth Fleet", "fifth-fleet"), ("IRGC Navy", "irgc-navy"),
        ("Kenya Defence Forces", "kdf"), ("Somali National Army", "somali-national-army"), ("Peshmerga", "peshmerga"),
        ("Counter-Terrorism Service", "iraqi-cts"), ("Mossad", "mossad"), ("IDF", "idf"), ("Saudi-led coalition", "saudi-led-coalition"),
        ("Türkiye", "turkey"), ("Syrian Democratic Forces", "sdf"), ("Iranian-backed militias", "iran-aligned-militia"),
        ("Iran's proxies", "axis-of-resistance"),
    ],
)
def test_resolve_spelling_variants(kb: KnowledgeBase, name: str, actor_id: str) -> None:
    assert kb.resolve_actor(name) == actor_id


def test_common_words_do_not_resolve(kb: KnowledgeBase) -> None:
    for word in ("State", "Army", "Resistance", "Party", "Base", "militants", "gunmen", "insurgents", "jihadists"):
        assert kb.resolve_actor(word) is None, word
    assert kb.find_actors("the state army of the resistance party at the base") == []


@pytest.mark.parametrize(
    ("actor_id", "sponsor", "relation"),
    [("houthis", "iran", "supported"), ("kataib-hezbollah", "iran", "supported"), ("hezbollah", "iran", "supported"),
     ("palestinian-islamic-jihad", "iran", "supported"), ("badr-organization", "iran", "supported"), ("liwa-fatemiyoun", "iran", "supported"),
     ("sdf", "usa", "supported"), ("syrian-national-army", "turkey", "supported"), ("southern-transitional-council", "uae", "supported"),
     ("taliban", "pakistan", "supported"), ("wagner", "russia", "coordinated")],
)
def test_sponsor_links(kb: KnowledgeBase, actor_id: str, sponsor: str, relation: str) -> None:
    links = {link.sponsor: link for link in kb.sponsors_of(actor_id)}
    assert sponsor in links and links[sponsor].relation == relation and 0 < links[sponsor].confidence <= 1


@pytest.mark.parametrize(
    ("front_name", "fronted", "sponsor"),
    [("Ashab al-Kahf", "kataib-hezbollah", "iran"), ("Usbat al-Thaireen", "kataib-hezbollah", "iran"),
     ("Alwiyat al-Waad al-Haq", "kataib-hezbollah", "iran"), ("Qasim al-Jabbarin", "iran-aligned-militia", "iran"),
     ("Islamic Resistance in Iraq", "iran-aligned-militia", "iran"), ("Saraya al-Quds", "palestinian-islamic-jihad", "iran"),
     ("Qassam Brigades", "hamas", "iran"), ("Radwan Force", "hezbollah", "iran")],
)
def test_front_names_resolve_to_their_actor_and_sponsor(kb: KnowledgeBase, front_name: str, fronted: str, sponsor: str) -> None:
    front = kb.resolve_actor(front_name)
    assert front is not None and kb.actors[front].front_for == fronted
    assert sponsor in {link.sponsor for link in kb.sponsors_of(front)}


def test_state_organs_belong_to_states(kb: KnowledgeBase) -> None:
    for actor in kb.actors.values():
        if actor.kind == "state-organ":
            assert actor.part_of and kb.actors[actor.part_of].kind == "state", actor.id
        if actor.kind == "front":
            assert actor.front_for, actor.id


def test_one_state_per_country(kb: KnowledgeBase) -> None:
    seen: dict[str, str] = {}
    for actor in kb.actors.values():
        if actor.kind == "state":
            assert actor.country not in seen, (actor.id, seen.get(actor.country or ""))
            seen[actor.country or ""] = actor.id


def test_country_government_speakers_stay_the_original_ones(kb: KnowledgeBase) -> None:
    first: dict[str, str] = {}
    for speaker in sorted(kb.speakers.values(), key=lambda s: s.id):
        if speaker.kind == "government" and speaker.country:
            first.setdefault(speaker.country, speaker.id)
    assert (first["US"], first["IR"], first["IQ"]) == ("us-administration", "iran-government", "iraqi-government")


@pytest.mark.parametrize(
    ("name", "speaker_id"),
    [("Yahya Sarea", "houthi-yahya-saree"), ("Yahya Saree", "houthi-yahya-saree"), ("Zabihullah Mujahid", "taliban-spokesman"),
     ("Antony Blinken", "us-blinken"), ("Lloyd Austin", "us-austin"), ("Nasser Kanaani", "iran-spokesman-kanaani"),
     ("Turki al-Maliki", "saudi-coalition-spokesman"), ("Majed al-Ansari", "qatar-government"), ("Yehia Rasool", "iraqi-military-spokesman"),
     ("Pompeo", "us-administration"), ("Esper", "pentagon"), ("Saeed Khatibzadeh", "iran-government")],
)
def test_speakers_by_name(kb: KnowledgeBase, name: str, speaker_id: str) -> None:
    assert kb.resolve_speaker(name) == speaker_id


def test_iranian_officials_deny_and_houthi_spokesmen_claim(kb: KnowledgeBase) -> None:
    for sid in ("iran-government", "iran-spokesman-kanaani", "iran-spokesman-baghaei", "iran-minister-araghchi"):
        assert {"iran", "irgc", "quds-force"} <= set(kb.speakers[sid].denies)
    for sid in ("houthi-yahya-saree", "houthi-abdulsalam"):
        assert kb.speakers[sid].denies == () and "houthis" in kb.speakers[sid].interested


@pytest.mark.parametrize(
    ("name", "outlet_id", "grade", "wire"),
    [("The Associated Press", "associated-press", "A", True), ("AP", "associated-press", "A", True), ("Reuters", "reuters", "A", True),
     ("Press TV", "press-tv", "E", False), ("Al-Masirah", "al-masirah", "E", False), ("Tasnim", "tasnim", "E", True),
     ("Xinhua", "xinhua", "C", True), ("Al Jazeera", "al-jazeera", "C", False), ("Long War Journal", "long-war-journal", "B", False),
     ("Hiiraan Online", "hiiraan", "C", False)],
)
def test_outlets(kb: KnowledgeBase, name: str, outlet_id: str, grade: str, wire: bool) -> None:
    oid = kb.resolve_outlet(name)
    assert oid == outlet_id and (kb.outlets[oid].reliability, kb.outlets[oid].wire) == (grade, wire)


def test_ap_is_case_sensitive(kb: KnowledgeBase) -> None:
    assert kb.find_outlets("an ap of") == []


# -- priors per theatre -----------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "theatre", "top"),
    [("IQ", "iraq", "kataib-hezbollah"), ("SY", "syria", "isis"), ("JO", "jordan-levant", "kataib-hezbollah"),
     ("SA", "gulf", "houthis"), ("AE", "gulf", "houthis"), ("OM", "gulf", "houthis"), ("YE", "yemen-red-sea", "houthis"),
     ("LB", "israel-lebanon", "hamas"), ("IL", "israel-lebanon", "hamas"), ("IR", "iran", "israel"),
     ("AF", "afghanistan-pakistan", "isis-k"), ("PK", "afghanistan-pakistan", "isis-k"), ("KE", "somalia-kenya", "al-shabaab"),
     ("SO", "somalia-kenya", "al-shabaab"), ("NE", "sahel", "jnim"), ("ML", "sahel", "jnim"), ("NG", "sahel", "jnim"),
     ("ke", "somalia-kenya", "al-shabaab")],
)
def test_theatre_chosen_per_country(kb: KnowledgeBase, country: str, theatre: str, top: str) -> None:
    assert theatre_for(kb, country) == theatre
    perps = perpetrator_priors(kb, country)
    assert max(perps, key=lambda p: perps[p]) == top
    assert all(p in kb.actors and kb.actors[p].kind not in {"front", "category"} or p == "unknown" for p in perps)


@pytest.mark.parametrize("country", [None, "", "US", "FR", "XX"])
def test_countries_in_no_theatre_get_the_default(kb: KnowledgeBase, country: str | None) -> None:
    assert theatre_for(kb, country) is None
    assert perpetrator_priors(kb, country) == kb.priors["perpetrators"]
    assert relation_priors(kb, country) == kb.priors["relations"]


def test_iraq_uses_exactly_the_default_tables(kb: KnowledgeBase) -> None:
    assert perpetrator_priors(kb, "IQ") == kb.priors["perpetrators"] == {
        "kataib-hezbollah": 0.30, "asaib-ahl-al-haq": 0.10, "harakat-al-nujaba": 0.06, "kataib-sayyid-al-shuhada": 0.04,
        "isis": 0.25, "iran": 0.05, "unknown": 0.20}
    assert relation_priors(kb, "IQ") == kb.priors["relations"]


def test_theatre_relation_tables_merge_over_the_default(kb: KnowledgeBase) -> None:
    rel = relation_priors(kb, "YE")
    assert rel["houthis"] == {"independent": 0.30, "supported": 0.55, "ordered": 0.15}
    assert rel["default"] == kb.priors["relations"]["default"]


def test_sea_areas_win_over_the_country(kb: KnowledgeBase) -> None:
    assert theatre_for(kb, None, place="Red Sea") == "yemen-red-sea"
    assert theatre_for(kb, "SA", place="red-sea") == "yemen-red-sea"
    assert theatre_for(kb, None, place="Gulf of Aden") == "yemen-red-sea"
    assert theatre_for(kb, None, place="Strait of Hormuz") == "gulf"
    assert theatre_for(kb, "SA", place="Riyadh") == "gulf"
    if "strait-of-hormuz" in kb.places:  # sea areas of installations.csv, listed with a coastal country
        assert theatre_for(kb, "IR", place="strait-of-hormuz") == "gulf"
        assert theatre_for(kb, "OM", place="arabian-sea") == "yemen-red-sea"
        assert theatre_for(kb, "YE", place="bab-el-mandeb") == "yemen-red-sea"


def test_incident_theatre_reads_the_place(kb: KnowledgeBase) -> None:
    kenya = Incident(id="x", place=Place(name="Manda Bay", country="KE"))
    assert incident_theatre(kb, kenya) == "somalia-kenya"
    assert incident_priors(kb, kenya)[0] == perpetrator_priors(kb, "KE")
    assert incident_theatre(kb, Incident(id="y")) is None
    assert incident_priors(kb, None)[0] == kb.priors["perpetrators"]


def test_every_theatre_is_well_formed(kb: KnowledgeBase) -> None:
    table = theatres(kb)
    assert {"iraq", "syria", "jordan-levant", "gulf", "yemen-red-sea", "israel-lebanon", "iran", "afghanistan-pakistan", "somalia-kenya",
            "sahel"} <= set(table)
    for tid, t in table.items():
        assert t["countries"] and all(re.fullmatch(r"[A-Z]{2}", c) for c in t["countries"]), tid
        for p, rate in (t.get("perpetrators") or {}).items():
            assert p in kb.actors and rate >= 0, (tid, p)
        if t.get("perpetrators"):
            assert sum(t["perpetrators"].values()) == pytest.approx(1.0), tid


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("theatres:\n  mars:\n    countries: [XM]\n    perpetrators: {ghost: 0.5}\n", "theatres.mars: unknown perpetrator 'ghost'"),
        ("theatres:\n  mars:\n    countries: [XM]\n    perpetrators: {isis: -0.5}\n", "non-negative"),
        ("theatres:\n  mars:\n    countries: [XM]\n    perpetrators: {isis: lots}\n", "non-negative"),
        ("theatres:\n  mars:\n    countries: [Mars]\n", "ISO 3166-1 alpha-2"),
        ("theatres:\n  mars:\n    countries: [KE]\n", "country KE is in two theatres"),
        ("theatres:\n  mars:\n    countries: [XM]\n    relations: {isis: {sometimes: 0.5}}\n", "unknown level 'sometimes'"),
        ("theatres:\n  mars:\n    countries: [XM]\n    seas: [3]\n", "seas"),
        ("theatres: [iraq]\n", "must be a mapping"),
    ],
)
def test_bad_theatres_are_named(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "priors.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        KnowledgeBase.load(tmp_path)


def test_user_theatre_is_added_and_replaces_by_id(tmp_path: Path) -> None:
    (tmp_path / "priors.yaml").write_text(
        "theatres:\n"
        "  libya:\n    countries: [LY]\n    perpetrators: {libya-lna: 0.5, isis-libya: 0.2, unknown: 0.3}\n"
        "  somalia-kenya:\n    countries: [SO, KE]\n    perpetrators: {isis-somalia: 0.6, unknown: 0.4}\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.load(tmp_path)
    assert theatre_for(kb, "LY") == "libya" and perpetrator_priors(kb, "LY")["libya-lna"] == 0.5
    assert max(perpetrator_priors(kb, "KE").items(), key=lambda kv: kv[1])[0] == "isis-somalia"
    assert theatre_for(kb, "DJ") is None  # the replaced theatre no longer lists Djibouti
    assert theatre_for(kb, "YE") == "yemen-red-sea"  # the other bundled theatres stay


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("actors:\n  - id: new-branch\n    name: New Branch\n    kind: insurgent\n    branch_of: ghost\n", "refers to unknown actor 'ghost'"),
        ("actors:\n  - id: new-branch\n    name: New Branch\n    kind: insurgent\n    branch_of: isis\n    operates_in: [Atlantis]\n",
         "operates_in names 'Atlantis'"),
    ],
)
def test_bad_branches_are_named(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "actors.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        KnowledgeBase.load(tmp_path)


def test_every_branch_has_ground_and_a_movement(kb) -> None:  # type: ignore[no-untyped-def]
    branches = {a.id: a for a in kb.actors.values() if a.branch_of}
    assert {"isgs", "iswap", "isis-k", "aqap", "al-shabaab", "jnim"} <= set(branches)
    for aid, a in branches.items():
        assert a.branch_of in {"isis", "al-qaeda"} and a.operates_in, aid
    # in Niger the two Islamic State branches are told apart by province
    assert "tillaberi-region" in branches["isgs"].operates_in and "diffa-region" in branches["iswap"].operates_in


def test_a_user_branch_with_a_leader_is_read(tmp_path: Path) -> None:
    (tmp_path / "actors.yaml").write_text(
        "actors:\n  - id: isis-drc\n    name: Islamic State Central Africa Province\n    kind: insurgent\n    country: CD\n"
        "    branch_of: isis\n    operates_in: [CD, UG]\n    leaders: [Seka Musa Baluku]\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.load(tmp_path)
    from tripwire.extract import extract_text

    ex = extract_text("Fighters loyal to Seka Musa Baluku claimed responsibility for an attack on a village in Uganda on Sunday.", kb=kb)
    assert [(s.kind.value, s.actor) for i in ex.incidents for s in i.attributions] == [("claimed", "isis-drc")]
