"""Per-sentence analysis shared by every extraction step.

A :class:`SentenceContext` holds one sentence with everything the lexicon,
date and casualty finders saw in it (offsets relative to the sentence), plus
the helpers the rule modules share: clause bounds, hypothetical-context tests
and evidence spans.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from . import prefilter
from ..model import Span
from .casualties import CasualtyMention, find_casualties
from .dates import DateMention, find_dates
from .lexicon import Lexicon, Mention
from .sentences import Sentence, clause_at, clauses

_PLACE_BEFORE = prefilter.compile(r"\b(?:in|from|at|near|inside|across)\s+(?:the\s+)?$", re.I)
_LINKED_AFTER = prefilter.compile(r"-(?:backed|aligned|allied|linked|supported|sponsored|funded|armed|trained|affiliated|based)\b", re.I)
_IF_CLAUSE = prefilter.compile(r"\b(?:if|unless|should)\b[^,;]*", re.I)
_HYPO_BEFORE = prefilter.compile(
    r"\b(?:similar|possible|potential|future|any|further|planned|proposed|threatened|preemptive)\s+(?:[\w-]+\s+){0,2}$"
    r"|\b(?:fears?\s+of|risk\s+of|threat\s+of|considered|considering|would|could|might)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}$",
    re.I,
)


@dataclass
class SentenceContext:
    """One sentence and what was found in it (offsets relative to ``sentence.text``)."""

    sentence: Sentence
    paragraph: int
    document_id: str
    original: str  #: the unfolded sentence text, for evidence
    actors: list[Mention] = field(default_factory=list)
    places: list[Mention] = field(default_factory=list)
    outlets: list[Mention] = field(default_factory=list)
    speakers: list[Mention] = field(default_factory=list)
    weapons: list[Mention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    casualties: list[CasualtyMention] = field(default_factory=list)
    bounds: list[tuple[int, int]] = field(default_factory=list)
    #: ``sentence.text`` and ``sentence.index``, read thousands of times per document: plain attributes, not properties
    text: str = field(init=False, repr=False, compare=False)
    index: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.text = self.sentence.text
        self.index = self.sentence.index

    def span(self, start: int = 0, end: int | None = None) -> Span:
        """Evidence span for sentence-relative offsets (the whole sentence by default)."""
        end = len(self.text) if end is None else end
        s, e = self.sentence.start + start, self.sentence.start + end
        return Span(document_id=self.document_id, start=s, end=e, text=self.original[start:end])

    def clause(self, offset: int) -> tuple[int, int]:
        """(start, end) of the clause holding ``offset``."""
        return clause_at(self.bounds, offset)

    @cached_property
    def _if_spans(self) -> tuple[list[int], list[int]]:
        """Start and end offsets of the sentence's "if ..." clauses, found once (they never overlap)."""
        spans = [m.span() for m in _IF_CLAUSE.finditer(self.text)]
        return [a for a, _ in spans], [b for _, b in spans]

    def hypothetical(self, start: int) -> bool:
        """Whether the phrase at ``start`` is conditional, feared or generic rather than reported as fact."""
        starts, ends = self._if_spans
        i = bisect_right(starts, start) - 1
        if i >= 0 and start < ends[i]:
            return True
        return bool(_HYPO_BEFORE.search(self.text[max(0, start - 40) : start]))

    @cached_property
    def headline(self) -> bool:
        """Whether the sentence is a title line (computed once)."""
        return self.sentence.is_headline()

    def agent_like(self, m: Mention) -> bool:
        """False for a name used as a place or an owner: "rebels in Yemen", "Yemen's Houthi rebels", "Iran-backed militias"."""
        before = self.text[max(0, m.start - 12) : m.start]
        if _PLACE_BEFORE.search(before):
            return False
        after = self.text[m.end : m.end + 12]
        if _LINKED_AFTER.match(after):
            return False
        if re.match(r"'s?\s", after) and any(b.start >= m.end and b.start - m.end <= 4 for b in self.actors):
            return False
        return True

    def in_range(self, items: list, start: int, end: int) -> list:
        """The mentions lying inside [start, end)."""
        return [m for m in items if m.start >= start and m.end <= end]


def analyse(lex: Lexicon, sentence: Sentence, original: str, paragraph: int, document_id: str, published: dt.date | None) -> SentenceContext:
    """Run every finder over one sentence."""
    t = sentence.text
    actors, places, outlets, speakers, weapons = lex.find_all(t)
    if places and actors:  # "Oman" in "the Gulf of Oman", "US" in "US Embassy Baghdad": part of a place's name, not an actor
        actors = [a for a in actors if not any(p.start <= a.start and a.end <= p.end and (p.end - p.start) > (a.end - a.start) for p in places)]
    return SentenceContext(
        sentence=sentence,
        paragraph=paragraph,
        document_id=document_id,
        original=original,
        actors=actors,
        places=places,
        outlets=outlets,
        speakers=speakers,
        weapons=weapons,
        dates=find_dates(t, published),
        casualties=find_casualties(t, lex.casualty_grammar),
        bounds=clauses(t),
    )
