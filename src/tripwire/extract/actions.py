"""Event mentions: attacks (incidents) and other actions, found sentence by sentence.

Every cue word that reports an event as fact becomes an :class:`EventMention`.
Attack cues are the weapon terms of ``weapons.yaml`` and nouns such as
"attack", "barrage" or "bombing"; action cues are listed in :data:`ACTION_CUES`
(airstrikes, drone strikes, assassinations of named people, protests, votes,
ceasefire pledges, withdrawals, sanctions, and "retaliated against" as an
action of not-yet-known kind). Cues that are conditional, feared or generic
("if a similar rocket attack", "a possible US strike", "rocket attacks") are
skipped. Mentions are then clustered into events by :mod:`.events`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import prefilter
from .casualties import CasualtyMention
from .context import SentenceContext
from .dates import DateMention
from .lexicon import Lexicon, Mention

STRIKE_FAMILY = frozenset({"airstrike", "drone-strike", "assassination", "other", "strike-ref"})

_STATE_ADJ = r"(?:US|U\.S\.|American|coalition|Israeli|Turkish|British|UK|U\.K\.|US-led|U\.S\.-led|Saudi-led)"
ACTION_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("drone-strike", prefilter.compile(r"\bdrone\s+strikes?\b", re.I)),
    ("airstrike", prefilter.compile(r"\bair\s*strikes?\b|\bair\s+raids?\b|\bretaliatory\s+strikes?\b|\bbombing\s+raids?\b", re.I)),
    ("airstrike", prefilter.compile(_STATE_ADJ + r"\s+(?:[\w-]+\s+)?(?:aircraft|warplanes|planes|jets|fighter\s+jets|bombers|drones?|forces|military|troops|Navy|navy|warships?)\s+(?:[a-z]+ly\s+)?(?:struck|hit|bombed|attacked|targeted)\b")),
    ("airstrike", prefilter.compile(r"\b(?:confirm(?:ed|ing|s)?|announc(?:ed|ing|es)?)\s+(?:the\s+)?(?:targeting|bombing|bombardment|destruction)\s+of\b", re.I)),
    ("airstrike", prefilter.compile(r"\b" + _STATE_ADJ + r"\s+(?:(?:air|military|retaliatory|precision|drone|missile|overnight|new|latest|deadly)\s+)?(?:strikes?|attacks?|raids?|bombings?|bombardment|operation)\b")),
    ("airstrike", prefilter.compile(r"\b(?:the\s+)?(?:United\s+States|US|U\.S\.|American|Pentagon|US\s+military|U\.S\.\s+military)\s+(?:(?:has|had|have)\s+)?(?:carried\s+out|conducted|launched|struck|hit|bombed|attacked|targeted)\b")),
    ("airstrike", prefilter.compile(r"\b(?:conducted|carried\s+out|launched)\s+(?:(?:a|new|more|further|joint|precision|retaliatory|military)\s+){0,2}(?:strikes|raids)\b", re.I)),
    ("strike-ref", prefilter.compile(r"\b[Tt]he\s+strikes?\b")),
    ("other", prefilter.compile(r"\bretaliat(?:ed|es|ing)\s+against\b", re.I)),
    ("assassination", prefilter.compile(
        r"\b(?:assassination|killing|assassinated|assassinates|killed|kills|kill)\s+(?:of\s+)?(?:top\s+)?(?:(?:Iranian|Iraqi|militia|senior)\s+)?"
        r"(?:(?:Maj\.\s+)?Gen\.\s+|General\s+|commander\s+|leader\s+)?(?P<name>(?:[A-Z][\w'-]+|al-[A-Z][\w'-]+)(?:\s+(?:[A-Z][\w'-]+|al-[A-Z][\w'-]+)){0,3})")),
    ("assassination", prefilter.compile(
        r"(?:(?:top|senior)\s+)?(?:(?:Iranian|Iraqi|militia|Hezbollah|Hamas|Houthi)\s+)?(?:(?:commander|leader|general|chief|deputy)\s+)?"
        r"(?P<name>(?:[A-Z][\w'-]+|al-[A-Z][\w'-]+)(?:\s+(?:[A-Z][\w'-]+|al-[A-Z][\w'-]+)){1,3}),?\s+(?:[^,.;]{0,60},\s+)?(?:was|were)\s+(?P<also>also\s+)?(?:killed|assassinated)\b")),
    ("protest", prefilter.compile(r"\b(?:protests?|protesters|demonstrations?(?!\s+of\b)|demonstrators|stormed|sit-ins?)\b(?!\s+(?:to|with)\s+(?:the\s+)?(?:UN|United\s+Nations|Security\s+Council))", re.I)),
    ("parliamentary-vote", prefilter.compile(r"\bvot(?:ed|es)\b|\bpassed\s+a\s+(?:non-binding\s+)?(?:resolution|bill|motion)\b", re.I)),
    ("ceasefire-pledge", prefilter.compile(
        r"\bcease-?fire\b|\btruce\b|\bpause\s+in\s+(?:their\s+|its\s+)?attacks\b|\bhalt\s+(?:to\s+)?(?:their\s+)?attacks\b|\bsuspen(?:d|ded|sion\s+of)\s+(?:its\s+|their\s+)?attacks\b"
        r"|\b(?:vow(?:ed|s)?|pledged?|promised?|agreed)\s+not\s+to\s+attack\b", re.I)),
    ("withdrawal", prefilter.compile(
        r"\bwithdrawal\b|\bwithdraw(?:s|n|ing)?\b|\bpull(?:ed|ing)?\s+out\b|\bdrawdown\b|\bdraw\s+down\b|\breduce\s+(?:its\s+|their\s+|the\s+number\s+of\s+)?(?:US\s+)?troops\b|\btroop\s+(?:cuts?|reductions?)\b", re.I)),
    ("sanctions", prefilter.compile(
        r"\b(?:imposed|imposes|imposing|announced|levied|slapped|reimposed|hit\s+(?:[\w'-]+\s+){1,4}?with)\s+(?:new\s+|fresh\s+|more\s+|additional\s+|economic\s+|harsh\s+)*sanctions\b"
        r"|\bsanctioned\b|\b(?:new|fresh|additional)\s+(?:US\s+|U\.S\.\s+|American\s+)?sanctions\s+(?:imposed|announced|target(?:ing|s)?)\b", re.I)),
    ("seizure", prefilter.compile(r"\b(?:seized|seizes|seizing|hijacked|hijacks|hijacking\s+of|seizure\s+of|commandeered|captured)\s+(?:(?:a|an|the|two|its)\s+)?(?:[\w'-]+\s+){0,3}?(?:ship|vessel|tanker|boat|freighter|carrier|cargo\s+ship)s?\b"
                         r"|\b(?:seizure|hijacking)\s+of\s+(?:a|an|the)\b", re.I)),
    ("diplomatic-protest", prefilter.compile(r"\bsummon(?:ed|s|ing)\s+(?:the\s+|their\s+|its\s+|respective\s+)*(?:[\w'-]+\s+){0,2}?(?:ambassadors?|envoys?|charg[e\u00e9]\s+d.affaires|diplomats?)\b", re.I)),
    ("suspension", prefilter.compile(
        r"\b(?:suspend(?:ed|s|ing)?|halt(?:ed|s|ing)?|paus(?:ed|es|ing))\s+(?:its\s+|their\s+|the\s+|all\s+)*(?:[\w-]+\s+){0,2}?(?:operations|training|mission|missions|activities|cooperation)\b"
        r"|\b(?:called\s+off|cancel(?:l)?ed|cancels|scrapped)\s+(?:a\s+|the\s+|its\s+)?(?:[\w-]+\s+){0,3}?(?:talks|meeting|negotiations|summit)\b", re.I)),
)

_ANY_ACTION = prefilter.compile(
    r"strike|raid|struck|hit|bomb|attack|target|retaliat|assassin|kill|protest|demonstr|storm|sit-in|vot|resolution|bill|motion|cease|truce"
    r"|pause|halt|suspen|withdr|pull|draw|reduc|troop|sanction|seiz|hijack|summon|cancel|called|scrap|commandeer|captur|carried|conduct|launch|operation",
    re.I,
)
_ATTACK_NOUN = prefilter.compile(
    r"\b(?:attacks?|barrage|bombing|explosions?|blasts?|ambush|salvo|volley|assault|sabotage|hijacking|seizure|raid|onslaught|incursion|shootdown|shoot-down)\b", re.I
)
#: "was attacked", "were targeted", "came under fire": an attack reported without naming it with a noun
_PASSIVE_ATTACK = prefilter.compile(
    r"\b(?:was|were|been|being|is|are|get|got)\s+(?:\w+\s+){0,2}?(?:attacked|targeted|struck|hit|ambushed|stormed|seized|hijacked|shelled|bombed|rocketed|overrun|raided)\b(?!\s+(?:with\s+)?sanctions)"
    r"|\bcame\s+under\s+(?:\w+\s+){0,2}(?:fire|attack|assault)\b|\bopened\s+fire\b|\bshot\s+down\b",
    re.I,
)
#: "al-Shabab attacked a base", "the Houthis seized a ship", "Iran fired missiles at": an attack verb after its perpetrator
_ACTIVE_ATTACK = prefilter.compile(
    r"\b(?:attacked|ambushed|stormed|struck|targeted|bombed|shelled|seized|hijacked|boarded|overran|raided|rocketed"
    r"|fired|launched|carried\s+out|conducted|staged|mounted|unleashed)\b(?!\s+(?:with\s+)?sanctions)(?!\s+(?:a\s+|an\s+)?(?:investigation|inquiry|probe|campaign\s+of\s+sanctions))",
    re.I,
)
#: States whose strikes the news reports as acknowledged military actions rather than attacks to attribute.
_ACTING_STATES = frozenset({"usa", "uk", "united-kingdom", "saudi-led-coalition", "coalition"})
_SHIP_NAME = prefilter.compile(
    r"\b(?:ship|vessel|tanker|carrier|freighter|car\s+carrier|cargo\s+ship)\s+(?:called\s+|named\s+)?(?:the\s+)?(?:MV\s+|M/V\s+|MT\s+|M/T\s+)?(?P<name>(?-i:[A-Z][\w-]+(?:\s+[A-Z][\w-]+){0,2}))"
    r"|\b(?:the\s+)?(?:MV\s+|M/V\s+|MT\s+|M/T\s+)(?P<name2>(?-i:[A-Z][\w-]+(?:\s+[A-Z][\w-]+){0,2}))",
    re.I,
)
_REPORTED_SCOPE = prefilter.compile(r"\b(?:denied|denies|denying|rejected|claims?\s+that|accus\w+\s+\w+\s+of|alleg\w+\s+that)\b[^.;]*\b(?:involved|role|part|behind|responsib\w+)\s+in\s+(?:the\s+)?(?:[\w-]+\s+)?$", re.I)
_SUPPORT_PHRASE = prefilter.compile(r"\b(?:with\s+(?:the\s+)?(?:support|backing|help|participation)\s+(?:from|of)|backed\s+by|supported\s+by|alongside|joined\s+by)\b[^;]*$", re.I)
_US_TARGET = prefilter.compile(r"\b(?:US|U\.S\.|American|coalition)\s+(?:forces|troops|personnel|bases?|service\s+members|soldiers|embassy|facilities)\b", re.I)
_SANCTION_TARGET = prefilter.compile(r"\s+(?:on|against|targeting|that\s+target)\s+(?P<t>(?:the\s+)?[\w'&.-]+(?:\s+(?!(?:for|over|because|after|in|which|that|who|and\s+\d|to)\b)[\w'&.-]+){0,7})", re.I)
_ANAPHOR = prefilter.compile(r"\b(?:the|this|that|Thursday's|Wednesday's|Tuesday's|Monday's|Friday's|Saturday's|Sunday's|last\s+week's)\s+(?:[\w-]+\s+)?(?:incident|strike|episode|assault)\b", re.I)
_OWN_ASSET = prefilter.compile(
    r"(?:\b(?:US|U\.S\.|American|Navy|surveillance|spy|reconnaissance|unarmed|Global\s+Hawk|MQ-\d+|Reaper|coalition)\s+(?:[\w-]+\s+){0,2}"
    r"|\b(?:shot\s+down|shoots?\s+down|downed|downing|intercepted|destroyed)\s+(?:an?\s+|the\s+|its\s+)?(?:US|U\.S\.|American|Navy|surveillance|spy|reconnaissance)\s+(?:[\w-]+\s+){0,2}"
    r"|\b(?:shot|shoots|shooting)\s+down\s+(?:an?|the|its)\s+(?:[\w-]+\s+){0,2})$"
)
_ATTACKER_KINDS = frozenset({"militia", "insurgent", "front", "category", "state", "state-organ", "party"})
_VERB_BEFORE = prefilter.compile(r"\b(?:to|not|will|would|could|may|might|did|never)\s+$", re.I)
_CONDITION_BEFORE = prefilter.compile(r"\b(?:hinges?\s+on|conditional\s+on|condition\s+that|on\s+condition|demand(?:s|ed|ing)?\s+(?:for\s+)?|calls?\s+for|timetable\s+for|until|unless)\b[^.;]*$", re.I)
_NAME_STOP = {"US", "U.S.", "The", "A", "An", "In", "On", "He", "She", "It", "They", "President", "Iraq", "Iran", "Commander", "Sgt", "Gen", "General",
              "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June",
              "July", "August", "September", "October", "November", "December", "Americans", "American", "Iraqis", "Iranians", "Israelis", "Several", "Two", "Three"}
_PARLIAMENT = prefilter.compile(r"\b(?:parliament|lawmakers|legislators|MPs|Congress|Senate)\b", re.I)
_LINK_WORDS = prefilter.compile(r"\b(?:led|sparked|which|after|prompted|triggered|and\s+then)\b|[;.]", re.I)
_SUPPORTERS = prefilter.compile(r"\b(?:supporters|members|followers)\s+of\s+$", re.I)


#: Action kinds whose actor is the subject of the clause, whatever kind of actor it is.
_SUBJECT_KINDS = frozenset({"seizure", "diplomatic-protest", "suspension"})


def _state_of(lex: Lexicon, actor_id: str) -> str:
    """The state an organ belongs to ("Treasury" -> the US); other actors are themselves."""
    actor = lex.kb.actors[actor_id]
    if actor.kind in {"state-organ", "agency"} and actor.part_of:
        return actor.part_of
    return actor_id


def _speaker_state(lex: Lexicon, ctx: SentenceContext, c0: int, s: int) -> str | None:
    """The state of the named official who is the clause's subject ("President Trump called off ...")."""
    speakers = [x for x in ctx.speakers if c0 <= x.start and x.end <= s]
    if not speakers:
        return None
    country = lex.kb.speakers[speakers[-1].key].country
    return lex.state_of_country.get(country or "")


def _summoned_state(lex: Lexicon, cue: str) -> str | None:
    """Whose diplomat was summoned: "summoned the Iranian ambassador" -> Iran."""
    for word in re.findall(r"[A-Z][\w'-]+", cue):
        state = lex.state_for_demonym(word)
        if state:
            return lex.kb.actors[state].name
    return None


@dataclass
class EventMention:
    """One mention of an attack or action in one sentence (offsets relative to the sentence)."""

    kind: str  #: ``incident`` or an action kind
    ctx: SentenceContext
    cue_start: int
    cue_end: int
    weapon: str | None = None
    attack_type: str | None = None
    date: DateMention | None = None
    place_id: str | None = None
    #: other places the same clause names for this event ("missiles at Al Asad and Erbil"): one salvo, several targets
    alt_place_ids: tuple[str, ...] = ()
    target: str | None = None
    target_actor: str | None = None
    actor: str | None = None
    persons: tuple[str, ...] = ()
    casualties: list[CasualtyMention] = field(default_factory=list)
    detail: str | None = None
    caused_by: list["EventMention"] = field(default_factory=list)
    cluster: int = -1
    #: "the incident": refers back to an attack already named, never starts one
    anaphoric: bool = False

    @property
    def is_incident(self) -> bool:
        return self.kind == "incident"


def person_key(name: str) -> str:
    """A spelling-tolerant key for a named person: the last name without ``al-``."""
    last = name.split()[-1].lower()
    return last[3:] if last.startswith("al-") else last


def _overlaps(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < te and ts < e for ts, te in spans)


def _names(ctx: SentenceContext, m: re.Match[str]) -> tuple[str, ...]:
    names = []
    start = m.start("name")
    for part in re.split(r"\s+and\s+", ctx.text[start : start + 80])[:2]:
        nm = re.match(r"(?:[A-Z][\w'-]+|al-[A-Z][\w'-]+)(?:\s+(?:[A-Z][\w'-]+|al-[A-Z][\w'-]+)){0,3}", part)
        if not nm:
            break
        name = nm.group(0)
        if name.split()[0] in _NAME_STOP:
            break
        absolute = start + ctx.text[start:].find(name)
        if any(mm.start <= absolute < mm.end for mm in (*ctx.actors, *ctx.places, *ctx.outlets)):
            break
        names.append(name)
    return tuple(names)


def find_action_mentions(ctx: SentenceContext, lex: Lexicon) -> list[EventMention]:
    """Actions reported as fact in one sentence."""
    out: list[EventMention] = []
    twins: list[EventMention] = []
    taken: list[tuple[int, int]] = []
    text = ctx.text
    if not _ANY_ACTION.found(text):
        return out
    for kind, pattern in ACTION_CUES:
        for m in pattern.finditer(text):
            s, e = m.span()
            if _overlaps(s, e, taken):
                continue
            if ctx.hypothetical(s) and kind not in {"withdrawal", "ceasefire-pledge"}:
                continue
            if re.search(r"\b(?:if|unless)\b[^,;]*$", text[max(0, s - 60) : s], re.I):
                continue
            c0, c1 = ctx.clause(s)
            if kind == "withdrawal" and _CONDITION_BEFORE.search(text[c0:s]):
                continue
            if _REPORTED_SCOPE.search(text[max(0, s - 80) : s]):
                continue  # "Iran denied it was involved in the seizure": an allegation, not the action as fact
            mention = EventMention(kind, ctx, s, e)
            if kind == "assassination":
                mention.persons = _names(ctx, m)
                if not mention.persons:
                    continue
                mention.target = " and ".join(mention.persons)
                mention.anaphoric = bool(m.groupdict().get("also"))  # "X was also killed": one more victim of the strike already told
            if kind == "parliamentary-vote":
                parl = [a for a in ctx.actors if lex.kb.actors[a.key].kind in {"agency"} and "parliament" in a.key]
                if not parl and not _PARLIAMENT.search(text):
                    continue
                mention.actor = parl[0].key if parl else None
            elif kind == "protest":
                if m.group(0).lower() == "stormed" and not _CROWD.search(text[c0:c1]):
                    continue  # "its fighters had stormed the base": an assault, not a protest
                sup = [a for a in ctx.actors if a.end <= s and _SUPPORTERS.search(text[max(0, a.start - 20) : a.start])]
                mention.actor = sup[-1].key if sup else None
            else:
                window = 0 if kind == "assassination" else (s - c0 if kind in _SUBJECT_KINDS else 40)
                before = [a for a in ctx.actors if c0 <= a.start and (a.end <= s if kind in _SUBJECT_KINDS | {"sanctions"} else a.end <= e) and s - a.end <= window]
                if kind in STRIKE_FAMILY and kind != "assassination":
                    # "the United States and Britain, with support from Australia and Canada, conducted strikes": the subject, not the supporters
                    before = [a for a in before if not _SUPPORT_PHRASE.search(text[c0 : a.start])]
                    if not before:
                        before = [a for a in ctx.actors if c0 <= a.start and a.end <= s and not _SUPPORT_PHRASE.search(text[c0 : a.start])
                                  and lex.kb.actors[a.key].kind in {"state", "state-organ"} and ctx.agent_like(a)][:3]
                if kind == "assassination":
                    before = [a for a in before if re.fullmatch(r"\s*(?:'s\s*)?", text[a.end : s]) or a.start >= s]
                if kind in _SUBJECT_KINDS:
                    wanted = set(_ATTACKER_KINDS) | {"agency", "alliance", "organisation", "organization"}
                elif kind in STRIKE_FAMILY | {"withdrawal", "sanctions"}:
                    wanted = {"state", "state-organ", "agency"} if kind == "sanctions" else {"state", "state-organ"}
                else:
                    wanted = {"militia", "front", "category", "insurgent"}
                before = [a for a in before if lex.kb.actors[a.key].kind in wanted and not (kind == "diplomatic-protest" and a.start > s) and (lex.kb.actors[a.key].kind != "state" or ctx.agent_like(a))]
                if before:
                    mention.actor = _state_of(lex, before[-1].key) if kind in {"sanctions", "diplomatic-protest", "suspension"} else before[-1].key
                    if kind == "diplomatic-protest" or kind in STRIKE_FAMILY:  # "the US and Britain struck ...": one action by each
                        for n, other in enumerate(before[:-1]):
                            if re.fullmatch(r"\s*(?:,|and|,\s*and)\s*(?:the\s+)?", text[other.end : before[n + 1].start]) and other.key != mention.actor:
                                twin = EventMention(kind, ctx, s, e, actor=_state_of(lex, other.key) if kind == "diplomatic-protest" else other.key)
                                twin.target = _summoned_state(lex, m.group(0)) if kind == "diplomatic-protest" else None
                                twins.append(twin)
                if mention.actor is None and kind in {"airstrike", "drone-strike"}:
                    mention.actor = _demonym_state(lex, text, s)  # "an Israeli drone strike", "British airstrikes"
                if mention.actor is None and kind in STRIKE_FAMILY | {"sanctions", "suspension", "withdrawal"}:
                    mention.actor = _speaker_state(lex, ctx, c0, s)
            if kind == "diplomatic-protest":
                mention.target = _summoned_state(lex, m.group(0))
            if kind == "seizure":
                ship = _SHIP_NAME.search(text)
                mention.target = (ship.group("name") or ship.group("name2")) if ship else None
            if kind in STRIKE_FAMILY and kind != "assassination":
                own = lex.kb.actors[mention.actor].country if mention.actor in lex.kb.actors else None
                after = [a for a in ctx.actors if a.start >= e and lex.kb.actors[a.key].kind not in {"state"} and a.key != mention.actor
                         and not (own and lex.kb.actors[a.key].kind == "state-organ" and lex.kb.actors[a.key].country == own)]  # ", U.S. Central Command said": who told it
                if after:
                    named = [a for a in after if lex.kb.actors[a.key].kind != "category"] or after
                    group = [named[0]]
                    for a in named[1:]:  # "strikes on Kataib Hezbollah and Kataib Sayyid al-Shuhada": both targets
                        if re.fullmatch(r"(?:\s*\([^)]{1,16}\))?[\s,]*(?:and|as\s+well\s+as|,)?[\s,]*(?:the\s+)?(?:[\w-]+\s+){0,2}?", text[group[-1].end : a.start]) and a.key not in {g.key for g in group}:
                            group.append(a)
                    mention.target_actor = group[0].key
                    mention.target = " and ".join(lex.kb.actors[g.key].name for g in group)
            if kind == "ceasefire-pledge":
                cond = re.search(r"\b(?:on\s+condition\s+that|conditional\s+on|hinges?\s+on|provided\s+that|as\s+long\s+as)\s+([^.;]+)", text[s:], re.I)
                subj = re.search(r"((?:[A-Z][\w-]*\s+)?militias|[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*)\s+(?:\w+\s+){0,2}$", text[c0:s])
                mention.detail = "; ".join(x for x in (f"pledged by {subj.group(1)}" if subj else None, f"condition: {cond.group(1).strip()}" if cond else None) if x) or None
            if kind in {"sanctions", "suspension"} and mention.target is None:
                tm = _SANCTION_TARGET.match(text, e) if kind == "sanctions" else None
                if tm is not None:
                    mention.target = " ".join(tm.group("t").split()).rstrip(",")
                else:
                    objs = [a for a in ctx.actors if a.start >= e and a.key != mention.actor and c0 <= a.start < c1]
                    mention.target = lex.kb.actors[objs[0].key].name if objs else None
            if mention.target is None and kind not in {"withdrawal", "sanctions"}:
                from .places import find_target

                mention.target = find_target(text, e if kind in STRIKE_FAMILY else s, c1, ctx.places, lex)
            if kind == "withdrawal":
                mention.detail = "partial" if re.search(r"\bpartial\b", text[max(0, s - 30) : e], re.I) else None
                if re.search(r"\bfull\b", text[max(0, s - 15) : s], re.I) and _CONDITION_BEFORE.search(text[c0:s]):
                    continue
            if kind in STRIKE_FAMILY and kind != "strike-ref" and mention.actor == "usa" and mention.target and _US_TARGET.search(mention.target) and _US_TARGET.search(text, e, min(len(text), e + 40)):
                continue  # "attacks on US forces": an attack on Americans, not a US strike
            if kind in STRIKE_FAMILY and mention.actor == "usa" and _KILLED_IN.search(text[max(0, s - 60) : s]) and _own_people_hit(ctx):
                continue  # "the soldiers killed in Sunday's drone strike", named by the Pentagon: a strike on Americans
            taken.append((s, e))
            out.append(mention)
    for twin in twins:  # the twin strikes its partner's target
        partner = next((m for m in out if m.cue_start == twin.cue_start and m.kind == twin.kind), None)
        if partner is not None and twin.target is None:
            twin.target, twin.target_actor = partner.target, partner.target_actor
        out.append(twin)
    out.sort(key=lambda m: m.cue_start)
    # "the US drone strike that killed Soleimani also killed al-Mohandes": one strike on named people
    absorbed: list[EventMention] = []
    for strike in (m for m in out if m.kind in {"drone-strike", "airstrike"}):
        for k in (m for m in out if m.kind == "assassination" and m.cue_start >= strike.cue_end):
            between = text[strike.cue_end : k.cue_start]
            if len(between) > 60 or _LINK_WORDS.search(between):
                continue
            strike.persons = tuple(dict.fromkeys((*strike.persons, *k.persons)))
            strike.target, strike.target_actor = " and ".join(strike.persons), None
            strike.actor = strike.actor or k.actor
            absorbed.append(k)
    return [m for m in out if m not in absorbed]


_CROWD = prefilter.compile(r"\b(?:protesters|protestors|demonstrators|crowds?|supporters|mourners|mobs?|rioters|hundreds|thousands|students)\b", re.I)
_KILLED_IN = prefilter.compile(r"\b(?:killed|wounded|injured|died|hurt)\s+(?:in|by|during)\s+(?:the\s+|a\s+|an\s+)?(?:[\w'-]+\s+){0,3}$", re.I)


def _demonym_state(lex: Lexicon, text: str, s: int) -> str | None:
    """The state a nationality word right before a strike names: "an Israeli drone strike" -> Israel."""
    m = re.search(r"\b([A-Z][a-z]+)(?:-led)?\s+(?:[a-z-]+\s+)?$", text[max(0, s - 30) : s])
    if m is None or m.group(1).lower() not in lex.demonyms:
        return None
    return lex.state_for_demonym(m.group(1))


def _own_people_hit(ctx: SentenceContext) -> bool:
    """Whether the sentence counts American (or unnamed) troops or contractors killed or wounded: its strike hit them."""
    return any(c.casualty.category in {"service-member", "contractor"} and c.casualty.nationality in {"US", None} and c.casualty.count > 0 for c in ctx.casualties)


#: "this attack", "that unacceptable attack", "the same strike": a reference back to an attack already named
_DEMONSTRATIVE = prefilter.compile(r"\b(?:[Tt]his|[Tt]hese|[Tt]he\s+same|[Ss]uch\s+an?)\s+(?!the\b|an?\b)(?:[a-z-]+\s+){0,2}$")


_TIMES_AFTER = prefilter.compile(r"\s+(?:[\w-]+\s+){0,6}?(?:more\s+than\s+|at\s+least\s+|over\s+|nearly\s+|about\s+|some\s+|almost\s+)?(?P<n>\d[\d,]*)\s+times\b", re.I)
_TALLY_NOUN = prefilter.compile(r"(?:attacks|strikes|raids|incidents|assaults|bombings|times)$", re.I)
_MANY_BEFORE = prefilter.compile(r"(?:\b(?P<n>\d[\d,]*)|\b(?P<w>dozens|scores|hundreds|thousands))\s+(?:of\s+)?(?:[\w-]+\s+){0,2}$", re.I)


def _aggregate(text: str, s: int, e: int) -> bool:
    """ "attacked more than 150 times since October", "dozens of drone attacks": a tally of attacks, not one of them."""
    after = _TIMES_AFTER.match(text, e)
    if after and int(after.group("n").replace(",", "")) >= 2 and not re.search(r"[.;]", text[e : after.start("n")]):
        return True
    if not _TALLY_NOUN.search(text[s:e]):
        return False  # "12 rockets", "three drones": the size of one salvo
    before = _MANY_BEFORE.search(text[max(0, s - 40) : s])
    if before is None:
        return False
    return bool(before.group("w")) or int(before.group("n").replace(",", "")) >= 10


def find_incident_mention(ctx: SentenceContext, lex: Lexicon, actions: list[EventMention]) -> EventMention | None:
    """The attack reported in one sentence, if any (one per sentence: the first real cue)."""
    taken = [(a.cue_start, a.cue_end) for a in actions if a.kind != "seizure"]  # a hijacking is both an action and an attack
    text = ctx.text
    cues: list[tuple[int, int, Mention | None]] = []
    for w in ctx.weapons:
        if _OWN_ASSET.search(text[max(0, w.start - 45) : w.start]):
            continue  # "shot down a US Navy drone": the drone is what was hit, not the weapon
        if w.text.lower().endswith("attacks") or re.match(r"\s+(?:attacks|strikes)\b", text[w.end :], re.I):
            if not re.search(r"\b(?:the|these|those|two|three|four|several|both|twin|latest|recent|overnight|monday's|tuesday's|wednesday's|thursday's|friday's|saturday's|sunday's)\s+(?:[\w-]+\s+){0,2}$", text[max(0, w.start - 40) : w.start], re.I):
                continue  # "rocket attacks", "drone attacks by the groups": generic, earlier attacks
        cues.append((w.start, w.end, w))
    for m in _ATTACK_NOUN.finditer(text):
        if _VERB_BEFORE.search(text[max(0, m.start() - 8) : m.start()]):
            continue
        if m.group(0).lower() == "attacks" and not re.search(r"\b(?:the|these|those|two|three|four|several|both|twin|latest|recent|overnight)\s+(?:[\w-]+\s+){0,2}$", text[max(0, m.start() - 40) : m.start()], re.I):
            continue  # bare "attacks" is generic ("threats of attacks"), "the attacks" is this event
        cues.append((m.start(), m.end(), None))
    for m in _PASSIVE_ATTACK.finditer(text):
        cues.append((m.start(), m.end(), None))
    for m in _ACTIVE_ATTACK.finditer(text):
        c0, _c1 = ctx.clause(m.start())
        subject = [a for a in ctx.actors if c0 <= a.start and a.end <= m.start() and m.start() - a.end <= 60 and lex.kb.actors[a.key].kind in _ATTACKER_KINDS]
        if not subject:
            continue
        if lex.kb.actors[subject[-1].key].country == "US" or subject[-1].key in _ACTING_STATES:
            continue  # a US (or allied) strike is an action, found by the action cues
        if m.group(0).lower() in {"launched", "fired", "carried out", "conducted", "staged", "mounted", "unleashed"} and not re.match(
            r"\s+(?:\w+\s+){0,4}?(?:attacks?|strikes?|missiles?|rockets?|drones?|projectiles|operations?|assault|barrage|salvo|bombing|raids?|fire)\b", text[m.end() :], re.I
        ):
            continue
        cues.append((m.start(), m.end(), None))
    cues.sort(key=lambda c: c[0])
    real = []
    for s, e, w in cues:
        if _overlaps(s, e, taken) or ctx.hypothetical(s) or _aggregate(text, s, e):
            continue
        if re.match(r"\s*launchers?\b", text[e:]):
            continue
        real.append((s, e, w))
    if not real:
        anaphor = _ANAPHOR.search(text)
        if anaphor is None or _overlaps(anaphor.start(), anaphor.end(), taken) or ctx.hypothetical(anaphor.start()):
            return None
        return EventMention("incident", ctx, anaphor.start(), anaphor.end(), anaphoric=True)
    first = next((r for r in real if r[2] is not None), real[0])  # "the recent attacks ..., including the rocket attack near Erbil": the named one
    s, e = first[0], first[1]
    weapons = [w for _s, _e, w in real if w is not None]
    mention = EventMention("incident", ctx, s, e)
    mention.anaphoric = bool(_DEMONSTRATIVE.search(text[max(0, s - 40) : s]))  # "this unacceptable attack": the one already told ("that" is too often a conjunction)
    if weapons:
        best = max(weapons, key=lambda w: (not lex.kb.weapons[w.key].generic, -w.start))
        mention.weapon = best.key
        mention.attack_type = lex.kb.weapons[best.key].attack_type
    return mention
