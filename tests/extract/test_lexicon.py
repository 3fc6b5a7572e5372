"""The lexicon's name tables find what one alternation regex of all the names finds, and come back from the disk cache."""

from __future__ import annotations

import re

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
