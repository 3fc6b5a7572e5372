"""Attribution statements: who is said to be behind an attack, by whom, how firmly.

Cue phrases (:data:`CUES`) decide the kind of statement and on which side of
the cue the actor is named:

* claimed  - "X claimed responsibility", "a statement said X was behind it";
* denied   - "X denied involvement", "Iran's foreign ministry rejected any link"
  (an actor-less denial by a speaker denies for the actors it always denies for);
* alleged  - "fired by X", "blamed on X", "X was responsible", "pointed to X",
  "the US claim that X fired";
* assessed - an allegation in the words of an assessment ("believed", "more
  likely", an intelligence speaker);
* disputed - "it is not yet clear who", "never presented proof that X was
  responsible", "did not share its intelligence", "questioned".

Hedges are collected from the cue's clause; "X-backed", "aligned with", "on
instructions from" and "directed by" around the actor give ``sponsor`` and
``relation``. Statements about "similar attacks" or what someone "previously
blamed" are generic and dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import prefilter
from ..model import AttributionKind, AttributionStatement, Source
from .context import SentenceContext
from .events import dateline_end
from .lexicon import Lexicon, Mention
from .sources import SourceMemory, find_source, statement_subject, trailing_source, with_outlet

K = AttributionKind
CUES: tuple[tuple[AttributionKind, str, re.Pattern[str]], ...] = (
    (K.DISPUTED, "none", prefilter.compile(
        r"\b(?:not\s+(?:yet\s+|still\s+|immediately\s+|entirely\s+)?(?:clear|known|determined|established)|unclear|unknown|(?:too\s+early|premature)\s+to\s+(?:say|tell|determine|know|judge))"
        r"\s+(?:exactly\s+)?who\b", re.I)),
    (K.DISPUTED, "after", prefilter.compile(
        r"\b(?:never|not|no)\s+(?:\w+\s+){0,2}?(?:presented|present|provided|provide|offered|offer|produced|produce|shown|show|made|make|shared|share|released|release)"
        r"\s+(?:any\s+|their\s+|its\s+|the\s+)?(?:[\w-]+\s+)?(?:proof|evidence|intelligence|information)\b(?:\s+public)?|\bwithout\s+(?:providing\s+|presenting\s+|offering\s+|giving\s+|citing\s+|showing\s+|producing\s+)?(?:any\s+)?(?:proof|evidence)\b"
        r"|\bno\s+(?:public\s+)?(?:proof|evidence)\b|\bquestioned\b|\bdoubt(?:ed|s)?\b|\bdisputed?\b"
        r"|\bwithout\s+(?:a\s+(?:shred|scrap|trace)\s+of\s+)?(?:[\w-]+\s+){0,3}?(?:proof|evidence)\b|\b(?:evidence|proof)\s+(?:is|was|remains|has\s+been)\s+(?:\w+\s+)?(?:lacking|thin|scant|absent|missing|inconclusive|circumstantial|weak)\b"
        r"|\b(?:yet|failed)\s+to\s+(?:show|provide|present|produce|offer)\s+(?:any\s+)?(?:[\w-]+\s+)?(?:proof|evidence)\b"
        r"|\b(?:claims?|allegations?|accusations?|account|assertions?|version|assessment|conclusion|narrative)\s+(?:is|was|are|were)\s+(?:\w+\s+)?"
        r"(?:incorrect|wrong|false|untrue|mistaken|inaccurate|not\s+(?:true|correct|accurate))\b", re.I)),
    (K.CLAIMED, "before", prefilter.compile(
        r"\bclaim(?:ed|s|ing)?\s+(?:the\s+)?(?:full\s+)?(?:responsibility|credit)\b|\bclaim(?:ed|s)?\s+(?:the|an|a|this|that|their|its)\s+(?:\w+\s+){0,3}?(?:attacks?|strikes?|bombings?|operations?|ambush|assault|seizure|hijacking)\b"
        r"|\btook\s+(?:responsibility|credit)\b|\bclaim(?:ed|s)?\s+to\s+have\b|\b(?:declared|announced|accepted)\s+(?:its\s+|their\s+|our\s+)?responsibility\b"
        r"|\bclaim(?:ed|s)?\s+(?:that\s+)?(?:it|they|its\s+(?:forces|fighters|militants|units))\s+(?:had\s+|have\s+|has\s+)?(?:carried\s+out|launched|targeted|attacked|fired|struck|shot\s+down|downed|seized|hit|conducted)\b", re.I)),
    (K.CLAIMED, "none", prefilter.compile(r"\b(?:we|our\s+(?:forces|fighters|mujahideen|drones|missiles|air\s+force|naval\s+forces))\s+(?:have\s+|had\s+)?(?:targeted|attacked|launched|struck|hit|fired|shot\s+down|downed|seized|carried\s+out|bombed|claim)\b", re.I)),
    (K.CLAIMED, "after", prefilter.compile(
        r"\b(?:responsibility|credit)\s+(?:for\s+[^,;]{0,40}?\s+)?(?:was|were|has\s+been|had\s+been)\s+claimed\s+by\b|\bclaimed\s+by\b"
        r"|\bclaims?\s+by\s+(?=(?:the\s+)?[^,;]{0,60}?\b(?:responsib|that\s+(?:they|it)\b|to\s+have\b))", re.I)),
    (K.CLAIMED, "before", prefilter.compile(
        r"\b(?:said|says|announced|declared|stated|confirmed|acknowledged|boasted|wrote|posted|added)\s+(?:(?:on|late\s+on|early\s+on)\s+)?(?:\w+day\s+)?(?:in\s+a\s+(?:\w+\s+)?statement\s+)?(?:on\s+(?:Telegram|X|Twitter|social\s+media)\s+)?(?:that\s+)?"
        r"(?:it|they|its\s+(?:forces|fighters|militants|units|air\s+force|navy|naval\s+forces|drones?|missiles?)|their\s+(?:forces|fighters))\s+(?:had\s+|has\s+|have\s+|were\s+|was\s+)?"
        r"(?:shot\s+down|downed|seized|targeted|attacked|launched|fired|struck|hit|carried\s+out|conducted|bombed|ambushed|stormed|hijacked|killed|responsible|behind)\b"
        r"|\bannounced\s+(?:the\s+|an?\s+|its\s+)?(?:[\w\"'-]+\s+){0,4}?(?:operation|attack|offensive|strikes?)\b", re.I)),
    (K.CLAIMED, "before", prefilter.compile(r"\bclaims?\s+of\s+responsibility\b|-claimed\b|\bin\s+what\s+(?:it|they)\s+(?:claimed|called|said|described)\b", re.I)),
    (K.DENIED, "before", prefilter.compile(
        r"\b(?:denied|denies|deny|rejected|rejects|dismissed)\s+(?:any\s+|all\s+)?(?:involvement|responsibility|role|links?|connection|part|accusations?|allegations?|claims?|charges?)\b"
        r"|\b(?:dismissed|rejected|denounced|called)\s+(?:[^,;.]{0,50}?\s+)?(?:as\s+)?[\"']?(?:baseless|false|unfounded|groundless|fabricated|lies|absurd|ridiculous)\b"
        r"|\b(?:dismiss(?:ed|es)|reject(?:ed|s)|den(?:ied|ies)|refut(?:ed|es)|rebuff(?:ed|s))\s+(?:[^,;]{0,70}?\s)?(?:accusations?|allegations?|claims?|charges?|reports?|tweet|assertions?|suggestions?)\b"
        r"|\bdenied\s+(?:it|that|the)\b|\b(?:categorically\s+|firmly\s+|strongly\s+)?(?:denied|denies|denying)\b", re.I)),
    # "said it had nothing to do with the attack", "Tehran played no role in it": a denial without the word
    (K.DENIED, "before", prefilter.compile(
        r"\b(?:had|has|have)\s+(?:had\s+)?nothing\s+to\s+do\s+with\b|\b(?:played|plays|had|has)\s+no\s+(?:part|role|hand|involvement)\s+in\b"
        r"|\b(?:was|were|is|are)\s+not\s+(?:involved|responsible|behind)\b", re.I)),
    (K.ALLEGED, "after", prefilter.compile(r"\b(?:US|U\.S\.|American)?\s*claims?\s+that\b", re.I)),
    # "condemned the Houthi hijacking", "called the Iranian attack a violation": the speaker names whose attack it was
    (K.ALLEGED, "after", prefilter.compile(
        r"\b(?:called|calling|condemned|condemns|condemning|described|denounced|decried)\s+(?:the|this|that|an?|yesterday's|\w+day's)\s+"
        r"(?=(?-i:[A-Z])[\w'-]*(?:[\s-]+(?-i:[A-Z])[\w'-]*){0,3}\s+(?:[\w-]+\s+)?(?:attacks?|operations?|hijacking|seizure|strikes?|assault|aggression|missile|drone)\b)", re.I)),
    (K.ALLEGED, "after", prefilter.compile(
        r"\b(?:fired|launched|carried\s+out|conducted|staged|perpetrated|orchestrated|attacked|targeted|struck|ambushed|seized|hijacked|hit|downed|shot\s+down|sent|masterminded|directed|ordered)\s+(?:[\w,]+\s+){0,3}?by\b"
        r"|\bblam(?:ed|es|ing|e)\s+(?:(?:(?!\bfor\b)[^,.;]){0,70}?\s)?on\b|\b(?:attacks?|strikes?|assault|bombing|ambush|barrage|salvo|raid|hijacking|seizure)\s+(?:\w+\s+)?by\b|\bidentified\s+(?:the\s+)?(?:perpetrators|attackers|assailants|culprits)\s+as\b|\battributed\s+(?:[^,.;]{0,40}?\s)?to\b|\b(?:originat(?:ed|ing)|came|coming)\s+from\b|\b(?:almost\s+certainly|likely|probably)\s+from\b"
        r"|\bpointed\s+(?:the\s+finger\s+)?(?:at|to)\b|\baccus(?:ed|es|ing)\b|\bblam(?:ed|es|ing)\b|\bheld\s+(?:\w+\s+)?responsible\b|\bholds?\s+(?:\w+\s+)?responsible\b"
        r"|\b(?:bears?|bore|bearing|had|has|have|carries|carried|shows?|showed)\s+(?:all\s+)?(?:the\s+)?(?:hall)?(?:marks|footprints|fingerprints|signature|signs)\s+of\b|\bthe\s+work\s+of\b|\blinked\s+(?:the\s+attacks?\s+)?to\b", re.I)),
    (K.ASSESSED, "after", prefilter.compile(r"\b(?:believed|believe|believes|assessed|assess|concluded|judged)\s+(?:that\s+)?(?:it\s+was\s+)?(?:(?:more|most)\s+likely\s+(?:that\s+)?)?|\b(?:more|most)\s+likely\s+that\b", re.I)),
    (K.ALLEGED, "before", prefilter.compile(
        r"\b(?:was|were|is|are|had\s+been|has\s+been|have\s+been)\s+(?:(?:highly\s+|very\s+)?(?:likely|probably|almost\s+certainly|more\s+likely|most\s+likely|apparently|reportedly|believed|thought|suspected|assessed|presumed)\s+)?(?:to\s+(?:be|have\s+been)\s+)?(?:responsible|behind)\b"
        r"|\b(?:was|were|is|are)\s+suspected\s+of\b|\b(?:was|were|is|are|remains?|remained)\s+(?:the\s+)?(?:prime|main|chief|leading|likeliest|most\s+likely)\s+suspects?\b|\b(?:fired|launched|attacked|ambushed|stormed|struck|targeted|seized|hijacked|carried\s+out|conducted|staged|mounted|shot\s+down|downed)\b"
        r"|\badmitted[\"']?\s+(?:to\b|responsibility|carrying)", re.I)),
)
_ANY_CUE = prefilter.compile(
    r"claim|credit|responsib|deni|deny|reject|dismiss|fired|launch|carried|conduct|staged|perpetrat|orchestrat|blam|attribut|point|accus|held"
    r"|behind|suspect|believ|assess|conclud|judg|likely|clear|known|determin|establish|proof|evidence|question|doubt|disput"
    r"|attack|ambush|storm|struck|target|seiz|hijack|hit|down|sent|mastermind|direct|order|origin|came|coming|from|hold|bear|bore|mark|footprint|fingerprint|work|link|baseless|false|unfounded|lies|called|mount|raid|operation|said|says|statement|announc|declar|wrote|posted|killed|we\b|nothing|no\s+role|no\s+part|involved|incorrect|wrong|untrue|early|premature",
    re.I,
)
HEDGES = (
    "apparently", "reportedly", "allegedly", "believed", "likely", "more likely", "most likely", "probably", "possibly",
    "suspected", "may have", "might have", "could have", "unconfirmed", "not yet clear", "not clear", "unclear",
)
_HEDGE_RE = prefilter.compile(r"\b(?:" + "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in sorted(HEDGES, key=len, reverse=True)) + r")\b", re.I)
_COMPARATIVE = prefilter.compile(r"\b(?:more|less|most)\s+likely\b", re.I)
_GENERIC = prefilter.compile(r"\b(?:similar|previous|past|such|earlier|other)\s+attacks\b|\bpreviously\b(?!\s+(?:unknown|unheard|obscure))|\bin\s+the\s+past\b", re.I)
_NEGATED_CLAIM = prefilter.compile(
    r"\b(?:no|none|nobody|no\s+one|no\s+group)\b[^,;]*$"
    r"|\b(?:did\s+not|didn't|does\s+not|doesn't|has\s+not|hasn't|have\s+not|haven't|had\s+not|never|declined\s+to|refused\s+to|stopped\s+short\s+of|without|not)\s+(?:yet\s+|immediately\s+|publicly\s+|formally\s+|officially\s+|explicitly\s+)?$",
    re.I,
)
_SPONSOR_PATTERNS = (
    prefilter.compile(r"\b(?P<s>[A-Z][\w.]*?)-(?P<w>backed|aligned|supported|funded|armed|trained|sponsored|directed|linked)\b"),
    prefilter.compile(r"\bpro-(?P<s>[A-Z]\w+)\b"),
    prefilter.compile(r"\b(?P<w>backed|supported|funded|armed|trained|directed|ordered|instructed|commanded)\s+by\s+(?P<s>[A-Z][\w.]+)"),
    prefilter.compile(r"\bon\s+(?:the\s+)?(?P<w>instructions|orders|order)\s+(?:from|of)\s+(?P<s>[A-Z][\w.]+)"),
    prefilter.compile(r"\bat\s+the\s+(?P<w>direction|behest)\s+of\s+(?P<s>[A-Z][\w.]+)"),
    prefilter.compile(r"\b(?P<w>linked|tied|aligned)\s+(?:closely\s+)?(?:to|with)\s+(?P<s>[A-Z][\w.]+)"),
)
_WORD_ALIASES = {"instructions": "instructed", "orders": "ordered", "order": "ordered", "direction": "directed", "behest": "directed",
                 "sponsored": "backed", "linked": "backed", "tied": "backed", None: "aligned"}
_RESPONSIBLE_AFTER = prefilter.compile(r"^\s*(?:,\s*(?:an?|the)\s+[^,]+,\s*)?(?:was|were|is|are|had|has)\b", re.I)


@dataclass(frozen=True)
class FoundStatement:
    """A statement with the sentence offset of its cue (to tie it to the nearest incident mention)."""

    cue: int
    statement: AttributionStatement
    #: the name as written, when the actor is a provisional one the knowledge base does not know
    actor_name: str | None = None


def sponsor_of(text: str, start: int, end: int, lex: Lexicon) -> tuple[str | None, str | None]:
    """(sponsor actor id, relation level) asserted around text[start:end], if any."""
    window_end = end
    app = re.match(r",\s+(?:an?|the)\s+[^,.;]{0,60}|,\s+(?:which|who)\s+[^,.;]{0,70}|\s+(?:acting\s+)?on\s+(?:the\s+)?(?:instructions|orders)\s+[^,.;]{0,30}", text[end:])
    if app:
        window_end = end + app.end()
    window = text[max(0, start - 40) : window_end]
    for pattern in _SPONSOR_PATTERNS:
        for m in pattern.finditer(window):
            sponsor = lex.state_for_demonym(m.group("s"))
            if sponsor is None or sponsor == "usa":
                continue
            word = m.groupdict().get("w")
            relation = lex.kb.relation_from_word(_WORD_ALIASES.get(word, word or "aligned"))
            return sponsor, relation or "supported"
    return None, None


def _watching_state(lex: Lexicon, actor_id: str) -> bool:
    """The United States and its organs (Pentagon, CENTCOM, the Navy): never the perpetrator a statement names (their strikes are actions)."""
    actor = lex.kb.actors[actor_id]
    return actor_id == "usa" or (actor.part_of == "usa" and actor.kind in {"state-organ", "agency"})


def _hyphen_actor(ctx: SentenceContext, lex: Lexicon, cue: int) -> Mention | None:
    """The actor fused to "-claimed" ("Taliban-claimed", "ISIS-claimed"): the longest known name ending at the hyphen."""
    words = list(re.finditer(r"[\w'-]+", ctx.text[max(0, cue - 60) : cue]))
    base = max(0, cue - 60)
    for n in range(len(words)):
        start = base + words[n].start()
        key = lex.kb.resolve_actor(ctx.text[start:cue])
        if key:
            return Mention(start, cue, key, ctx.text[start:cue])
    return None


def _owner_of_next(ctx: SentenceContext, a: Mention) -> bool:
    """ "Yemen's Houthi rebels", "Iran's Revolutionary Guard": a name owning the actor right after it."""
    return bool(re.match(r"'s?\s", ctx.text[a.end : a.end + 3])) and any(b.start >= a.end and b.start - a.end <= 4 for b in ctx.actors)


def _pick_actor(ctx: SentenceContext, lex: Lexicon, cue_s: int, cue_e: int, side: str, skip: list[Mention]) -> Mention | None:
    c0, c1 = ctx.clause(cue_s)
    c0 = max(c0, dateline_end(ctx))  # "AMMAN, Jordan -- ... struck": the dateline's country did nothing
    pool = [a for a in ctx.actors if a not in skip and not _watching_state(lex, a.key) and lex.kb.actors[a.key].kind not in {"agency"} and a.start >= c0]
    agents = [a for a in pool if lex.kb.actors[a.key].kind != "state" or ctx.agent_like(a)]
    if agents:
        pool = agents
    pool = [a for a in pool if not any(s.start <= a.start < s.end for s in (*ctx.speakers, *ctx.outlets)) or lex.kb.actors[a.key].kind in {"front", "militia", "insurgent", "category"}]
    if side == "after":
        after = [a for a in ctx.actors if a.start >= cue_e and a not in skip and not _watching_state(lex, a.key) and lex.kb.actors[a.key].kind not in {"agency"}
                 and not _owner_of_next(ctx, a)
                 and (a.start - cue_e <= 6 or lex.kb.actors[a.key].kind != "state" or ctx.agent_like(a))]
        if after and ctx.text[cue_s:cue_e].rstrip().lower().endswith("by") and lex.kb.actors[after[0].key].kind == "state" and after[0].start - cue_e > 40:
            return None  # "hit by an uncrewed vessel ... southwest of Yemen's port": "by" names the weapon; the state is where
        return after[0] if after else None
    before = [a for a in pool if a.end <= cue_s and a.start >= c0]
    if not before:
        return None
    chosen = before[-1]
    # "Kataib Hezbollah, an Iranian-backed militia, was ...": the appositive describes the earlier name
    for earlier in reversed(before[:-1]):
        if re.fullmatch(r",\s+(?:an?|the)\s+(?:[^,;]{0,40}\s)?", ctx.text[earlier.end : chosen.start]):
            chosen = earlier
    return chosen


def find_statements(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, author: Source) -> list[FoundStatement]:
    """Attribution statements in one sentence."""
    text = ctx.text
    if not _ANY_CUE.found(text):
        return []
    out: list[FoundStatement] = []
    taken: list[tuple[int, int]] = []
    disputed_scopes: list[tuple[int, int]] = []
    denied_scopes: list[tuple[int, int]] = []
    claim_that = False
    for kind, side, pattern in CUES:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            c0, c1 = ctx.clause(s)
            if _GENERIC.search(text[c0:c1]) or ctx.hypothetical(s):
                continue
            if kind == K.CLAIMED and _NEGATED_CLAIM.search(text[c0:s]):
                continue
            actor: Mention | None = None
            if side != "none":
                actor = _pick_actor(ctx, lex, s, e, side, [])
            elif kind == K.CLAIMED:  # "we targeted ...", said by a group: the group claims it
                who = trailing_source(ctx, lex, mem) or mem.last_quoted
                claimant = lex.kb.resolve_actor(who.speaker) if who is not None and who.speaker else None
                if claimant is None:
                    heads = [a for a in ctx.actors if a.end <= s and lex.kb.actors[a.key].kind in {"militia", "front", "insurgent", "state-organ"}]
                    claimant = heads[0].key if heads and re.match(r"\s*:", ctx.text[heads[0].end : heads[0].end + 3]) else None
                if claimant is None:
                    continue
                actor = Mention(s, s, claimant, lex.kb.actors[claimant].name)
            if actor is None and kind == K.ALLEGED and side == "after":
                word = re.match(r"(?:the\s+)?([A-Z][\w'-]+)", text[e:])  # "condemned the Iranian attack": the nationality names the state
                state = lex.state_for_demonym(word.group(1)) if word and word.group(1).lower() in lex.demonyms else None
                if state is not None and not _watching_state(lex, state):
                    actor = Mention(e + word.start(1), e + word.end(1), state, word.group(1))
            if actor is None and m.group(0).startswith("-"):
                actor = _hyphen_actor(ctx, lex, s)  # "the Taliban-claimed bombing"
            if (actor is None or actor.key == "unknown") and kind in {K.CLAIMED, K.ALLEGED} and side in {"before", "after"}:
                actor = unknown_group(ctx, s, e, side) or actor  # "a group calling itself the Revenge of al-Muhandis Brigades claimed ..."
            if kind == K.ALLEGED and side == "before" and actor is None:
                continue
            if kind == K.ALLEGED and side == "after" and "claim" in m.group(0).lower():
                if actor is None:
                    continue
                claim_that = True
            if kind == K.ALLEGED and side == "before" and any(ds <= (actor.start if actor else s) < de for ds, de in disputed_scopes) and not claim_that:
                continue
            if kind in {K.ALLEGED, K.ASSESSED} and side == "after" and actor is None:
                continue
            if kind == K.ASSESSED and actor is not None and not _RESPONSIBLE_AFTER.match(text[actor.end :]) and not re.search(r"\bkilled\b|\bbehind\b|\bresponsible\b|\bcarried\b|\bfired\b", text[actor.end : actor.end + 40]):
                continue
            if kind == K.ALLEGED and side == "before" and actor is not None and any(ds <= s < de and actor.start < ds for ds, de in denied_scopes):
                continue  # "Iraq rejected the claim that the drones were launched from its soil": the denier launched nothing
            taken.append((s, e))
            if kind == K.DISPUTED:
                disputed_scopes.append((e, c1))
            if kind == K.DENIED:
                denied_scopes.append((e, c1))
            source = _source_for(ctx, lex, mem, kind, s, actor, author)
            if "claim" in m.group(0).lower() and kind == K.ALLEGED:
                owner = [a for a in ctx.actors if a.end <= s + 12 and s - a.end <= 3 and lex.kb.actors[a.key].kind == "state"]
                if owner:
                    st = lex.kb.actors[owner[-1].key]
                    source = with_outlet(ctx, lex, mem, Source(speaker=st.name, speaker_id=lex.government_speaker.get(st.country or "")))
            actor_id = actor.key if actor else None
            if kind == K.DENIED and actor_id is None:
                sp = lex.kb.speakers.get(source.speaker_id or "")
                actor_id = sp.denies[0] if sp and sp.denies else None
                if actor_id is None:
                    continue
            if kind == K.ALLEGED and side == "before" and statement_subject(ctx, s):
                kind_final = K.CLAIMED
            else:
                kind_final = kind
            if kind_final in {K.ALLEGED} and (_COMPARATIVE.search(text[c0:c1]) or re.search(r"\b(?:believed|assessed|concluded)\b", text[c0:c1], re.I)):
                kind_final = K.ASSESSED
            sponsor, relation = sponsor_of(text, actor.start, actor.end, lex) if actor else (None, None)
            hedges = tuple(dict.fromkeys(" ".join(h.lower().split()) for h in _HEDGE_RE.findall(text[c0:c1])))
            if kind == K.DISPUTED and side == "none":
                hedges = (*hedges, " ".join(m.group(0).lower().split()[:-1]))
            if kind == K.DISPUTED and side == "after":
                hedges = (*hedges, "no evidence" if re.search(r"evidence|intelligence|information", m.group(0), re.I) else "no proof")
                if re.search(r"question|doubt|disput", m.group(0), re.I):
                    hedges = tuple(h for h in hedges if h not in {"no evidence", "no proof"}) + ("questioned",)
            comp = _COMPARATIVE.search(text[c0:c1])
            stmt = AttributionStatement(
                actor=actor_id or "unknown",
                kind=kind_final,
                hedges=tuple(dict.fromkeys(hedges)),
                sponsor=sponsor,
                relation=relation,
                asserted_by=source,
                comparative=" ".join(comp.group(0).lower().split()) if comp and kind_final == K.ASSESSED else None,
                evidence=ctx.span(),
            )
            out.append(FoundStatement(s, stmt, actor.text if actor is not None and actor.key not in lex.kb.actors else None))
    if not any(f.statement.kind == K.CLAIMED for f in out) and not any(f.statement.kind == K.DENIED for f in out):
        claim = _voice_claim(ctx, lex, mem)
        if claim is not None:
            out.append(claim)
    named = {f.statement.actor for f in out}
    out.extend(f for f in _adjectival(ctx, lex, mem, author) if f.statement.actor not in named)
    denying = {f.statement.actor for f in out if f.statement.kind == K.DENIED}
    out = [f for f in out if not (f.statement.kind == K.CLAIMED and f.statement.actor in denying)]  # "said it had nothing to do with it"
    return _dedupe(out)


_OWN_ATTACK = prefilter.compile(r"\s+(?:[\w-]+\s+)?(?:attacks?|raids?|ambush|assault|bombing|barrage|hijacking|seizure|offensive)\b", re.I)


def _adjectival(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, author: Source) -> list[FoundStatement]:
    """ "The second Taliban attack in Kabul", "a Houthi missile attack on the ship": the report names whose attack it was."""
    out = []
    for a in ctx.actors:
        actor = lex.kb.actors[a.key]
        if actor.kind not in {"militia", "insurgent", "front"} or _watching_state(lex, a.key):
            continue
        m = _OWN_ATTACK.match(ctx.text, a.end)
        if m is None or ctx.hypothetical(a.start) or _GENERIC.search(ctx.text[max(0, a.start - 30) : m.end()]):
            continue
        if re.search(r"\b(?:on|against|targeting)\s+(?:the\s+)?$", ctx.text[max(0, a.start - 20) : a.start], re.I):
            continue  # "strikes on Kataib Hezbollah positions": the group is the target
        source = find_source(ctx, lex, mem, a.start, exclude=(a.start, a.end), author=author)
        stmt = AttributionStatement(actor=a.key, kind=K.ALLEGED, asserted_by=source, evidence=ctx.span())
        out.append(FoundStatement(a.start, stmt))
    return out


_VOICE_VERB = prefilter.compile(r"\b(?:said|says|wrote|writes|announced|announces|declared|stated|posted|tweeted|claimed|added|confirmed)\b", re.I)
_REPORTED_ATTACK = prefilter.compile(
    r"\b(?:targeted|attacked|struck|hit|launched|fired|seized|hijacked|shot\s+down|downed|ambushed|stormed|bombed)\b|\bthe\s+(?:\w+\s+)?(?:raid|attack|operation|assault|ambush)\b", re.I
)
_GROUP_KINDS = frozenset({"militia", "insurgent", "front"})


def _group_voice(ctx: SentenceContext, lex: Lexicon, start: int, end: int) -> str | None:
    """The armed group speaking in text[start:end]: a group named there, or a spokesman known to speak for one."""
    for sp in ctx.speakers:
        if start <= sp.start and sp.end <= end:
            speaker = lex.kb.speakers[sp.key]
            groups = [a for a in speaker.interested if a in lex.kb.actors and lex.kb.actors[a].kind in _GROUP_KINDS]
            if speaker.kind in {"armed-group", "militia", "group"} and len(groups) == 1:
                return groups[0]
    for a in ctx.actors:
        if start <= a.start and a.end <= end and lex.kb.actors[a.key].kind in _GROUP_KINDS:
            return a.key
    return None


def _voice_claim(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory) -> FoundStatement | None:
    """ "Al-Shabab said in a statement the raid ...", "the Houthi military spokesman wrote that the ship was targeted": a group telling of its own attack."""
    text = ctx.text
    for v in _VOICE_VERB.finditer(text):
        c0, c1 = ctx.clause(v.start())
        group = _group_voice(ctx, lex, max(c0, v.start() - 70), v.start())
        if group is None or ctx.hypothetical(v.start()):
            continue
        reported = text[v.end() : v.end() + 160]
        if not _REPORTED_ATTACK.search(reported) or re.search(r"\b(?:not|never|no)\b", reported[:40], re.I):
            continue
        name = lex.kb.actors[group].name
        stmt = AttributionStatement(actor=group, kind=K.CLAIMED, asserted_by=with_outlet(ctx, lex, mem, Source(speaker=name)), evidence=ctx.span())
        return FoundStatement(v.start(), stmt)
    return None


_GROUP_HEAD = r"(?:Brigades?|Battalions?|Front|Movement|Organi[sz]ation|Group|Companions|Resistance|Army|Forces|Division|Regiment|Faction|Guards?|Squadron|Cell|Mujahideen|Jihad|Islamic\s+State|Martyrs|Revolutionaries|Avengers|Legion)"
_NAME_WORD = r"(?:(?-i:[A-Z])[\w'-]*|al-[\w'-]+|of|the|for|and|al|el|bin|ibn)"
_CALLED = prefilter.compile(r"\b(?:calling\s+(?:itself|themselves)|called|named|known\s+as|dubbed|going\s+by)\s+(?:the\s+)?[\"']?(?P<n>(?-i:[A-Z])[\w'-]*(?:\s+" + _NAME_WORD + r"){0,7})", re.I)
_HEADED = prefilter.compile(r"(?P<n>(?:the\s+)?(?-i:[A-Z])[\w'-]*(?:\s+" + _NAME_WORD + r"){0,6}?\s+" + _GROUP_HEAD + r"(?:\s+(?:of|for)\s+(?:the\s+)?(?-i:[A-Z])[\w'-]*(?:\s+(?-i:[A-Z])[\w'-]*){0,3})?)", re.I)


def unknown_group(ctx: SentenceContext, cue_s: int, cue_e: int, side: str) -> Mention | None:
    """A group the knowledge base does not know, named as the subject (or agent) of a claim or an attack.

    "A group calling itself X claimed ...", "The X Brigades said it launched
    ...", "claimed by the X Front": returns a mention whose key is
    ``unresolved:<slug>`` (see :class:`~tripwire.model.ProvisionalActor`).
    """
    from ..model import UNRESOLVED_PREFIX

    c0, c1 = ctx.clause(cue_s)
    span = ctx.text[c0:cue_s] if side == "before" else ctx.text[cue_e : min(c1, cue_e + 120)]
    base = c0 if side == "before" else cue_e
    found = None
    for pattern in (_CALLED, _HEADED):
        hits = list(pattern.finditer(span))
        if hits:
            found = hits[-1] if side == "before" else hits[0]
            break
    if found is None:
        return None
    name = re.sub(r"^(?:the|a|an)\s+", "", found.group("n").strip(" \"'"), flags=re.I)
    name = re.sub(r"\s+(?:of|the|for|and|al|el)$", "", name)
    if len(name) < 6 or len(name.split()) < 2 or any(a.start <= base + found.start("n") < a.end for a in ctx.actors):
        return None
    if side == "before" and not re.fullmatch(r"[\s,]*(?:\w+\s+){0,3}", span[found.end() :]):
        return None  # the name must be the subject right before the claim
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return Mention(base + found.start("n"), base + found.end("n"), UNRESOLVED_PREFIX + slug, name)


def _source_for(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, kind: AttributionKind, cue: int, actor: Mention | None, author: Source) -> Source:
    if actor is not None and actor.key not in lex.kb.actors:
        return with_outlet(ctx, lex, mem, Source(speaker=actor.text)) if kind == K.CLAIMED else find_source(ctx, lex, mem, cue, exclude=(actor.start, actor.end), author=author)
    if kind == K.CLAIMED and actor is not None:
        return with_outlet(ctx, lex, mem, Source(speaker=lex.kb.actors[actor.key].name if actor.text.lower() == lex.kb.actors[actor.key].name.lower() else actor.text))
    exclude = (actor.start, actor.end) if actor else None
    src = find_source(ctx, lex, mem, cue, exclude=exclude, author=author, reporters_only=kind == K.DISPUTED)
    if kind == K.ALLEGED and statement_subject(ctx, cue) and actor is not None:
        return with_outlet(ctx, lex, mem, Source(speaker=lex.kb.actors[actor.key].name))
    return src


def _dedupe(found: list[FoundStatement]) -> list[FoundStatement]:
    """Two cues about the same actor of the same kind in one sentence make one statement."""
    out: dict[tuple[str, str], FoundStatement] = {}
    order: list[tuple[str, str]] = []
    for f in found:
        st = f.statement
        group = "alleged" if st.kind in {K.ALLEGED, K.ASSESSED} else st.kind.value
        key = (st.actor, group)
        if key not in out:
            out[key] = f
            order.append(key)
            continue
        old = out[key].statement
        merged = old.model_copy(
            update={
                "kind": K.ASSESSED if K.ASSESSED in {old.kind, st.kind} else old.kind,
                "hedges": tuple(dict.fromkeys((*old.hedges, *st.hedges))),
                "sponsor": old.sponsor or st.sponsor,
                "relation": old.relation or st.relation,
                "comparative": old.comparative or st.comparative,
            }
        )
        out[key] = FoundStatement(min(out[key].cue, f.cue), merged, out[key].actor_name or f.actor_name)
    return [out[k] for k in order]
