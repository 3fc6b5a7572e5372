"""The prefilter only ever skips texts its regex cannot match: every answer is the plain regex's own."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripwire.extract import prefilter
from tripwire.extract.prefilter import Prefiltered, needed_literals
from tripwire.extract.sentences import fold, split_sentences
from tripwire.ingest import load_file

RULE_MODULES = ("actions", "affiliates", "anaphora", "casualties", "context", "dates", "events", "extractor", "lexicon", "places", "redline_statements", "sentences",
                "sources", "statements")
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "tripwire" / "examples" / "articles"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "news"


def _rule_patterns() -> list[Prefiltered]:
    """Every prefiltered pattern the rule modules define at module level (alone or in tuples of cues)."""
    found: dict[int, Prefiltered] = {}

    def visit(value: object) -> None:
        if isinstance(value, Prefiltered):
            found[id(value)] = value
        elif isinstance(value, (tuple, list)):
            for item in value:
                visit(item)

    for name in RULE_MODULES:
        for value in vars(importlib.import_module(f"tripwire.extract.{name}")).values():
            visit(value)
    return list(found.values())


@pytest.mark.parametrize(
    ("pattern", "flags", "literals"),
    [
        (r"\b(?:claimed|took)\s+(?:responsibility|credit)\b", re.I, {"responsibility", "credit"}),  # the longer set wins
        (r"\bdrone\s+strikes?\b", re.I, {"strike"}),
        (r"\bAttacks?\b", 0, {"attack"}),  # compared lower-cased
        (r"(?:attacks|attack|attacked)\s", re.I, {"attack"}),  # "attack" in a text covers the longer ones
        (r"\b(?:the\s+)?(?:ship|vessel)\s+[A-Z]\w+", 0, {"ship", "vessel"}),  # an optional part requires nothing
        (r"\w+\s+\d+", 0, set()),  # no literal at all: no prefilter
        (r"foo|\w+", 0, set()),  # one alternative needs no literal: nothing is required
        (r"(?:ab)+c", 0, {"ab"}),
        (r"caf\u00e9", 0, {"caf"}),  # only ASCII literals count
    ],
)
def test_needed_literals(pattern: str, flags: int, literals: set[str]) -> None:
    assert needed_literals(pattern, flags) == literals


@pytest.mark.parametrize("text", ["ſaid so", "SAİD so", "saıd so", "ſAID", "Kelvin: \u212aILLED", "Said. said", ""])
def test_case_insensitive_matches_outside_ascii_are_kept(text: str) -> None:
    for pattern in (r"\bsaid\b", r"\bkilled\b", r"id\s+so"):
        plain, fast = re.compile(pattern, re.I), prefilter.compile(pattern, re.I)
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert bool(fast.search(text)) == bool(plain.search(text))


def test_pickles_and_delegates() -> None:
    import pickle

    fast = prefilter.compile(r"\b(?P<w>said)\b", re.I)
    back = pickle.loads(pickle.dumps(fast))
    assert back.search("He SAID").group("w") == "SAID"
    assert back.groupindex == {"w": 1} and back.pattern == fast.pattern
    assert fast.sub("x", "said it") == "x it"


WORDS = st.sampled_from(sorted({lit for p in _rule_patterns() for lit in p.literals} | {"the", "US", "Iran", ",", ".", "'s", "1", "of", "by"}))


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.one_of(WORDS, st.text("aZ -'\u017f\u0131", max_size=4)), max_size=14), upper=st.booleans())
def test_rule_patterns_agree_with_plain_regex(words: list[str], upper: bool) -> None:
    text = " ".join(words)
    text = text.upper() if upper else text
    for p in _rule_patterns():
        assert [m.span() for m in p.finditer(text)] == [m.span() for m in p.regex.finditer(text)], p.pattern
        assert p.found(text) == (p.regex.search(text) is not None), p.pattern


def _sentences(folder: Path) -> list[str]:
    texts = [d.text for path in sorted(folder.rglob("*")) if path.is_file() and path.suffix in {".md", ".html", ".txt"} for d in load_file(path)]
    return [s.text for t in texts for s in split_sentences(fold(t))]


@pytest.mark.parametrize("folder", [EXAMPLES, CORPUS], ids=["examples", "corpus"])
def test_rule_patterns_agree_on_news_sentences(folder: Path) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} not present")
    sentences = _sentences(folder)
    skipped = 0
    for p in _rule_patterns():
        for text in sentences:
            assert [m.span() for m in p.finditer(text)] == [m.span() for m in p.regex.finditer(text)], (p.pattern, sentences.index(text))
            assert p.found(text) == (p.regex.search(text) is not None), (p.pattern, sentences.index(text))
            skipped += not p.may_match(text)
    assert skipped > 0  # the prefilter does skip sentences


def test_requirements_need_every_part_of_an_alternative() -> None:
    pattern = r"\bsaid\s+(?:it|they)\s+(?:fired|launched)\b|\bclaimed\s+responsibility\b"
    assert prefilter.requirements(pattern, re.I) == (
        (("fired", "launched"), ("said",), ("it", "they")),
        (("responsibility",), ("claimed",)),
    )
    fast = prefilter.compile(pattern, re.I)
    assert not fast.may_match("They said nothing about it")  # "said" and "they" but neither "fired" nor "launched"
    assert fast.may_match("it was said that they fired")  # every part is there (in another order): the regex decides
    assert fast.search("it was said that they fired") is None
    assert not fast.may_match("the group claimed the attack")  # "claimed" without "responsibility", no "fired"/"launched"
    assert prefilter.requirements(r"\d+|said", 0) == ()  # one alternative needs no literal


def test_found_answers_plain_word_alternations_without_the_regex() -> None:
    assert prefilter.exact_alternatives(r"claim|deni|we\b", re.I) == (True, True, False)
    assert prefilter.exact_alternatives(r"\b(?:claim|deni)", re.I) == (False, False)  # the anchor is part of every match
    assert prefilter.exact_alternatives(r"claim|deni", 0) == (False, False)  # case counts: the lower-cased test is not the answer
    hint = prefilter.compile(r"claim|deni|we\b", re.I)
    for text in ("They DENIED it", "we", "weekly", "no", "\u0130t was ſaid", "Clai\u212a"):
        assert hint.found(text) == (hint.regex.search(text) is not None)


ASCII_WORDS = st.sampled_from(sorted({lit for p in _rule_patterns() for lit in p.literals if lit.isascii()} | {"The", "US", "Iran", "KILLED", "Said", "1", "2019", "'s", "-"}))


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.one_of(ASCII_WORDS, st.text("aZ -'.,\n\t\x0b\x1c\x1f", max_size=4)), max_size=14), upper=st.booleans())
def test_ascii_twins_find_what_the_patterns_find(words: list[str], upper: bool) -> None:
    """On ASCII text the re.ASCII twin stands in for the pattern, and finds exactly its matches (information separators included)."""
    text = " ".join(words)
    text = text.upper() if upper else text
    for p in _rule_patterns():
        assert [m.span() for m in p.finditer(text)] == [m.span() for m in p.regex.finditer(text)], p.pattern
        assert [m.groups() for m in p.finditer(text)] == [m.groups() for m in p.regex.finditer(text)], p.pattern
        assert p.found(text) == (p.regex.search(text) is not None), p.pattern


@pytest.mark.parametrize(
    ("pattern", "flags", "twin"),
    [
        (r"\bkilled\b", re.I, True),
        (r"\s+and\s+", 0, True),
        (r"[\w-]+", 0, True),
        (r"\u017fa", re.I, False),  # a long s matches "s" and "S" ignoring case in Unicode mode only
        (r"[\u0100-\u0200]x", re.I, False),  # the range holds the dotless i and the long s
        (r"\u212a", 0, False),  # the Kelvin sign, even without IGNORECASE (kept simple: never a twin)
        (r"caf\u00e9", re.I, True),  # an e with an acute accent matches no ASCII letter
    ],
)
def test_ascii_twin_only_where_it_is_exact(pattern: str, flags: int, twin: bool) -> None:
    assert (prefilter.ascii_twin(pattern, flags) is not None) == twin


@pytest.mark.parametrize("text", ["a\x1cb", "two\x1f words", "plain text", "caf\u00e9"])
def test_the_twin_is_not_used_where_whitespace_differs(text: str) -> None:
    fast = prefilter.compile(r"\w+\s\w+")
    assert (fast.engine(text) is fast.regex) == (not prefilter.ascii_text(text))
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in fast.regex.finditer(text)]
    assert prefilter.ascii_text(text) == (text in {"plain text"})
