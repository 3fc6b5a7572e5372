"""The lexicon's name tables find what one alternation regex of all the names finds, and come back from the disk cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tripwire.extract.lexicon import Lexicon, _Names, lexicon_for
from tripwire.knowledge import KnowledgeBase
from tripwire.knowledge.places import trie_regex

ALPHABET = "abAB -'’.(\n\t"
names_st = st.lists(st.text(ALPHABET, min_size=1, max_size=7).filter(lambda s: s.strip()), min_size=1, max_size=12)
text_st = st.text(ALPHABET + "xX,", max_size=60)


def _regex_spans(names: list[str], text: str, fold_case: bool) -> list[tuple[int, int]]:
    """The reference: the trie regex the lexicon used to compile (run on the lower-cased text when folding)."""
    pattern = re.compile(trie_regex(names, fold_case=fold_case))
    return [m.span() for m in pattern.finditer(text.lower() if fold_case else text)]


@settings(max_examples=400, deadline=None)
@given(names=names_st, text=text_st, fold_case=st.booleans())
def test_names_match_the_alternation_regex(names: list[str], text: str, fold_case: bool) -> None:
    usable = [n for n in names if re.search(r"[\w-]", n.split()[0])]  # a word character before any space
    assume(usable)
    assert _Names(usable, fold_case).spans(text) == _regex_spans(usable, text, fold_case)


@pytest.mark.parametrize(
    ("names", "text", "spans"),
    [
        (["Camp Taji"], "Rockets hit Camp  Taji,\nofficials said", [(12, 22)]),  # two spaces: offsets in the original text
        (["Camp Taji"], "Camp\nTaji", [(0, 9)]),
        (["Taji", "Camp Taji"], "camp taji", [(0, 9)]),  # longest wins
        (["Asad"], "al-Asad", []),  # a hyphen joins words
        (["Asad"], "Asad-led", []),
        (["'Ali 'Adde"], "near 'Ali 'Adde.", [(5, 15)]),  # a name may start with an apostrophe
        (["U.S."], "U.S.-led and U.S. forces", [(13, 17)]),
        (["İsfahan"], "İsfahan and isfahan", [(0, 7)]),  # İ lower-cases to two characters: kept as written
    ],
)
def test_name_cases(names: list[str], text: str, spans: list[tuple[int, int]]) -> None:
    assert _Names(names, fold_case=True).spans(text) == spans


def test_bundled_lexicon_comes_back_from_the_disk_cache(kb: KnowledgeBase) -> None:
    built = Lexicon(kb)
    cached = lexicon_for(kb)
    assert cached.kb is kb
    text = "Kataib Hezbollah fired 107mm rockets at Camp Taji near Baghdad, the Pentagon said, citing Reuters."
    for kind in ("actors", "places", "outlets", "speakers", "weapons"):
        assert getattr(cached, kind).find(text) == getattr(built, kind).find(text)


KINDS = ("actors", "places", "outlets", "speakers", "weapons")
EXAMPLE_ARTICLES = sorted((Path(__file__).resolve().parents[2] / "src" / "tripwire" / "examples" / "articles").iterdir())


def _example_sentences() -> list[str]:
    from tripwire.extract.sentences import fold, split_sentences
    from tripwire.ingest import load_file

    return [s.text for path in EXAMPLE_ARTICLES for d in load_file(path) for s in split_sentences(fold(d.text))]


@pytest.mark.parametrize(
    "text",
    [
        "Kataib Hezbollah fired 107mm rockets at Camp Taji near Baghdad, the Pentagon said, citing Reuters.",
        "The  Pentagon and the U.S. State Department blamed Iran-backed militias for the attack on Al Asad Air Base.",
        "the the the Islamic State claimed the attack in a statement carried by its Amaq news agency",
        "US officials said the US-led coalition was not hit; IS fighters retreated to al-Qaim.",
        "",
    ],
)
def test_find_all_is_each_kind_found_on_its_own(kb: KnowledgeBase, text: str) -> None:
    lex = lexicon_for(kb)
    assert lex.find_all(text) == tuple(getattr(lex, kind).find(text) for kind in KINDS)


def test_find_all_on_the_bundled_articles(kb: KnowledgeBase) -> None:
    lex = lexicon_for(kb)
    sentences = _example_sentences()
    found = 0
    for text in sentences:
        merged = lex.find_all(text)
        assert merged == tuple(getattr(lex, kind).find(text) for kind in KINDS), text
        found += sum(map(len, merged))
    assert found > len(sentences)  # the bundled articles name more than one thing per sentence


@settings(max_examples=300, deadline=None)
@given(names=st.lists(st.text("abAB -'", min_size=1, max_size=9).filter(lambda s: s.strip()), min_size=1, max_size=12), text=text_st)
def test_names_of_several_runs_filed_under_two_runs_match_the_regex(names: list[str], text: str) -> None:
    """Names sharing a first run and differing in the second ("a b", "a bb", "a-b b") are found where the regex finds them."""
    usable = [n for n in names if re.search(r"[\w-]", n.split()[0])]
    assume(usable)
    assert _Names(usable, True).spans(text) == _regex_spans(usable, text, True)
