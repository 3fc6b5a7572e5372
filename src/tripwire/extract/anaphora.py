"""Which group "the group" is.

Wire copy names an armed group once and then calls it "the group", "the
militia" or "the rebels": "U.S. officials blamed Kataib Hezbollah ... The
group's spokesman denied any involvement." Read sentence by sentence, that
denial has no actor and is lost; a claim ("the group said it had launched
drones") is lost the same way. This module adds, for each such phrase, a
mention of the armed group the story named last — in the same sentence
before the phrase, or in the :data:`LOOKBACK_SENTENCES` sentences before it —
and nothing when no group was named that recently (an old name is a guess).

Only militias, insurgents and fronts are referred to this way; states and
their organs have names of their own ("the government", "the ministry"),
which are not groups.
"""

from __future__ import annotations

import re

from . import prefilter
from .context import SentenceContext
from .lexicon import Lexicon, Mention

#: how many sentences back the group "the group" refers to may have been named
LOOKBACK_SENTENCES = 3
#: the armed-group kinds a definite description can stand for
GROUP_KINDS = frozenset({"militia", "insurgent", "front"})

_DEFINITE = prefilter.compile(
    r"\b(?:[Tt]he|[Tt]his)\s+(?:(?:Iran-backed|Iranian-backed|Iran-aligned|Shiite|Shia|Sunni|jihadist|militant|armed|extremist|powerful|hardline|rebel)\s+)?"
    r"(?:group|militia|organi[sz]ation|movement|faction|militants|rebels|insurgents|jihadists|fighters)\b(?:'s?)?"
)


#: a preposition that makes "the group" an object ("by the group" stays: "claimed by the group" names who did it)
_OBJECT_OF = prefilter.compile(r"\b(?:to|with|of|against|on|at|for|from|about|into|towards?|over|within|inside|among)\s+$", re.I)


def _fits_label(lex: Lexicon, group: str, label: str) -> bool:
    """Whether a category label ("an Iran-backed group") can describe ``group``: a listed member, or backed by the label's sponsor."""
    cat = lex.kb.actors[label]
    if group in cat.members:
        return True
    wanted = {link.sponsor for link in cat.sponsors}
    return bool(wanted & {link.sponsor for link in lex.kb.sponsors_of(group)})


def resolve_group_references(lex: Lexicon, contexts: list[SentenceContext]) -> None:
    """Add to each sentence's actors the group its "the group" / "the militia" refers to (in place)."""
    recent: list[tuple[int, str]] = []  # (sentence index, actor) of armed groups named so far, last last
    for ctx in contexts:
        groups_here = [a for a in ctx.actors if lex.kb.actors[a.key].kind in GROUP_KINDS]
        earlier = next((k for i, k in reversed(recent) if ctx.index - i <= LOOKBACK_SENTENCES), None)  # named in the sentences before
        added: list[Mention] = []
        for m in _DEFINITE.finditer(ctx.text):
            inside = [i for i, a in enumerate(ctx.actors) if a.start < m.end() and m.start() < a.end]
            if inside:
                # "the Iran-backed group": a label, with "the", for the group just named when the label fits it
                i = inside[0]
                label = lex.kb.actors[ctx.actors[i].key]
                key = earlier
                singular = not ctx.actors[i].text.lower().endswith("s")  # "the Iran-backed militias" is the class, not one group
                if label.kind == "category" and singular and key is not None and _fits_label(lex, key, label.id):
                    ctx.actors[i] = Mention(ctx.actors[i].start, ctx.actors[i].end, key, ctx.actors[i].text)
                continue  # otherwise part of a name ("the Islamic Resistance movement")
            if re.match(r"\s*,?\s*(?:the\s+)?[A-Z]", ctx.text[m.end() : m.end() + 4]) and any(0 <= a.start - m.end() <= 4 for a in ctx.actors):
                continue  # "the group Kataib Hezbollah": the name follows
            if _OBJECT_OF.search(ctx.text[max(0, m.start() - 12) : m.start()]):
                continue  # "no connection to the group", "strikes on the militia": the group is no one's subject here
            before = [a for a in groups_here if a.end <= m.start()]
            key = before[-1].key if before else earlier
            if key is not None:
                added.append(Mention(m.start(), m.end(), key, m.group(0)))
        if added:
            ctx.actors = sorted([*ctx.actors, *added], key=lambda a: a.start)
        recent.extend((ctx.index, a.key) for a in ctx.actors if lex.kb.actors[a.key].kind in GROUP_KINDS)
