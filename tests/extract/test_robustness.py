"""extract_text on arbitrary text: never raises, deterministic, every span cites the text exactly."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.extract import extract_text
from tripwire.extract.dates import find_dates
from tripwire.model import Extraction

from tripwire.knowledge import KnowledgeBase  # noqa: E402

KB = KnowledgeBase.load()

WORDS = [
    "rockets", "struck", "the", "K-1 air base", "near", "Kirkuk", "on", "Tuesday", "February 31", "killing", "a", "child",
    "99999999999999999999", "US officials", "said", "Kataib Hezbollah", "was", "responsible", "if", "an American", "is",
    "killed", "will", "respond", ",", ".", "\n\n", "Iranian-backed militia", "denied", "not yet clear who", "2019-13-45",
    "December 2019", "in 40000", "ﬁve", "\u202e", "\u0301", "Ⅻ", "’", "“", "airstrikes", "against", "sparked", "protests",
    "at the US embassy", "claimed responsibility", "no casualties were reported", "among them", "9 people were wounded",
]


def _spans(ex: Extraction):  # type: ignore[no-untyped-def]
    for inc in ex.incidents:
        yield from inc.evidence
        yield from (a.evidence for a in inc.attributions if a.evidence)
    for act in ex.actions:
        yield from act.evidence
    yield from (r.evidence for r in ex.redlines if r.evidence)


def _check(text: str, published: dt.date | None) -> None:
    first = extract_text(text, published=published, document_id="doc", kb=KB)
    second = extract_text(text, published=published, document_id="doc", kb=KB)
    assert first == second
    for span in _spans(first):
        assert text[span.start : span.end] == span.text
    for inc in first.incidents:
        assert all(c.count >= 0 for c in inc.casualties)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400), st.one_of(st.none(), st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31))))
def test_arbitrary_text(text: str, published: dt.date | None) -> None:
    _check(text, published)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), max_size=60), st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_newsy_word_salad(words: list[str], published: dt.date) -> None:
    _check(" ".join(words), published)


def test_nonsense_dates_are_dropped() -> None:
    ex = extract_text("Rockets struck the K-1 air base on February 31, 2020, killing a contractor.", published=dt.date(2020, 3, 1), kb=KB)
    assert len(ex.incidents) == 1
    assert ex.incidents[0].date is None
    assert ex.incidents[0].killed() == 1


def test_huge_counts_are_dropped() -> None:
    ex = extract_text("Rockets struck the K-1 air base on Friday, killing 99999999999999999999 people.", published=dt.date(2019, 12, 28), kb=KB)
    assert ex.incidents and ex.incidents[0].casualties == ()


def test_empty_text() -> None:
    ex = extract_text("", document_id="empty", kb=KB)
    assert (ex.incidents, ex.actions, ex.redlines) == ((), (), ())


def test_a_run_on_text_is_cut_into_bounded_sentences_with_exact_offsets() -> None:
    from tripwire.extract.sentences import MAX_SENTENCE_CHARS, split_sentences

    text = " ".join(["rockets hit the base and officials said"] * 2000)  # no sentence end in 80,000 characters
    pieces = split_sentences(text)
    assert len(pieces) > 1 and all(len(p.text) <= MAX_SENTENCE_CHARS for p in pieces)
    assert all(text[p.start : p.end] == p.text for p in pieces)
    assert "".join(text[p.start : p.end] for p in pieces).replace(" ", "") == text.replace(" ", "")


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)), st.sampled_from(["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y"]))
def test_numeric_dates_read_as_one_of_their_two_readings(day: dt.date, fmt: str) -> None:
    text = "on " + day.strftime(fmt)
    found = find_dates(text, dt.date(2031, 1, 1))
    assert len(found) == 1
    readings = {day}
    try:
        readings.add(dt.date(day.year, day.day, day.month))
    except ValueError:
        pass
    assert found[0].date in readings
    if day.day > 12:  # unambiguous: exactly the day written
        assert found[0].date == day
