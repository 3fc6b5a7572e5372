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

from ..model import RedLineStatement, Source
from .context import SentenceContext
from .lexicon import Lexicon
from .sources import SourceMemory, _ANON, outlet_name

_IF = re.compile(r"(?<!\bunclear )(?<!\bas )(?<!\beven )(?<!\bwhether )(?<!\bask )(?<!\basked )(?<!\bsee )\bif\b", re.I)
_MODAL = re.compile(r"\b(?:will|would|won't|'ll)\b", re.I)
_ANY = re.compile(r"\bany\s+(?P<cond>.+?)\s+(?:will|would)\s+(?P<cons>(?:spark|trigger|draw|bring|prompt|provoke|invite|mean|lead\s+to|result\s+in|be\s+met\s+with)\b.+)$", re.I)
_RESPONSE = re.compile(r"\b(?:respon\w*|retaliat\w*|strike\w*|punish\w*|consequence\w*|price|war|force|swift|painful|act|action|attack\w*)\b", re.I)
_THE_PRINCIPAL = re.compile(r"\bthe\s+(?:president|secretary|minister|leader|commander)\b", re.I)


def _clean(s: str) -> str:
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


def find_redlines(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, published: dt.date | None) -> list[RedLineStatement]:
    """The red line declared in one sentence, if there is one."""
    if not re.search(r"\b(?:if|any)\b", ctx.text, re.I):
        return []
    parts = _parts(ctx.text)
    if parts is None:
        return []
    at, condition, consequence = parts
    text = ctx.text
    principal = None
    named = [s for s in ctx.speakers if lex.kb.speakers[s.key].kind == "government" and not s.text.lower().endswith("officials") and s.start < at]
    if named:
        principal = (" ".join(named[-1].text.split()), named[-1].key)
    elif _THE_PRINCIPAL.search(text[:at]) or re.search(r"\bcomments?\b", text[:at]):
        principal = mem.principal
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
