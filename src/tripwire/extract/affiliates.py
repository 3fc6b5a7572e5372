"""Which branch "the Islamic State's affiliate" is.

Reports often name a regional branch only by its movement: "the Islamic
State's affiliate in West Africa", "a group loyal to the Islamic State", "an
al-Qaeda-linked group". Read literally, the claim or the blame goes to the
movement, and a claim by the Islamic State's Sahel branch is lost. Knowledge
says which branches a movement has (``branch_of``) and where each operates
(``operates_in``: countries and provinces); the document says which of them it
names elsewhere and where the story is. This module relabels such a phrase's
movement mention with the branch the document points to, or leaves it alone
when nothing singles one out (a guess would invent an attribution).

Resolution, first rule that singles out one branch:

1. a branch of the movement that the document itself names ("ISIS in the
   Greater Sahara" two paragraphs on);
2. the branch whose ground covers the places the document names: a province
   listed in ``operates_in`` counts twice a country, so Tillaberi picks the
   Sahel branch over the West Africa one although both operate in Niger.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

from . import prefilter
from .context import SentenceContext
from .lexicon import AFFILIATION_WORDS, Lexicon, Mention

#: "ISIS's affiliate in West Africa", "the Islamic State's Sahel branch", "an al-Qaeda affiliate"
_AFTER_MOVEMENT = prefilter.compile(r"^(?:'s|s')?\s+(?:[A-Z][\w-]*\s+){0,3}(?:affiliate|branch|offshoot|franchise|wing|province|arm|affiliated\s+group)\b")
#: "ISIS-affiliated group", "al-Qaeda-linked militants"
_HYPHENATED = prefilter.compile(r"^-(?:" + AFFILIATION_WORDS + r")\s+(?:\w+\s+){0,2}?(?:group|militants|fighters|jihadists|insurgents|faction|cell|branch)\b", re.I)
#: "a group in northwestern Africa that is loyal to the Islamic State", "an affiliate of al-Qaeda"
_BEFORE_MOVEMENT = prefilter.compile(
    r"\b(?:group|affiliate|branch|offshoot|faction|militants|fighters|jihadists|insurgents|organi[sz]ation|franchise)\s+"
    r"(?:[\w-]+\s+){0,6}?(?:(?:loyal|affiliated|allied|linked|aligned|pledging\s+allegiance)\s+to|of|affiliated\s+with|linked\s+with)\s+(?:the\s+)?$",
    re.I,
)

#: what :attr:`Lexicon.movement_prefix` needs right after a movement's name (compared ignoring case: a looser test than the pattern's)
_AFFILIATED = prefilter.compile(r"-(?:" + AFFILIATION_WORDS + r")\b", re.I)


def _is_affiliate_phrase(text: str, m: Mention) -> bool:
    after = text[m.end : m.end + 60]
    return bool(_AFTER_MOVEMENT.match(after) or _HYPHENATED.match(after) or _BEFORE_MOVEMENT.search(text[max(0, m.start - 90) : m.start]))


def resolve_affiliates(lex: Lexicon, contexts: list[SentenceContext]) -> None:
    """Relabel every "the movement's affiliate" mention in a document with the branch it points to (in place)."""
    branches = lex.branches
    if not branches:
        return
    if lex.movement_prefix is not None:
        for ctx in contexts:
            if _AFFILIATED.search(ctx.text):  # what the prefix pattern needs after the name: most sentences have none
                _add_prefixed_movements(lex, ctx)
    hits = [(ctx, i) for ctx in contexts for i, m in enumerate(ctx.actors) if m.key in branches and _is_affiliate_phrase(ctx.text, m)]
    if not hits:
        return
    named = Counter(m.key for ctx in contexts for m in ctx.actors)
    ground = _places_named(lex, contexts)
    chosen: dict[str, str | None] = {}
    for ctx, i in hits:
        movement = ctx.actors[i].key
        if movement not in chosen:
            chosen[movement] = _branch(lex, branches[movement], named, ground)
        branch = chosen[movement]
        if branch is not None:
            ctx.actors[i] = dataclasses.replace(ctx.actors[i], key=branch)


def _add_prefixed_movements(lex: Lexicon, ctx: SentenceContext) -> None:
    """Add "ISIS" of "an ISIS-affiliated group" to the sentence's actors, which whole-word matching leaves out."""
    assert lex.movement_prefix is not None
    found = [
        Mention(m.start(), m.end(), lex.movement_of_name[m.group(1).lower()], m.group(1))
        for m in lex.movement_prefix.finditer(ctx.text)
        if not any(a.start < m.end() and m.start() < a.end for a in ctx.actors)
    ]
    if found:
        ctx.actors = sorted([*ctx.actors, *found], key=lambda a: a.start)


def _places_named(lex: Lexicon, contexts: list[SentenceContext]) -> Counter[str]:
    """Place ids, their parents and their countries, counted over the places a document names."""
    seen: Counter[str] = Counter()
    for ctx in contexts:
        for p in ctx.places:
            place = lex.kb.places.get(p.key)
            chain = {p.key, *lex.ancestors(p.key)}
            if place is not None and place.country:
                chain.add(place.country)
            seen.update(chain)
    return seen


def _branch(lex: Lexicon, candidates: list[str], named: Counter[str], ground: Counter[str]) -> str | None:
    in_story = [b for b in candidates if named[b]]
    if len(in_story) == 1:
        return in_story[0]
    pool = in_story or candidates
    scores: dict[str, int] = {}
    for b in pool:
        actor = lex.kb.actors[b]
        scores[b] = sum((2 if len(where) > 2 else 1) * min(ground[where], 3) for where in actor.operates_in if ground[where])
    best = max(scores.values(), default=0)
    top = [b for b, s in scores.items() if s == best]
    return top[0] if best > 0 and len(top) == 1 else None
