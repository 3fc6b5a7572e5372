"""The rule modules on short paragraphs of our own: dates, casualties, sentences, statements, actions, red lines."""

from __future__ import annotations

import datetime as dt

import pytest

from tripwire.extract import extract_text
from tripwire.extract.casualties import find_casualties
from tripwire.extract.dates import find_dates
from tripwire.extract.sentences import split_sentences
from tripwire.model import AttributionKind

from tripwire.knowledge import KnowledgeBase  # noqa: E402

KB = KnowledgeBase.load()

K = AttributionKind
PUB = dt.date(2020, 11, 18)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("on Tuesday night", dt.date(2020, 11, 17), "day"),
        ("on Wednesday", dt.date(2020, 11, 18), "day"),
        ("Thursday's attack", dt.date(2020, 11, 12), "day"),
        ("yesterday", dt.date(2020, 11, 17), "day"),
        ("last week", dt.date(2020, 11, 11), None),
        ("last month", dt.date(2020, 10, 1), "month"),
        ("In October,", dt.date(2020, 10, 1), "month"),
        ("In December,", dt.date(2019, 12, 1), "month"),
        ("in December 2019", dt.date(2019, 12, 1), "month"),
        ("on 27 December 2019", dt.date(2019, 12, 27), "day"),
        ("on Dec. 27, 2019", dt.date(2019, 12, 27), "day"),
        ("on 2019-12-27", dt.date(2019, 12, 27), "day"),
        ("on March 11", dt.date(2020, 3, 11), "day"),
        ("on December 30", dt.date(2019, 12, 30), "day"),
        ("on the 3rd of November", dt.date(2020, 11, 3), "day"),
        ("two days ago", dt.date(2020, 11, 16), "day"),
        ("the day before yesterday", dt.date(2020, 11, 16), "day"),
        ("a week ago", dt.date(2020, 11, 11), None),
        ("in mid-October", dt.date(2020, 10, 1), "month"),
        ("over the weekend", dt.date(2020, 11, 14), None),  # the Saturday before a Wednesday
        ("on the 27th of December 2019", dt.date(2019, 12, 27), "day"),
        # numeric: the numbers decide where they can, else the reading nearer before publication
        ("on 13/06/2019", dt.date(2019, 6, 13), "day"),
        ("on 06/13/2019", dt.date(2019, 6, 13), "day"),
        ("on 13.06.2019", dt.date(2019, 6, 13), "day"),
        ("on 11/10/2020", dt.date(2020, 11, 10), "day"),  # 11 October or 10 November: the one a week before publication
        ("on 10/11/2020", dt.date(2020, 11, 10), "day"),
        ("on 5/5/2020", dt.date(2020, 5, 5), "day"),
    ],
)
def test_dates(text: str, date: dt.date, precision: str | None) -> None:
    found = find_dates(text, PUB)
    assert [(d.date, d.precision) for d in found] == [(date, precision)]
    assert text[found[0].start : found[0].end] == found[0].text


@pytest.mark.parametrize("text", ["on February 31, 2020", "on 2019-13-45", "in 40000", "they may 5 times", "on Tuesday", "on 31/02/2020", "a 9/11-style attack", "version 1.2.2020", "on 13/13/2020"])
def test_dates_dropped(text: str) -> None:
    published = None if "Tuesday" in text else PUB
    assert find_dates(text, published) == []


def test_deadline_is_flagged() -> None:
    (d,) = find_dates("before January 20th", PUB)
    assert d.deadline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("killing a child and injuring five civilians", [("killed", 1, None, "child"), ("injured", 5, None, "civilian")]),
        ("killed 25 of its fighters", [("killed", 25, None, "fighter")]),
        ("killing two American service members and a British soldier", [("killed", 2, "US", "service-member"), ("killed", 1, "GB", "service-member")]),
        ("Three Iraqi police officers were wounded.", [("injured", 3, "IQ", "police")]),
        ("no Americans were killed", [("killed", 0, "US", None)]),
        ("No casualties were reported among US personnel.", [("killed", 0, "US", None), ("injured", 0, "US", None)]),
        ("Eleven people were hurt, including two children.", [("injured", 9, None, None), ("injured", 2, None, "child")]),
        ("killed a dozen militiamen", [("killed", 12, None, "fighter")]),
    ],
)
def test_casualties(text: str, expected: list) -> None:  # type: ignore[type-arg]
    got = [(c.casualty.status, c.casualty.count, c.casualty.nationality, c.casualty.category) for c in find_casualties(text)]
    assert got == expected


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("Gen. Qasem Soleimani was killed. The U.S. said so.", 2),
        ("Rockets hit on Dec. 27. Nobody claimed it.", 2),
        ("One line\nAnother line without a stop", 2),
        ('He said "it was them." Then he left.', 2),
    ],
)
def test_sentences(text: str, n: int) -> None:
    sents = split_sentences(text)
    assert len(sents) == n
    assert all(text[s.start : s.end] == s.text for s in sents)


STATEMENTS = [
    # text, actor, kind, hedge, speaker_id, sponsor, relation
    ("Three rockets hit the Erbil airport on Monday. Asaib Ahl al-Haq claimed responsibility on its Telegram channel.", "asaib-ahl-al-haq", K.CLAIMED, None, None, None, None),
    ("A roadside bomb struck a US convoy near Basra on Monday. Pentagon officials blamed Kataib Hezbollah, which they said acted on instructions from Iran.", "kataib-hezbollah", K.ALLEGED, None, "pentagon", "iran", "ordered"),
    ("Rockets hit Camp Taji on Monday. Harakat al-Nujaba denied any involvement.", "harakat-al-nujaba", K.DENIED, None, None, None, None),
    ("Mortar rounds struck Balad Air Base on Monday. Iraqi intelligence believed ISIS was probably behind the attack.", "isis", K.ASSESSED, "probably", "iraqi-intelligence", None, None),
    ("Rockets landed near Baghdad airport on Monday. The rockets were reportedly fired by a pro-Iran militia.", "iran-aligned-militia", K.ALLEGED, "reportedly", None, "iran", "supported"),
    ("A drone hit Erbil airport on Monday. It remains unclear who launched it.", "unknown", K.DISPUTED, "unclear", None, None, None),
]


@pytest.mark.parametrize(("text", "actor", "kind", "hedge", "speaker_id", "sponsor", "relation"), STATEMENTS)
def test_statements(text: str, actor: str, kind: AttributionKind, hedge: str | None, speaker_id: str | None, sponsor: str | None, relation: str | None) -> None:
    ex = extract_text(text, published=PUB, kb=KB)
    assert len(ex.incidents) == 1
    stmts = [a for a in ex.incidents[0].attributions if a.actor == actor and a.kind == kind]
    assert stmts, ex.incidents[0].attributions
    st = stmts[0]
    assert hedge is None or hedge in st.hedges
    assert speaker_id is None or st.asserted_by.speaker_id == speaker_id
    assert (st.sponsor, st.relation) == (sponsor, relation)


def test_hypothetical_attack_is_not_an_incident() -> None:
    ex = extract_text("Officials fear that a similar rocket attack could kill Americans. If a rocket attack kills a soldier, the US would respond.", published=PUB, kb=KB)
    assert ex.incidents == ()


def test_retaliation_is_an_implicit_allegation() -> None:
    text = "A rocket attack on Monday hit Camp Taji, killing a British soldier. On Tuesday US aircraft struck Kataib Hezbollah depots in retaliation for the attack."
    ex = extract_text(text, published=PUB, kb=KB)
    (inc,) = ex.incidents
    assert any(a.actor == "kataib-hezbollah" and a.kind == K.ALLEGED and a.asserted_by.speaker_id == "us-administration" for a in inc.attributions)
    (strike,) = ex.actions
    assert strike.caused_by == (inc.id,) and strike.date == dt.date(2020, 11, 17)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Iraqi lawmakers voted on Sunday to expel foreign troops.", "parliamentary-vote"),
        ("Protesters gathered outside the US embassy in Baghdad on Sunday.", "protest"),
        ("The Treasury imposed new sanctions on Kataib Hezbollah on Monday.", "sanctions"),
        ("Washington announced on Monday that it would withdraw 500 troops from Iraq.", "withdrawal"),
        ("Kataib Hezbollah announced a truce on Monday.", "ceasefire-pledge"),
    ],
)
def test_action_kinds(text: str, kind: str) -> None:
    ex = extract_text(text, published=PUB, kb=KB)
    assert [a.kind for a in ex.actions] == [kind]


def test_conditional_red_line() -> None:
    text = "Secretary of State Mike Pompeo said that if any American is harmed by the militias, the United States will respond decisively."
    (rl,) = extract_text(text, published=PUB, kb=KB).redlines
    assert rl.speaker.speaker_id == "us-administration" and not rl.speaker.anonymous
    assert "American is harmed" in rl.condition and "respond decisively" in rl.consequence


def test_not_a_red_line() -> None:
    assert extract_text("It is unclear if the rockets will be fired again.", published=PUB, kb=KB).redlines == ()


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("A US official briefed on White House discussions said that if an American is killed in an attack traced to orders from Iran, the United States will respond immediately.", "US official briefed on White House"),
        ("An official familiar with the meeting said that if an American is killed and it is tied to Iran, the response will be swift.", "official familiar with the meeting"),
    ],
)
def test_anonymous_relay_keeps_its_whole_description(sentence: str, role: str) -> None:
    [redline] = extract_text(sentence, published=dt.date(2020, 11, 18), kb=KB).redlines
    assert redline.speaker.anonymous and redline.speaker.role == role


@pytest.mark.parametrize(
    ("a", "pa", "b", "pb", "fits"),
    [
        (dt.date(2019, 5, 11), None, dt.date(2019, 5, 1), "month", True),  # "over the weekend" and "in May"
        (dt.date(2019, 4, 27), None, dt.date(2019, 5, 1), "month", True),  # a week that reaches into May
        (dt.date(2019, 4, 10), None, dt.date(2019, 5, 1), "month", False),
        (dt.date(2019, 5, 11), None, dt.date(2019, 5, 18), None, True),
        (dt.date(2019, 5, 11), None, dt.date(2019, 5, 25), None, False),
        (dt.date(2019, 5, 11), "day", dt.date(2019, 5, 12), "day", True),
        (dt.date(2019, 5, 11), "day", dt.date(2019, 5, 14), "day", False),
        (dt.date(2019, 5, 11), "day", dt.date(2019, 5, 1), "month", True),
        (dt.date(2019, 12, 30), None, dt.date(2020, 1, 1), "year", True),
    ],
)
def test_date_compatibility(a: dt.date, pa: str | None, b: dt.date, pb: str | None, fits: bool) -> None:
    from tripwire.extract.events import date_values_compatible

    assert date_values_compatible(a, pa, b, pb) is fits
    assert date_values_compatible(b, pb, a, pa) is fits
