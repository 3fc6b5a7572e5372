"""Declared red lines: "if X happens, Y will follow".

Two sentence shapes are recognised:

* conditional - "if <condition>, <consequence with will/would>" (also without the
  comma: "if an American is killed ... it would spark a response");
* universal   - "any <condition> will/would spark|trigger|draw|mean <consequence>".

The consequence must threaten a response (respond, retaliate, strike, punish,
consequences, "spark ... response", "pay a price"); "unclear if", "as if" and
"even if" are not red lines. The speaker is the principal named in the
sentence (or the last one named in the document when the sentence says "the
president"), relayed through any unnamed source and outlet in the sentence
(see :mod:`.sources`).
"""

from __future__ import annotations

import datetime as dt
import re

from . import prefilter
from ..model import RedLineStatement, Source
from .context import SentenceContext
from .lexicon import Lexicon, Mention
from .sources import SourceMemory, _ANON, find_source, outlet_name, trailing_source

_IF = prefilter.compile(r"(?<!\bunclear )(?<!\bas )(?<!\beven )(?<!\bwhether )(?<!\bask )(?<!\basked )(?<!\bsee )\bif\b", re.I)
_MODAL = prefilter.compile(r"\b(?:will|would|won't|'ll)\b", re.I)
_ANY = prefilter.compile(r"\bany\s+(?P<cond>.+?)\s+(?:will|would)\s+(?P<cons>(?:spark|trigger|draw|bring|prompt|provoke|invite|mean|lead\s+to|result\s+in|be\s+met\s+with)\b.+)$", re.I)
_RESPONSE = prefilter.compile(r"\b(?:respon\w*|retaliat\w*|strike\w*|punish\w*|consequence\w*|price|war|force|swift|painful|act|action|attack\w*)\b", re.I)
_THE_PRINCIPAL = prefilter.compile(r"\bthe\s+(?:president|secretary|minister|leader|commander)\b", re.I)


_TRAILING_SAY = prefilter.compile(r"[,\"']+\s*(?:(?:the|a|an)\s+)?[^,\"]{0,70}?\s+(?:said|says|warned|added|stated|declared|vowed|threatened|insisted|tweeted|wrote)(?:\s+on\s+\w+|\s+\w+day)?\s*[.\"']*\s*$", re.I)


_SAYS_AFTER = prefilter.compile(r"\s+(?:\w+\s+){0,2}?(?:said|says|warned|told|vowed|declared|stated|added|threatened|insisted|promised|pledged)\b", re.I)


#: speakers whose words are a party's own declaration (not an analyst's or a channel's)
_PRINCIPAL_KINDS = frozenset({"government", "military", "armed-group"})
_PRONOUN_SUBJECT = prefilter.compile(r"\s*(?:He|She)\s+(?:also\s+|later\s+|then\s+)?(?:said|says|warned|added|vowed|threatened|declared|insisted|stated|told|promised|pledged)\b")


def _group_subject(lex: Lexicon, ctx: SentenceContext, at: int) -> Mention | None:
    """The armed group a threat's clause opens with ("Harakat al-Nujaba, an Iran-backed militia, promised revenge")."""
    c0, _ = ctx.clause(at)
    before = [a for a in ctx.actors if a.end <= at and ctx.agent_like(a)]
    if not before:
        return None
    first = before[0]
    if lex.kb.actors[first.key].kind not in {"militia", "insurgent", "front"}:
        return None
    opens = first.start <= max(c0, 0) + 4 or not re.search(r"[,;]", ctx.text[: first.start])
    return first if opens or _SAYS_AFTER.match(ctx.text, first.end) else None  # "In a statement, the group said ... and warned"


def _clean(s: str) -> str:
    s = _TRAILING_SAY.sub("", s)
    s = " ".join(s.strip(" ,;.").split())
    if s.count('"') % 2:
        s = s.replace('"', "")
    quotes = [m.start() for m in re.finditer(r"(?<!\w)'|'(?!\w)", s)]
    if len(quotes) % 2:
        s = re.sub(r"(?<!\w)'|'(?!\w)", "", s)
    return s.strip()


def _parts(text: str) -> tuple[int, str, str] | None:
    """(offset, condition, consequence) of a red line in one sentence, if any."""
    m = _ANY.search(text)
    if m:
        return m.start(), "any " + _clean(m.group("cond")), _clean(m.group("cons"))
    for ifm in _IF.finditer(text):
        modal = _MODAL.search(text, ifm.end())
        if not modal:
            continue
        head = text[ifm.end() : modal.start()]
        comma = head.rfind(",")
        if comma >= 0:
            cond, cons_start = head[:comma], ifm.end() + comma + 1
        else:
            words = list(re.finditer(r"\S+", head))
            if len(words) < 3:
                continue
            cons_start = ifm.end() + words[-1].start()
            cond = head[: words[-1].start()]
        cons = text[cons_start:]
        end = re.search(r"[.;]\s|$", cons)
        cons = cons[: end.start()] if end else cons
        if _RESPONSE.search(cons) and len(cond.split()) >= 2:
            return ifm.start(), _clean(cond), _clean(cons)
    return None


#: A threatened response: "will respond", "will pay a heavy price", "reserves the right to respond", "will not go unanswered".
_THREAT = prefilter.compile(
    r"\b(?:will|would|shall|'ll|won't|wo\s*n't|is\s+going\s+to|are\s+going\s+to)\s+(?:not\s+)?(?:\w+\s+){0,3}?"
    r"(?:respond\w*|retaliat\w*|punish\w*|pay\b|regret|suffer|annihilate\w*|crush|avenge|hit\s+back|strike\s+back|act\b|take\s+(?:\w+\s+){0,2}(?:measures|action|actions|steps)"
    r"|hold\s+(?:\w+\s+){1,3}?(?:fully\s+)?(?:responsible|accountable)\b|hold\s+(?:\w+\s+){1,3}?to\s+account\b|bear\s+(?:the\s+)?(?:full\s+)?responsibility|go\s+unanswered|go\s+unpunished|be\s+left\s+unanswered|tolerate|hesitate"
    r"|have\s+(?:\w+\s+)?consequences|face\s+(?:\w+\s+){0,2}(?:consequences|response|retaliation|punishment)|be\s+(?:met|responded|answered|punished)\b|be\s+held\s+(?:fully\s+|directly\s+)?(?:accountable|responsible)\b|be\s+forthcoming|be\s+hit)"
    r"|\breserves?\s+(?:\w+\s+){0,2}right\s+to\s+(?:respond|retaliate|defend|self-defen[cs]e)"
    r"|\b(?:will|would)\s+(?:\w+\s+){0,2}?(?:defend\s+(?:itself|themselves|ourselves|our|its|their)|continue\s+to\s+(?:target|strike|hit|attack|pursue)|run\s+into|be\s+(?:much\s+)?worse)\b"
    r"|\b(?:is|are|am|stand|remain)\s+(?:\w+\s+){0,2}?(?:prepared|ready)\s+to\s+(?:take|do|respond|act|strike|use)\b|\bcould\s+target\s+(?:additional|more|further)\b"
    r"|\b(?:will|would)\s+not\s+(?:leave|let)\s+[^.;]{0,90}?\b(?:unanswered|unpunished|go\s+unanswered)\b"
    r"|\b(?:more|further|new|additional)\s+(?:attacks|strikes|operations)\s+(?:could|would|will|may|can)\s+(?:be\s+expected|follow|come|be\s+carried\s+out)\b"
    r"|\b(?:severe|serious|dire|grave)\s+consequences\b|\b(?:heavier|harsher|crushing|decisive|devastating|painful|firm|strong|swift|appropriate|concerted|collective)\s+response\b"
    r"|\b(?:vow(?:ed|s)?|pledged?|threaten(?:ed|s)?|promised?)\s+(?:to\s+)?(?:retaliat\w*|respond|revenge|avenge|punish|strike|attack|hit|harsh\s+revenge)"
    r"|\bwarn(?:ed|s|ing)?\s+(?:of|that)\b[^.;]{0,80}\b(?:response|retaliation|consequences|price|revenge|attacks?)\b"
    r"|\bnot\s+a\s+warning,?\s+it\s+is\s+a\s+threat\b",
    re.I,
)
_IF_OR_ANY = prefilter.compile(r"\b(?:if|any)\b", re.I)
_THREAT_HINT = prefilter.compile(r"respon|accountab|account\b|retaliat|punish|pay\b|regret|suffer|annihilat|crush|avenge|revenge|back|act\b|measures|action|steps|responsib|unanswered|unpunished|toleran|tolerate|hesitat|consequence|forthcoming|right\s+to|threat|hit|defend|continue|run\s+into|worse|prepared|ready|target", re.I)
_OBJECT = prefilter.compile(r"\b(?:for|over|to)\s+(?P<obj>(?:the|this|that|its|their|any|these|such|an?)\s+(?:[\w'-]+\s+){0,4}?(?:attacks?|strikes?|crime|aggression|assault|killing|assassination|operation|bombing|violation|adventures?|escalation|act))\b", re.I)
_NOT_THREAT = prefilter.compile(r"\b(?:respond(?:ed)?\s+to\s+(?:questions?|requests?|a\s+request|emails?|calls?|inquiries)|act\s+as|pay\s+(?:for\s+)?(?:salaries|tribute|homage|respects|attention)|hit\s+(?:a\s+)?record)\b", re.I)


def _threat_parts(text: str) -> tuple[int, str, str] | None:
    """(offset, condition, consequence) of a threat with no "if": the condition is what it answers, when said."""
    m = _THREAT.search(text)
    if m is None or _NOT_THREAT.search(text[max(0, m.start() - 10) : m.end() + 40]):
        return None
    obj = _OBJECT.search(text)
    condition = _clean(obj.group("obj")) if obj else "unspecified"
    start = m.start()
    consequence = text[start:]
    end = re.search(r"[.;]\s|$", consequence)
    consequence = consequence[: end.start()] if end else consequence
    return start, condition, _clean(consequence)


def find_redlines(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, published: dt.date | None) -> list[RedLineStatement]:
    """The red line declared in one sentence, if there is one."""
    text = ctx.text
    parts = _parts(text) if _IF_OR_ANY.search(text) else None
    if parts is None and _THREAT_HINT.found(text):
        parts = _threat_parts(text)
    if parts is None:
        return []
    at, condition, consequence = parts
    principal = None
    named = [s for s in ctx.speakers if lex.kb.speakers[s.key].kind in _PRINCIPAL_KINDS and not s.text.lower().endswith("officials") and s.start < at]
    if named:  # who said it, where the sentence says so ("Biden said the United States would ..."), else the last named
        saying = [n for n in named if _SAYS_AFTER.match(text, n.end)]
        who = (saying or named)[-1]
        principal = (" ".join(who.text.split()), who.key)
    elif _THE_PRINCIPAL.search(text[:at]) or re.search(r"\bcomments?\b", text[:at]):
        principal = mem.principal
    elif _PRONOUN_SUBJECT.match(text) and mem.last_named is not None:
        principal = mem.last_named  # "He warned that further attacks would be worse": the person named last
    group = _group_subject(lex, ctx, at)
    if group is not None and (principal is None or not any(s.start < group.start for s in named)):
        principal = (lex.kb.actors[group.key].name, None)  # "Harakat al-Nujaba ... promised revenge": the group itself
    relay: Source | None = None
    for m in _ANON.finditer(text[:at]):
        det = m.group("det").lower()
        if det == "the" and mem.anonymous is not None:
            relay = mem.anonymous
        elif det != "the":
            outlet = next((o for o in ctx.outlets if o.start >= m.end()), None)
            name = outlet_name(lex, outlet) if outlet else (None, None)
            relay = Source(anonymous=True, role=" ".join(m.group("role").split()), outlet=name[0], outlet_id=name[1], via=" ".join(m.group(0).split()))
    if principal is None and relay is None:
        # a named speaker of any kind
        any_named = [s for s in ctx.speakers if s.start < at]
        if any_named:
            principal = (" ".join(any_named[-1].text.split()), any_named[-1].key)
    if relay is None and '"' in text[:at]:
        quoted_by = trailing_source(ctx, lex, mem)  # '"... President Biden will act ...," Kirby said': the speaker is who said the quote
        if quoted_by is not None and (quoted_by.speaker or quoted_by.role) and text.rfind('"') > at:
            principal = (quoted_by.speaker or quoted_by.role or "", quoted_by.speaker_id)
    if principal is None and relay is None:
        # "..., the IRGC said." / "..., said Pentagon spokesman John Kirby." / the quote's speaker from the last sentence
        src = find_source(ctx, lex, mem, len(text)) if not text.lstrip().startswith(('"', "'")) else (trailing_source(ctx, lex, mem) or mem.last_quoted)
        if src is not None and (src.speaker or src.role):
            principal = (src.speaker or src.role or "", src.speaker_id)
    fields: dict[str, object] = {}
    if principal:
        fields.update(speaker=principal[0], speaker_id=principal[1])
    if relay is not None:
        fields.update(anonymous=True, role=relay.role, via=relay.via, outlet=relay.outlet, outlet_id=relay.outlet_id)
        if principal is None:
            fields.update(speaker=None)
    if not fields.get("outlet"):
        told = next((o for o in ctx.outlets if o.start < at), None)
        if told is not None:
            fields.update(dict(zip(("outlet", "outlet_id"), outlet_name(lex, told))))
    return [
        RedLineStatement(
            speaker=Source(**fields),  # type: ignore[arg-type]
            condition=condition,
            consequence=consequence,
            date=published,
            documents=(ctx.document_id,),
            evidence=ctx.span(),
        )
    ]
