"""Rules for the language of real reports, one case table per field.

Every sentence here is written for these tests in the style of wire copy about
public events; none is taken from an article.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tripwire.extract import extract_text, merge
from tripwire.model import AttributionKind as K
from tripwire.model import Extraction

PUB = dt.date(2024, 1, 29)  # a Monday


def ex(text: str, published: dt.date = PUB, kb=None) -> Extraction:  # type: ignore[no-untyped-def]
    return extract_text(text, published=published, kb=kb)


def statements(e: Extraction) -> list[tuple[str, str]]:
    return [(s.kind.value, s.actor) for i in e.incidents for s in i.attributions]


@pytest.mark.parametrize(
    ("text", "place", "date"),
    [
        ("Al-Shabaab fighters attacked a military base in Kenya on Sunday.", "kenya", dt.date(2024, 1, 28)),
        ("A US patrol came under fire near Tongo Tongo in western Niger on Wednesday.", "tongo-tongo", dt.date(2024, 1, 24)),
        ("The tanker was hit by a drone off the coast of Oman last night.", "oman", dt.date(2024, 1, 28)),
        ("NIAMEY, Niger -- Three soldiers were killed when their convoy was ambushed near Ouallam on Saturday.", "ouallam", dt.date(2024, 1, 27)),
        ("Baghdad [Iraq], Jan 29 (ANI): Rockets hit the Ain al-Asad air base in Anbar on Sunday.", "al-asad", dt.date(2024, 1, 28)),
        ("Houthi forces in Yemen fired missiles at a cargo ship in the Gulf of Aden on Sunday.", "gulf-of-aden", dt.date(2024, 1, 28)),
        # the Arabic article written any way, or left out
        ("Drones attacked a base near al-Shaddadi in Syria on Sunday.", "shaddadi", dt.date(2024, 1, 28)),
        ("Rockets hit a militia depot in al-Mayadin on Sunday.", "mayadin", dt.date(2024, 1, 28)),
        ("Rockets hit a militia depot in Malikiyah on Sunday.", "al-malikiyah", dt.date(2024, 1, 28)),
        ("A tanker was attacked off Fujairah on Sunday.", "fujairah", dt.date(2024, 1, 28)),
    ],
)
def test_attacks_are_found_with_place_and_day(kb, text: str, place: str, date: dt.date) -> None:  # type: ignore[no-untyped-def]
    (incident,) = ex(text, kb=kb).incidents
    assert incident.place is not None and incident.place.gazetteer_id == place
    assert incident.date == date


@pytest.mark.parametrize(
    "text",
    [
        "Diplomats met in Vienna on Tuesday to discuss the nuclear deal.",
        "The Treasury Department imposed new sanctions on Iran's petrochemical sector on Friday.",
        "Officials fear that a similar rocket attack could kill Americans.",
        "More than 30 people attended the talks in Doha on Monday.",
    ],
)
def test_no_attack_where_none_happened(kb, text: str) -> None:  # type: ignore[no-untyped-def]
    assert ex(text, kb=kb).incidents == ()


def test_a_struck_group_is_not_named_as_the_attacker(kb) -> None:  # type: ignore[no-untyped-def]
    e = ex("A rocket attack hit the base on Saturday. On Sunday US jets struck Kataib Hezbollah positions in retaliation for the attack.", kb=kb)
    assert ("alleged", "kataib-hezbollah") in statements(e)  # the implicit allegation of a retaliatory strike
    assert all(s.asserted_by.speaker_id == "us-administration" for i in e.incidents for s in i.attributions if s.actor == "kataib-hezbollah")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A drone hit the base on Sunday. The Islamic Resistance in Iraq claimed responsibility for the attack.", ("claimed", "islamic-resistance-in-iraq")),
        ("A drone hit the base on Sunday. The Houthis said they had launched the drone at the base.", ("claimed", "houthis")),
        ("The Taliban-claimed car bombing killed ten people in Kabul on Thursday.", ("claimed", "taliban")),
        ("A rocket attack claimed by Kataib Hezbollah hit the base on Sunday.", ("claimed", "kataib-hezbollah")),
        ("A drone hit the ship on Sunday. Houthi military spokesman Yahya Saree said the ship was targeted with missiles.", ("claimed", "houthis")),
        ("The drone attack on the base on Sunday bore the footprints of Kataib Hezbollah, a Pentagon spokesperson said.", ("alleged", "kataib-hezbollah")),
        ("Washington blamed the rocket attack on the base on Sunday on Kataib Hezbollah.", ("alleged", "kataib-hezbollah")),
        ("The base was attacked on Sunday by ballistic missiles originating from Iran, the US defense official said.", ("alleged", "iran")),
        ("A drone hit the base on Sunday. Iran's foreign ministry dismissed the accusations as baseless.", ("denied", "iran")),
        ("A drone hit the base on Sunday. Iran rejected the US allegations that it was behind the attack.", ("denied", "iran")),
        ("The rebels seized a cargo ship on Sunday. The State Department condemned the Houthi hijacking as a violation of international law.", ("alleged", "houthis")),
        ("Qatar condemned the Iranian missile attack on Al Udeid on Monday.", ("alleged", "iran")),
        ("A car bomb hit Kabul on Thursday. It was the second Taliban attack in the capital this week.", ("alleged", "taliban")),
        ("A car bomb hit Kabul on Thursday. The president wrote that the Taliban admitted to the attack.", ("alleged", "taliban")),
        ("The United States blamed Iran for the attack on a tanker in the Gulf of Oman on Thursday.", ("alleged", "iran")),
        ("The tanker was attacked late on Sunday by Houthi drones, the US military said.", ("alleged", "houthis")),
        ("A rocket hit Erbil airport on Monday. Officials said it was too early to say who was behind the attack.", ("disputed", "unknown")),
        ("Rockets hit Ain al-Asad air base on Sunday. The Pentagon attributed the attack to Iran-backed militias.", ("alleged", "iran-aligned-militia")),
        ("Rockets hit Ain al-Asad air base on Sunday. U.S. officials said Kataib Hezbollah was the prime suspect.", ("alleged", "kataib-hezbollah")),
        ("Rockets hit Ain al-Asad air base on Sunday. Iran's mission to the UN said Tehran played no role in the attack.", ("denied", "iran")),
        # "the group" is the armed group just named
        ("Rockets hit the Baghdad airport on Tuesday. U.S. officials blamed Kataib Hezbollah. The group's spokesman denied any involvement.",
         ("denied", "kataib-hezbollah")),
        ("Drones hit a base in Syria on Thursday. The Islamic Resistance in Iraq praised it. A US official said the group was almost certainly behind the attack.",
         ("alleged", "islamic-resistance-in-iraq")),
        ("A mine attack damaged a tanker in the Gulf of Oman on Thursday, and Washington blamed Iran. The operator said the US military's claim was incorrect.",
         ("disputed", "iran")),
    ],
)
def test_claims_allegations_and_denials(kb, text: str, expected: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    e = ex(text, kb=kb)
    assert expected in statements(e), statements(e)


@pytest.mark.parametrize(
    "text",
    [
        "Rockets hit Al Asad on Saturday. Kataib Hezbollah did not claim the attack.",
        "Rockets hit Al Asad on Saturday. Kataib Hezbollah has not yet claimed responsibility.",
        "Rockets hit Al Asad on Saturday. Kataib Hezbollah praised the attack without claiming it.",
        "Rockets hit Al Asad on Saturday. Kataib Hezbollah said it had nothing to do with the attack.",
    ],
)
def test_a_claim_denied_in_the_sentence_is_no_claim(kb, text: str) -> None:  # type: ignore[no-untyped-def]
    assert not [a for k, a in statements(ex(text, kb=kb)) if k == "claimed"]


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # "the group" as an object is nobody's subject: the denial is the accused state's
        ("A rocket hit Erbil on Monday. Saraya Awliya al-Dam claimed it. Iran's foreign ministry spokesman said Tehran had no connection to the group "
         "and dismissed the suggestions as suspicious.", ("denied", "iran"), ("denied", "saraya-awliya-al-dam")),
        # the host government denying where the drones came from launched nothing
        ("A drone attack targeted al-Tanf on Wednesday. Iraq's government rejected the claim that the drones had been launched from its soil.",
         ("denied", "iraq"), ("alleged", "iraq")),
    ],
)
def test_who_denied_what(kb, text: str, wanted: tuple[str, str], unwanted: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    found = statements(ex(text, kb=kb))
    assert wanted in found and unwanted not in found, found


def test_the_group_is_nobody_when_no_group_was_named_lately(kb) -> None:  # type: ignore[no-untyped-def]
    text = ("Kataib Hezbollah was founded in 2007. It has fought in Iraq for years. It has offices in Baghdad. It was listed by Washington in 2009. "
            "Rockets hit the Baghdad airport on Tuesday. The group's spokesman denied any involvement.")
    assert ("denied", "kataib-hezbollah") not in statements(ex(text, kb=kb))


@pytest.mark.parametrize(
    ("text", "incidents"),
    [
        ("U.S. forces have been attacked more than 150 times in Iraq and Syria since mid-October.", 0),
        ("There have been dozens of drone attacks on US bases in Syria since October.", 0),
        ("The drone attack on Tower 22 on Sunday was the latest of more than 160 attacks on U.S. forces.", 1),
        ("Militants fired 12 rockets at Al Asad air base on Sunday.", 1),
    ],
)
def test_a_tally_of_attacks_is_not_an_attack(kb, text: str, incidents: int) -> None:  # type: ignore[no-untyped-def]
    assert len(ex(text, kb=kb).incidents) == incidents


def test_a_group_the_knowledge_base_does_not_know_still_claims(kb) -> None:  # type: ignore[no-untyped-def]
    e = ex("Two rockets hit Balad air base on Sunday. A group calling itself the Sons of the Two Rivers Brigades claimed responsibility.", kb=kb)
    assert ("claimed", "unresolved:sons-of-the-two-rivers-brigades") in statements(e)
    assert [p.name for p in e.provisional_actors] == ["Sons of the Two Rivers Brigades"]


@pytest.mark.parametrize(
    ("text", "speaker_country"),
    [
        ("A drone hit the base on Sunday. Kataib Hezbollah was behind the attack, US officials said.", "US"),
        ("A drone hit the base on Sunday. US officials said Kataib Hezbollah was behind the attack. The officials said it was likely responsible.", "US"),
        ('"The attack was carried out by Kataib Hezbollah. We will hold them to account," said Pentagon press secretary Sabrina Singh.', "US"),
    ],
)
def test_the_source_named_after_the_statement(kb, text: str, speaker_country: str) -> None:  # type: ignore[no-untyped-def]
    from tripwire.extract.evaluation import is_us_source

    e = ex(text, kb=kb)
    alleged = [s for i in e.incidents for s in i.attributions if s.kind in {K.ALLEGED, K.ASSESSED}]
    assert alleged and all(is_us_source(kb, s) for s in alleged), [s.asserted_by for s in alleged]


@pytest.mark.parametrize(
    ("text", "killed_us", "wounded_us", "killed_all"),
    [
        # "others" are of the people just named
        ("A drone attack on Sunday killed three American service members and wounded twenty-five others.", 3, 25, 3),
        ("Three Green Berets were killed and two others were wounded when their patrol was attacked on Sunday.", 3, 2, 3),
        ("A British soldier was killed and two others were wounded in an attack on the base on Sunday.", 0, 0, 1),
        ("The attack on Sunday killed one US service member and two Defense Department contractors.", 3, 0, 3),
        ("The attack on Sunday killed a British soldier.", 0, 0, 1),
        ("Three Green Berets were killed in an ambush on Sunday.", 3, 0, 3),
        ("The blast on Sunday killed or wounded 20 people.", 0, 0, 0),
        ("Gunmen attacked the base on Sunday. Al-Shabaab said it had killed 17 American troops in the raid.", 0, 0, 0),
        ("The drone attack on Sunday killed two crew members, a Briton and a Romanian.", 0, 0, 2),
        ("At least 1,200 people were wounded in the blast on Sunday, among them a US contractor.", 0, 1, 0),
        ("Rockets struck Al Asad air base on Saturday, wounding a number of U.S. personnel and an Iraqi service member.", 0, 2, 0),
        ("Drones struck Al Asad air base on Saturday. Four US service members suffered traumatic brain injuries.", 0, 4, 0),
        ("Drones struck Al Asad air base on Saturday, and two American troops were treated for minor injuries.", 0, 2, 0),
        # a count whose noun is left out, and a toll as it stands now
        ("Three U.S. troops were killed and 34 wounded in a drone attack on a base in Jordan on Sunday.", 3, 34, 3),
        ("The number of U.S. troops wounded in Sunday's drone attack on the base in Jordan has risen to more than 40.", 0, 40, 0),
    ],
)
def test_casualties_as_reports_word_them(kb, text: str, killed_us: int, wounded_us: int, killed_all: int) -> None:  # type: ignore[no-untyped-def]
    incidents = ex(text, kb=kb).incidents
    assert len(incidents) == 1, [i.id for i in incidents]
    (i,) = incidents
    assert (i.killed("US"), i.injured("US"), i.killed()) == (killed_us, wounded_us, killed_all), i.casualties


@pytest.mark.parametrize(
    ("text", "kind", "actor", "target_part"),
    [
        ("The United States and Britain, with support from Australia and Canada, conducted strikes on Houthi targets in Yemen on Thursday.", "airstrike", "uk", "Houthi"),
        ("The United States and Britain, with support from Australia and Canada, conducted strikes on Houthi targets in Yemen on Thursday.", "airstrike", "usa", "Houthi"),
        ("US aircraft struck facilities in eastern Syria used by Kataib Hezbollah and Kataib Sayyid al-Shuhada on Thursday.", "airstrike", "usa", "Kataib Sayyid al-Shuhada"),
        ("The Houthis seized the cargo ship Galaxy Leader in the Red Sea on Sunday.", "seizure", "houthis", "Galaxy Leader"),
        ("Romania summoned the Iranian ambassador on Monday.", "diplomatic-protest", "romania", "Iran"),
        ("The Treasury Department hit Iran with new sanctions on Friday.", "sanctions", "usa", None),
        ("NATO suspended its training mission in Iraq on Saturday.", "suspension", "nato", None),
        ("The Saudi-led coalition issued a statement on Monday confirming the targeting of Houthi leaders in Sanaa.", "airstrike", "saudi-led-coalition", "Houthi"),
        ("The president said on Saturday that US forces successfully struck three nuclear sites in Iran.", "airstrike", "usa", None),
    ],
)
def test_actions(kb, text: str, kind: str, actor: str, target_part: str | None) -> None:  # type: ignore[no-untyped-def]
    found = [a for a in ex(text, kb=kb).actions if a.kind == kind and a.actor == actor]
    assert found, [(a.kind, a.actor, a.target) for a in ex(text, kb=kb).actions]
    assert target_part is None or any(a.target and target_part in a.target for a in found)
    assert all(a.date is not None for a in found)


def test_fighters_storming_a_base_is_no_protest(kb) -> None:  # type: ignore[no-untyped-def]
    e = ex("Al-Shabaab said in a statement that its fighters had stormed the Baledogle airfield on Monday.", published=dt.date(2019, 10, 1), kb=kb)
    assert not [a for a in e.actions if a.kind == "protest"]
    assert ("claimed", "al-shabaab") in statements(e)
    e = ex("Hundreds of militia supporters stormed the US embassy compound in Baghdad on Tuesday.", published=dt.date(2019, 12, 31), kb=kb)
    assert [a.kind for a in e.actions] == ["protest"]


def test_a_drone_strike_that_killed_american_troops_is_an_attack_on_them(kb) -> None:  # type: ignore[no-untyped-def]
    e = ex("The Pentagon on Monday identified the three soldiers killed in Sunday's drone strike on a base in Jordan.", published=dt.date(2024, 1, 30), kb=kb)
    assert [(i.date, i.killed()) for i in e.incidents] == [(dt.date(2024, 1, 28), 3)] and not e.actions
    # a US strike that killed militia fighters stays a US action
    e = ex("The Pentagon said a drone strike killed a senior Kataib Hezbollah commander in Baghdad on Wednesday.", kb=kb)
    assert [(a.kind, a.actor) for a in e.actions] == [("drone-strike", "usa")]


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("An Israeli drone strike in southern Lebanon killed a Hezbollah commander on Tuesday.", "israel"),
        ("British airstrikes hit Houthi sites in Yemen on Monday.", "uk"),
    ],
)
def test_a_nationality_before_a_strike_names_who_struck(kb, text: str, actor: str) -> None:  # type: ignore[no-untyped-def]
    assert [a.actor for a in ex(text, kb=kb).actions] == [actor]


def test_the_label_with_the_is_the_group_just_named(kb) -> None:  # type: ignore[no-untyped-def]
    text = ("Israeli jets struck Hezbollah launch sites in southern Lebanon on Wednesday.\n\n"
            "In a statement, the Iran-backed group said the barrage was a response and warned that further Israeli attacks would be met with a wider response.")
    e = ex(text, published=dt.date(2024, 6, 13), kb=kb)
    assert [r.speaker.speaker for r in e.redlines] == ["Hezbollah (Lebanon)"]  # the group's knowledge-base name
    # without "the", a label is only a label
    e = ex("Rockets hit a US base in Syria on Sunday. An Iran-backed group claimed responsibility.", kb=kb)
    assert ("claimed", "iran-aligned-militia") in statements(e)


def test_a_hijacking_is_an_action_and_an_attack(kb) -> None:  # type: ignore[no-untyped-def]
    e = ex("The Houthis hijacked the cargo ship Galaxy Leader in the Red Sea on Sunday.", kb=kb)
    assert [a.kind for a in e.actions] == ["seizure"] and len(e.incidents) == 1


@pytest.mark.parametrize(
    ("text", "speaker_part"),
    [
        ("If you harm an American, we will respond, President Biden said.", "Biden"),
        ("Qatar reserves the right to respond to the attack on Al Udeid, the foreign ministry spokesman said.", "spokes"),
        ("The attack will not go unanswered, the Revolutionary Guards said.", "Revolutionary"),
        ("Any violation of our sovereignty will be met with a decisive response, the IRGC warned.", "Revolutionary Guard"),
        ("Secretary of State Mike Pompeo said Iran would be held accountable for any attack by its proxies that harmed Americans.", "Pompeo"),
        ("President Joe Biden said the United States would hold those responsible to account.", "Biden"),
        # the group that opens the clause speaks for itself; "He" is the person named last
        ("Harakat al-Nujaba, an Iran-backed militia, promised revenge against the US for the strike.", "Nujaba"),
        ("Houthi military spokesman Yahya Saree said the group had fired missiles at the ship. He warned that further attacks would be worse if the war went on.",
         "Saree"),
    ],
)
def test_red_lines_and_threats(kb, text: str, speaker_part: str) -> None:  # type: ignore[no-untyped-def]
    (rl,) = ex(text, kb=kb).redlines
    who = " ".join(x for x in (rl.speaker.speaker, rl.speaker.role) if x)
    assert speaker_part in who, rl.speaker
    assert not rl.consequence.rstrip(".").endswith(("said", "warned"))  # the reporting clause is not part of the threat


def test_one_salvo_in_several_reports_is_one_incident(kb) -> None:  # type: ignore[no-untyped-def]
    reports = [
        ("Iranian missiles struck Al Asad air base in western Iraq early on Wednesday.", dt.date(2020, 1, 8)),
        ("Iran fired more than a dozen ballistic missiles at Al Asad and Erbil bases on Wednesday.", dt.date(2020, 1, 8)),
        ("The missile barrage on the Ain al-Asad air base in Anbar on Tuesday night caused no casualties.", dt.date(2020, 1, 9)),
        ("Rockets hit the base in Anbar province on Wednesday, Iraqi officials said.", dt.date(2020, 1, 9)),
    ]
    exs = [extract_text(t, published=p, document_id=f"d{n}", kb=kb) for n, (t, p) in enumerate(reports)]
    incidents = merge(exs, kb).incidents
    assert len(incidents) == 1, [(i.id, i.documents) for i in incidents]
    assert incidents[0].place is not None and incidents[0].place.gazetteer_id == "al-asad"


def test_a_toll_that_rises_over_days_keeps_the_latest_figure(kb) -> None:  # type: ignore[no-untyped-def]
    reports = [
        ("Three U.S. troops were killed and 25 wounded in a drone attack on a base in Jordan on Sunday.", dt.date(2024, 1, 28)),
        ("The drone struck Tower 22, an outpost in northeastern Jordan, early on Sunday, killing three American soldiers.", dt.date(2024, 1, 29)),
        ("The number of U.S. troops wounded in the January 28 drone attack in Jordan has risen to more than 40, officials said.", dt.date(2024, 1, 31)),
    ]
    exs = [extract_text(t, published=p, document_id=f"d{n}", kb=kb) for n, (t, p) in enumerate(reports)]
    (incident,) = merge(exs, kb).incidents
    assert (incident.killed("US"), incident.injured("US")) == (3, 40)


def test_neighbouring_attacks_on_one_base_stay_apart(kb) -> None:  # type: ignore[no-untyped-def]
    reports = [
        ("Rockets hit Al Asad air base on Tuesday.", dt.date(2021, 3, 3)),
        ("Rockets hit Al Asad air base again on Friday, a week after the last attack.", dt.date(2021, 3, 12)),
    ]
    exs = [extract_text(t, published=p, document_id=f"d{n}", kb=kb) for n, (t, p) in enumerate(reports)]
    assert len(merge(exs, kb).incidents) == 2


def test_red_sea_sub_areas_are_one_sea(kb) -> None:  # type: ignore[no-untyped-def]
    reports = [
        ("A US destroyer shot down cruise missiles launched by the Houthis over the northern Red Sea on Thursday.", dt.date(2023, 10, 19)),
        ("Drones launched by the Houthis were shot down over the Red Sea on Thursday.", dt.date(2023, 10, 20)),
    ]
    exs = [extract_text(t, published=p, document_id=f"d{n}", kb=kb) for n, (t, p) in enumerate(reports)]
    assert len(merge(exs, kb).incidents) == 1


@pytest.mark.parametrize(
    ("text", "actors"),
    [
        ("facilities used by Kait'ib Hezbollah and other groups", ["kataib-hezbollah"]),  # a misspelt name, as printed
        ("fighters of the Kataeb Hizbullah militia", ["kataib-hezbollah"]),
        ("Iran and Hezbollah condemned the strike", ["iran", "hezbollah"]),  # a plain name is left alone
        ("The Hezbollah leader spoke on Sunday", ["hezbollah"]),
    ],
)
def test_misspelt_group_names_resolve(kb, text: str, actors: list[str]) -> None:  # type: ignore[no-untyped-def]
    from tripwire.extract.lexicon import lexicon_for

    assert [m.key for m in lexicon_for(kb).actors.find(text)] == actors


@pytest.mark.parametrize(
    ("text", "published", "date"),
    [
        # the day the statement was made does not start a second attack when the story dates the attack itself
        (
            "The tanker was attacked by a drone off the coast of Oman on Thursday, its operator said. "
            "On Sunday, the British Foreign Secretary said London was confident that Iran was behind the attack. "
            "The Foreign Secretary pledged a response to this unacceptable attack on Monday.",
            dt.date(2021, 8, 3),
            dt.date(2021, 7, 29),
        ),
        # a filing note in brackets after the dateline city is not the attack's day
        (
            "LONDON (Wire Service - 2nd August, 2021) A drone attack on a tanker off Oman killed two crew members on Thursday.",
            dt.date(2021, 8, 2),
            dt.date(2021, 7, 29),
        ),
        # "said Saturday that ... fired" dates the attack no later than Saturday, whatever the sentences after it talk of
        (
            "The president said Saturday that US forces helped shoot down drones fired by Iran at Israel. "
            "Leaders will meet on Sunday to coordinate a response to Iran's attack.",
            dt.date(2024, 4, 14),
            dt.date(2024, 4, 13),
        ),
    ],
)
def test_the_day_something_was_said_is_not_a_second_attack(kb, text: str, published: dt.date, date: dt.date) -> None:  # type: ignore[no-untyped-def]
    incidents = ex(text, published=published, kb=kb).incidents
    assert [i.date for i in incidents] == [date], [(i.id, i.date) for i in incidents]


def test_a_statement_day_alone_still_dates_the_attack(kb) -> None:  # type: ignore[no-untyped-def]
    (incident,) = ex("Rockets hit the US embassy in Baghdad, officials said on Sunday.", kb=kb).incidents
    assert incident.date == dt.date(2024, 1, 28)


@pytest.mark.parametrize(
    ("text", "claimant"),
    [
        # the branch is named later in the story
        ("A group loyal to the Islamic State claimed responsibility for the ambush of a patrol near Tongo Tongo in Niger on Wednesday. "
         "Officials had tied the fighters to ISIS in the Greater Sahara.", "isgs"),
        # no branch named: the ground of the story decides (a province counts more than a country both branches share)
        ("A group that is loyal to the Islamic State claimed responsibility for the ambush of a patrol in Tillaberi region of Niger on Wednesday.", "isgs"),
        ("The Islamic State's affiliate claimed responsibility for a raid on an army base in Diffa region of Niger on Wednesday.", "iswap"),
        ("An al-Qaeda affiliate claimed responsibility for a car bombing in Mogadishu, Somalia on Wednesday.", "al-shabaab"),
        # a leader's name names his group
        ("Fighters loyal to Iyad Ag Ghaly claimed responsibility for an attack on a military camp in central Mali on Wednesday.", "jnim"),
        # in Iraq the movement is the movement: no branch operates there
        ("An Islamic State-affiliated group claimed responsibility for a bombing in Kirkuk on Wednesday.", "isis"),
        # two branches share the ground and nothing else tells them apart: no guess
        ("A group loyal to the Islamic State claimed responsibility for an attack in Niger on Wednesday.", "isis"),
    ],
)
def test_a_movements_affiliate_is_the_branch_the_story_points_to(kb, text: str, claimant: str) -> None:  # type: ignore[no-untyped-def]
    claims = [a for s, a in statements(ex(text, kb=kb)) if s == "claimed"]
    assert claims == [claimant] or (claims and set(claims) == {claimant}), statements(ex(text, kb=kb))


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # the traffic's route is not where the ship was hit
        ("A Houthi missile struck a bulk carrier in the Gulf of Aden on Wednesday. Those killed in the attack on Wednesday were the first "
         "deaths from Houthi attacks on ships using the key Red Sea trade route.", "gulf-of-aden"),
        # a medium named after a city is not where
        ("Gunmen ambushed an army patrol on Wednesday, killing four soldiers, the Nouakchott News Agency reported.", None),
    ],
)
def test_names_that_do_not_say_where(kb, text: str, place: str | None) -> None:  # type: ignore[no-untyped-def]
    incidents = ex(text, kb=kb).incidents
    assert [i.place.gazetteer_id if i.place else None for i in incidents] == [place], [(i.id, i.place) for i in incidents]


@pytest.mark.parametrize(
    "text",
    [
        "Iranian missiles hit Al Asad air base at 5:30 p.m. EST on Tuesday (1:30 a.m. local time Wednesday).",
        "Iranian missiles hit Al Asad air base at 1:30 a.m. local time on Wednesday (5:30 p.m. EST Tuesday).",
        "Iranian missiles hit Al Asad air base on Wednesday at 1:30 a.m. GMT, which was Tuesday evening in Washington (Tuesday 8:30 p.m. ET).",
    ],
)
def test_one_moment_in_two_clocks_is_dated_where_it_happened(kb, text: str) -> None:  # type: ignore[no-untyped-def]
    (incident,) = ex(text, published=dt.date(2020, 1, 9), kb=kb).incidents
    assert incident.date == dt.date(2020, 1, 8)


#: A wire-style story written for this test from public facts about the drone attack on Tower 22 (Jordan, 28 January 2024).
TOWER_22 = (
    'AMMAN, Jordan (Wire) -- Three U.S. Army soldiers were killed and more than 40 others were injured when a one-way attack drone struck a logistics base in northeastern Jordan near the Syrian border early on Sunday, U.S. officials said.'
    "\n\n"
    'The attack on the outpost known as Tower 22 was the first deadly strike on American forces in the region since the Gaza war began in October.'
    "\n\n"
    'President Joe Biden blamed Iran-backed militant groups based in Syria and Iraq and said the United States would hold those responsible to account.'
    "\n\n"
    'The Islamic Resistance in Iraq, an umbrella of Iran-aligned militias, said it had launched drones at several bases on Sunday, including one near the Jordanian-Syrian border.'
    "\n\n"
    'A Pentagon spokeswoman said on Monday the attack bore the footprints of Kataib Hezbollah.'
    "\n\n"
    "Iran's foreign ministry spokesman Nasser Kanaani rejected the accusations as baseless, saying the resistance groups in the region do not take orders from Tehran."
    "\n\n"
    "Jordan's government spokesman initially said the attack took place outside Jordan, in Syria, before officials acknowledged the base was on Jordanian soil."
    "\n\n"
)


def test_a_wire_story_of_a_deadly_attack_in_jordan(kb) -> None:  # type: ignore[no-untyped-def]
    e = ex(TOWER_22, published=dt.date(2024, 1, 29), kb=kb)
    (i,) = e.incidents
    assert (i.date, i.place.country if i.place else None, i.weapon) == (dt.date(2024, 1, 28), "JO", "drone")
    assert (i.killed("US"), i.injured("US")) == (3, 40)
    found = {(s.kind.value, s.actor) for s in i.attributions}
    assert {("claimed", "islamic-resistance-in-iraq"), ("alleged", "kataib-hezbollah"), ("alleged", "iran-aligned-militia"), ("denied", "iran")} <= found
    assert not any(a in {"jordan", "iraq", "syria"} for _k, a in found), found  # the dateline's and the bases' countries did nothing
    assert [r.speaker.speaker for r in e.redlines] == ["President Joe Biden"]
