"""Who said it: resolving the source of a statement inside one document.

A statement's source is, in order of preference: the subject of a reporting
verb in the same clause ("US officials said", "Iraqi intelligence believed",
"The Post said"), an "according to X", or the nearest named speaker, outlet,
state or unnamed official before the statement. Outlets ("told The New York
Times", "according to a report in The New York Times") are added to the
source; when a paragraph cites an outlet once, later statements in the same
paragraph inherit it. Unnamed sources ("an official familiar with the
meeting") are remembered so that "the official" later resolves to them; a red
line stated by a named principal but relayed by one is recorded with the
principal as ``speaker``, ``anonymous=True``, the relay's description as
``role`` and ``via``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import prefilter
from ..model import Source
from .context import SentenceContext
from .lexicon import Lexicon, Mention

REPORTING = (
    r"(?:said|says|say|told|tells|revealed|reveals|stated|added|believed|believe|believes|maintained|maintain|concluded|assessed|assess"
    r"|questioned|doubted|doubt|reported|reports|announced|claimed|denied|rejected|wrote|argued|noted|insisted|confirmed|emphasized"
    r"|emphasised|warned|alleged|accused|blamed|described|pointed)"
)
_REPORTING_AFTER = prefilter.compile(r"^\s*(?:,[^,]*,\s*)?(?:\w+\s+){0,2}" + REPORTING + r"\b", re.I)
_ANON = prefilter.compile(
    r"\b(?P<det>an?|the|one|two|three|several)\s+(?P<role>(?:[\w.-]+\s+){0,3}?(?:official|officials|source|sources|diplomat|diplomats|officer|officers|analyst|analysts|spokesman|spokeswoman|spokesperson)"
    r"(?:\s+(?:familiar\s+with|with\s+knowledge\s+of|close\s+to|briefed\s+on)\s+(?:the\s+)?[\w-]+(?:\s+(?-i:[A-Z])[\w-]+){0,2})?)\b",
    re.I,
)
_NATIONAL_OFFICIALS = prefilter.compile(
    r"\b(?P<adj>[A-Z][a-z]+|U\.S\.|US|U\.K\.|UK)\s+(?:(?:military|defen[cs]e|security|government|intelligence|administration|senior|state\s+department|and|navy|army)\s+){0,3}(?:officials?|sources?|spokes(?:man|woman|person))\b"
)
#: "..., the U.S. defense official said." / "..., said Pentagon spokesman John Kirby.": the source named after the statement
_TRAILING = prefilter.compile(
    r"(?:,|\"|'|\.)\s*(?:(?P<who>[^,\"]{2,90}?)\s+(?:said|says|told\s+[^,.]{2,40}|added|stated|confirmed|noted|wrote|reported|announced|tweeted|warned|vowed|threatened|declared|insisted|cautioned|posted)"
    r"|(?:said|says|added|according\s+to)\s+(?P<who2>[^,\"]{2,90}?))(?:\s+(?:on|late\s+on|early\s+on)?\s*(?:\w+day|\w+\s+\d{1,2}))?(?:\s+(?:in|at|during|on)\s+(?:a|an|the|his|her|its)\s+[\w\s'-]{2,60})?\s*[.!\"']*\s*$",
)
_ACCORDING = prefilter.compile(r"\baccording\s+to\s+(?:a\s+report\s+(?:in|by|from)\s+|reports?\s+(?:in|by)\s+|a\s+statement\s+(?:carried|relayed|posted|published)\s+by\s+)?", re.I)
_VIA = prefilter.compile(r"\b(?:carried|relayed|posted|published|shared|broadcast)\s+(?:by|on)\s+", re.I)
_STATEMENT_SUBJECT = prefilter.compile(r"\b(?:a|the)\s+(?:written\s+)?statement\b", re.I)
_TOLD = prefilter.compile(r"\b(?:told|tells|spoke\s+(?:with|to))\s+$", re.I)


@dataclass
class SourceMemory:
    """What one document has said so far about its sources."""

    anonymous: Source | None = None
    principal: tuple[str, str | None] | None = None  #: (name as written, speaker id)
    paragraph: int = -1
    paragraph_outlet: tuple[str, str] | None = None  #: (name, outlet id)
    last_quoted: Source | None = None  #: who spoke the last quotation, for a quote that runs on into the next sentence
    last_named: tuple[str, str | None] | None = None  #: the last person named as a speaker of any side, for "He warned ..."


def officials_country(lex: Lexicon, m: re.Match[str] | None) -> str | None:
    """ISO-2 of the nationality in "US officials", "Iraqi security sources" (None for "The officials")."""
    return lex.demonyms.get(m.group("adj").lower()) if m is not None else None


def outlet_name(lex: Lexicon, m: Mention) -> tuple[str, str]:
    """(display name, id) of an outlet mention."""
    return lex.kb.outlets[m.key].name, m.key


def update_memory(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory) -> None:
    """Remember unnamed sources, the last principal speaker, the paragraph's outlet and the last quote's speaker."""
    if ctx.paragraph != mem.paragraph:
        mem.paragraph, mem.paragraph_outlet = ctx.paragraph, None
    if '"' in ctx.text:
        quoted = trailing_source(ctx, lex, mem)
        if quoted is not None:
            mem.last_quoted = quoted
    for o in ctx.outlets:
        if _TOLD.search(ctx.text[max(0, o.start - 16) : o.start]) or _ACCORDING.search(ctx.text[max(0, o.start - 40) : o.start]):
            mem.paragraph_outlet = outlet_name(lex, o)
    for s in ctx.speakers:
        sp = lex.kb.speakers[s.key]
        if sp.kind == "government" and s.text[:1].isupper() and not s.text.lower().endswith("officials"):
            mem.principal = (s.text, s.key)
        if sp.kind in {"government", "military", "armed-group"} and s.text[:1].isupper() and len(s.text.split()) >= 2 and not s.text.lower().endswith(("officials", "spokesman", "spokesperson")):
            mem.last_named = (s.text, s.key)
    nat = _NATIONAL_OFFICIALS.search(ctx.text)
    iso = officials_country(lex, nat)  # None for "The officials said": not a nationality
    if iso and re.match(r"\s+(?:\w+\s+){0,2}(?:said|say|told|believe|believed|assessed|added)\b", ctx.text[nat.end() :]):  # type: ignore[union-attr]
        role = " ".join(nat.group(0).split())  # type: ignore[union-attr]
        mem.anonymous = Source(speaker=role, speaker_id=lex.government_speaker.get(iso), anonymous=True, role=role)
    for m in _ANON.finditer(ctx.text):
        if m.group("det").lower() in {"a", "an", "one"}:
            told = re.match(r"\s+(?:told|said|says)\b", ctx.text[m.end() :])
            if told:
                outlet = next((o for o in ctx.outlets if o.start >= m.end()), None)
                name = outlet_name(lex, outlet) if outlet else (None, None)
                mem.anonymous = Source(anonymous=True, role=" ".join(m.group("role").split()), outlet=name[0], outlet_id=name[1], via=" ".join(m.group(0).split()))


def _mention_source(lex: Lexicon, m: Mention, kind: str) -> Source:
    if kind == "speaker":
        return Source(speaker=" ".join(m.text.split()), speaker_id=m.key)
    if kind == "outlet":
        name, oid = outlet_name(lex, m)
        return Source(outlet=name, outlet_id=oid)
    actor = lex.kb.actors[m.key]
    gov = lex.government_speaker.get(actor.country or "") if actor.kind == "state" else None
    return Source(speaker=actor.name, speaker_id=gov)


_LOCATIVE_BEFORE = prefilter.compile(r"\b(?:in|across|into|from|throughout|inside|near|of|to|at|on|and)\s+(?:the\s+)?$", re.I)
_SPEAKS_AFTER = prefilter.compile(r"^(?:'s\b|\s+(?:\w+\s+){0,2}?(?:said|says|told|stated|announced|accused|blamed|denied|claimed|warned|confirmed|insisted|believes?|believed|assessed))", re.I)


def _a_place_here(text: str, m: Mention) -> bool:
    """A country named as a place ("in Iraq and Syria"), not as a speaker ("Syria said", "Syria's foreign ministry")."""
    return bool(_LOCATIVE_BEFORE.search(text[max(0, m.start - 14) : m.start])) and not _SPEAKS_AFTER.match(text[m.end : m.end + 40])


def _names_a_place(lex: Lexicon, m: Mention) -> bool:
    """Whether the whole mention is also a place name ("Syria" the government speaker is also Syria the country)."""
    return any(p.start == 0 and p.end == len(m.text) for p in lex.places.find(m.text))


def find_source(
    ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, cue: int, *, exclude: tuple[int, int] | None = None, author: Source | None = None, reporters_only: bool = False
) -> Source:
    """The source of a statement whose cue is at sentence offset ``cue``."""
    text = ctx.text
    c0, _c1 = ctx.clause(cue)
    cands: list[tuple[int, int, Source]] = []
    for kind, items in (("speaker", ctx.speakers), ("outlet", ctx.outlets), ("actor", ctx.actors)):
        for m in items:
            if m.end > cue or (exclude and m.start < exclude[1] and exclude[0] < m.end):
                continue
            if kind == "actor" and lex.kb.actors[m.key].kind not in {"state", "state-organ", "agency"}:
                continue
            if any(o.start <= m.start < o.end for o in (*ctx.speakers, *ctx.outlets)) and kind == "actor":
                continue
            if kind != "outlet" and _a_place_here(text, m) and _names_a_place(lex, m):
                continue  # "targets in Iraq and Syria linked to ...": the country is where, not who said so
            cands.append((m.start, m.end, _mention_source(lex, m, kind)))
    for m in _NATIONAL_OFFICIALS.finditer(text[:cue]):
        iso = officials_country(lex, m)
        if iso and not any(s <= m.start() < e for s, e, _ in cands):
            cands.append((m.start(), m.end(), Source(speaker=" ".join(m.group(0).split()), speaker_id=lex.government_speaker.get(iso))))
    for m in _ANON.finditer(text[:cue]):
        if any(s <= m.start() < e or m.start() <= s < m.end() for s, e, _ in cands):
            continue
        if m.group("det").lower() == "the" and mem.anonymous is not None and m.group("role").lower().split()[-1] in {"official", "source", "officials", "sources"}:
            cands.append((m.start(), m.end(), mem.anonymous))
        else:
            cands.append((m.start(), m.end(), Source(anonymous=True, role=" ".join(m.group("role").split()))))
    cands.sort(key=lambda c: c[0])
    chosen: Source | None = None
    acc = None
    for m in _ACCORDING.finditer(text):
        acc = m
    if acc is not None:
        after = [c for c in cands if c[0] >= acc.end()] or [
            (c[0], c[1], c[2]) for c in ((x.start, x.end, _mention_source(lex, x, "outlet")) for x in ctx.outlets if x.start >= acc.end())
        ]
        if after:
            chosen = after[0][2]
    reporters = [c for c in cands if c0 <= c[0] and _REPORTING_AFTER.match(text[c[1] : cue + 16])]
    if reporters:
        chosen = reporters[-1][2]
    elif chosen is None and (trailing := trailing_source(ctx, lex, mem, after=cue, exclude=exclude)) is not None:
        chosen = trailing
    elif reporters_only:
        pass
    elif chosen is None:
        in_clause = [c for c in cands if c[0] >= c0]
        if in_clause:
            chosen = in_clause[-1][2]
        elif cands:
            chosen = cands[-1][2]
    if chosen is None:
        return author or Source()
    return with_outlet(ctx, lex, mem, chosen)


def trailing_source(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, *, after: int = 0, exclude: tuple[int, int] | None = None) -> Source | None:
    """The source a sentence names at its end (", the US official said."), if it names one after offset ``after``."""
    m = _TRAILING.search(ctx.text)
    if m is None:
        return None
    group = "who" if m.group("who") is not None else "who2"
    s, e = m.span(group)
    if s < after or len(ctx.text[s:e].split()) > 12:
        return None
    inside = lambda x: s <= x.start and x.end <= e and not (exclude and x.start < exclude[1] and exclude[0] < x.end)  # noqa: E731
    for kind, items in (("speaker", ctx.speakers), ("outlet", ctx.outlets)):
        found = [x for x in items if inside(x)]
        if found:
            return _mention_source(lex, found[0], kind)
    nat = _NATIONAL_OFFICIALS.search(ctx.text, s, e)
    iso = officials_country(lex, nat)
    if nat and iso:
        role = " ".join(nat.group(0).split())
        return Source(speaker=role, speaker_id=lex.government_speaker.get(iso), anonymous=True, role=role)
    anon = _ANON.search(ctx.text, s, e)
    if anon:
        if anon.group("det").lower() == "the" and mem.anonymous is not None:
            return mem.anonymous
        return Source(anonymous=True, role=" ".join(anon.group("role").split()))
    actors = [x for x in ctx.actors if inside(x) and lex.kb.actors[x.key].kind in {"state", "state-organ", "agency", "militia", "front", "insurgent"}]
    if actors:
        return _mention_source(lex, actors[-1], "actor")
    return None


def with_outlet(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, src: Source) -> Source:
    """Add the outlet a source spoke through ("told The Post", the paragraph's cited report) and any relay."""
    update: dict[str, object] = {}
    via = _VIA.search(ctx.text)
    if via:
        o = next((x for x in ctx.outlets if x.start >= via.end()), None)
        if o is not None:
            name, oid = outlet_name(lex, o)
            update["via"] = name
            if src.outlet is None:
                update.update(outlet=name, outlet_id=oid)
        else:
            w = re.match(r"(?:the\s+)?([\w-]+)", ctx.text[via.end() :])
            update["via"] = w.group(1) if w else None
    if src.outlet is None and "outlet" not in update:
        told = next((o for o in ctx.outlets if _TOLD.search(ctx.text[max(0, o.start - 16) : o.start]) or _ACCORDING.search(ctx.text[max(0, o.start - 40) : o.start])), None)
        if told is not None:
            update.update(dict(zip(("outlet", "outlet_id"), outlet_name(lex, told))))
        elif mem.paragraph_outlet is not None:
            update.update(dict(zip(("outlet", "outlet_id"), mem.paragraph_outlet)))
    return src.model_copy(update=update) if update else src


def statement_subject(ctx: SentenceContext, cue: int) -> bool:
    """Whether the sentence's reporting subject before ``cue`` is a bare "statement" (the group's own)."""
    return bool(_STATEMENT_SUBJECT.search(ctx.text[:cue])) and not ctx.speakers[:1] or bool(
        re.search(r"\bstatement\s+(?:relayed|carried|posted|published)\s+by\b", ctx.text[:cue], re.I)
    )
