"""Sentence and clause splitting with character offsets.

News text is split into sentences on ``.``, ``!`` and ``?`` (followed by
optional closing quotes and then whitespace and a capital letter, digit or
quote) and on line breaks, without splitting after common abbreviations
("Gen.", "U.S.", "Dec."). Offsets always index the original text, so every
piece of evidence can be cited exactly. :func:`fold` gives a same-length copy
of the text with typographic quotes straightened, for matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import prefilter

_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'", "\u00a0": " ", "\u2013": "-", "\u2014": "-"})

ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen lt col maj sgt capt cpl pvt adm gov sen rep rev st jr sr no vs etc inc corp co ltd
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e approx dept est fig pres""".split()
)

#: what follows "p.m." in the same sentence: a time zone or "local time" ("p.m. EST", "p.m. GMT", "p.m. Baghdad time")
_CLOCK_NEXT = re.compile(r"\s+(?:[A-Z]{1,4}T\b|ET\b|GMT\b|UTC\b|Zulu\b|local\b|\(|[A-Z][a-z]+\s+time\b|on\b|Eastern\b)")
_BOUNDARY = prefilter.compile(r"[.!?]+['\")\]]*(?=\s+['\"(\[]?[A-Z0-9])|\n+")


def fold(text: str) -> str:
    """``text`` with curly quotes, dashes and no-break spaces replaced one-for-one (same length)."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Sentence:
    """One sentence: its offsets in the document and its (folded) text."""

    index: int
    start: int
    end: int
    text: str

    def is_headline(self) -> bool:
        """A title line: no final punctuation and most words capitalised, or a Markdown heading."""
        t = self.text.strip()
        if t.startswith("#"):
            return True
        if not t or t[-1] in ".!?\"'":
            return False
        words = [w for w in re.findall(r"[A-Za-z][\w'-]*", t) if len(w) > 3]
        if not words:
            return True
        return sum(w[0].isupper() for w in words) / len(words) >= 0.6


def _trailing_word(text: str, start: int, end: int) -> str:
    r"""What ``re.search(r"([\w.]+)$", text[start:end])`` finds ("" for nothing): the run of word characters and dots
    ending the piece, or ending it before one final newline, found from the end instead of tried at every offset."""
    if end > start and text[end - 1] == "\n":
        end -= 1
    i = end
    while i > start and (text[i - 1].isalnum() or text[i - 1] in "_."):
        i -= 1
    return text[i:end]


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` (already folded) with offsets into it; blank pieces dropped."""
    out: list[Sentence] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0)[0] == ".":
            word = _trailing_word(text, pos, m.start())
            if word:
                w = word.lower().rstrip(".")
                if w in ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                    continue
                if w in {"a.m", "p.m"} and _CLOCK_NEXT.match(text, m.end()):
                    continue  # "5:30 p.m. EST on Tuesday", "8 p.m. Baghdad time": the clock goes on
        end = m.end() if m.group(0)[0] != "\n" else m.start()
        _add(out, text, pos, end)
        pos = m.end()
    _add(out, text, pos, len(text))
    return out


#: A "sentence" longer than this is cut at whitespace into pieces: no news sentence is this long, and the
#: per-sentence rules would otherwise cost the square of a run-on text's length (a hostile or broken file).
MAX_SENTENCE_CHARS = 1500


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        out.append(Sentence(len(out), start, cut, text[start:cut]))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append(Sentence(len(out), start, end, text[start:end]))


_CLAUSE = prefilter.compile(r";|,\s+(?:and|but|although|though|while|whereas|yet|where|which)\b|\s+(?:although|though|whereas|but)\b|,\s+(?=it\s+is\b|it\s+was\b)")


def clauses(text: str) -> list[tuple[int, int]]:
    """Clause boundaries within one sentence as (start, end) offsets into ``text``."""
    out = []
    pos = 0
    for m in _CLAUSE.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.start()
    out.append((pos, len(text)))
    return out


def clause_at(bounds: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    """The clause containing ``offset``."""
    for s, e in bounds:
        if s <= offset < e:
            return s, e
    return bounds[-1]
