"""Fuzzing the extractor: any text, however mangled, gives an Extraction or a Tripwire error -- nothing else.

Three kinds of input: arbitrary Unicode; news-like text assembled from phrase
fragments (the shapes the rules look for, out of order, with odd separators
and numbers); and the bundled example articles cut, spliced and re-spaced.
Every result must also keep the extractor's promise that each evidence span is
the exact slice of the text it points at.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.errors import TripwireError
from tripwire.extract import extract_text
from tripwire.knowledge import KnowledgeBase
from tripwire.model import Extraction, Span, content_hash

from .corpus import ACTORS, CLAIMS, PLACES, SPEAKERS, VERBS, VICTIMS, WEAPONS

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KB = KnowledgeBase.load()
EXAMPLES = sorted(Path(str(resources.files("tripwire") / "examples" / "articles")).glob("*.md"))
TEXTS = [p.read_text(encoding="utf-8") for p in EXAMPLES]

fragment = st.one_of(
    st.sampled_from([w for w in WEAPONS] + [p for p, _ in PLACES] + list(ACTORS) + list(SPEAKERS) + list(VERBS) + list(CLAIMS)),
    st.sampled_from([f"{v} {f}" for v, f in VICTIMS]),
    st.sampled_from(
        [
            "killed", "wounded", "at least", "dozens of", "an American", "Iran-backed", "on behalf of Tehran", "claimed",
            "denied", "if", "will respond", "red line", "on Friday", "27 December 2019", "Dec. 27", "2019-12-27", "last week",
            "2 killed and 3 injured", "one hundred", "-5", "10**9", "99999999999999999999", "Jan 32", "2019-02-30", "year 40000",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.text(max_size=15),
)
separator = st.sampled_from([" ", ". ", ", ", "\n", "\n\n", "; ", " -- ", "\u00a0", "\t", "", "\u2028", '"', "\u201c", "(", ")"])


@st.composite
def newsish(draw: st.DrawFn) -> str:
    """Text that looks like news to the rules, assembled out of order."""
    parts = draw(st.lists(st.tuples(fragment, separator), max_size=40))
    return "".join(a + b for a, b in parts)


@st.composite
def mangled_example(draw: st.DrawFn) -> str:
    """A bundled example article, cut, spliced with another, and re-spaced."""
    text = draw(st.sampled_from(TEXTS))
    other = draw(st.sampled_from(TEXTS))
    a = draw(st.integers(0, len(text)))
    b = draw(st.integers(a, len(text)))
    c = draw(st.integers(0, len(other)))
    joined = text[a:b] + draw(separator) + other[c:]
    old = draw(st.sampled_from([" ", "\n", ".", ",", "the "]))
    new = draw(st.sampled_from(["  ", "\n", "", "\u00a0", ". ", "\r\n"]))
    return joined.replace(old, new)


dates = st.one_of(st.none(), st.dates(), st.sampled_from([dt.date.min, dt.date.max, dt.date(2020, 2, 29)]))


def spans(extraction: Extraction) -> list[Span]:
    """Every evidence span in an extraction."""
    out: list[Span] = []
    for incident in extraction.incidents:
        out += incident.evidence
        out += [claim.evidence for claim in incident.attributions if claim.evidence is not None]
    for action in extraction.actions:
        out += action.evidence
    out += [r.evidence for r in extraction.redlines if r.evidence is not None]
    return out


def check(text: str, published: dt.date | None) -> None:
    try:
        result = extract_text(text, published=published, kb=KB)
    except TripwireError as exc:
        assert str(exc)
        return
    assert isinstance(result, Extraction)
    assert result.document_id == content_hash(text)
    for span in spans(result):
        if span.document_id == result.document_id:
            assert 0 <= span.start <= span.end <= len(text)
            assert text[span.start : span.end] == span.text


@FUZZ
@given(st.text(max_size=600), dates)
def test_any_unicode_text(text: str, published: dt.date | None) -> None:
    check(text, published)


@FUZZ
@given(newsish(), dates)
def test_news_like_fragments_in_any_order(text: str, published: dt.date | None) -> None:
    check(text, published)


@FUZZ
@given(mangled_example(), dates)
def test_mangled_example_articles(text: str, published: dt.date | None) -> None:
    check(text, published)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "\x00" * 50,
        "rocket " * 500,  # a repetitive line (see the denial-of-service test for long ones)
        "killed. " * 2000,
        "A" * 100_000,
        "\ud800 lone surrogate killed in Erbil",
        "Kataib Hezbollah " * 300 + "killed 99999999999999999999999 Americans on 2019-13-45",
    ],
    ids=["empty", "blank", "nuls", "rocket-line", "killed-sentences", "long-word", "surrogate", "absurd-numbers"],
)
def test_degenerate_texts(text: str) -> None:
    check(text, None)


class TooSlow(Exception):
    """Raised by the alarm when extraction outlives its budget."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Interrupt the block with :class:`TooSlow` after ``seconds`` of wall time (SIGALRM, main thread only)."""

    def _ring(_signum: int, _frame: object) -> None:
        raise TooSlow(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("word", ["rocket ", "drone ", "attack "])
def test_a_long_run_on_sentence_is_not_a_denial_of_service(word: str) -> None:
    """A 50 kB sentence (a twentieth of the API's body limit) must extract in far less than 4 s.

    Extraction work should grow about linearly with the text; a cue-dense
    run-on sentence (scraped pages without full stops) must not make it
    quadratic. Linear code takes ~0.1 s here; the 4 s budget leaves a
    40-fold margin for a loaded CI machine.
    """
    text = "Officials said " + word * (50_000 // len(word)) + "hit the base."
    started = time.perf_counter()
    try:
        with budget(4.0):
            extract_text(text, kb=KB)
    except TooSlow:
        pytest.fail(f"extracting a {len(text):,}-character sentence of {word.strip()!r} took over 4 s (quadratic in cues x sentence length)")
    assert time.perf_counter() - started < 4.0
