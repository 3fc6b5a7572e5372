"""Filling in event mentions and clustering them into the events of one document.

Within a sentence, every date, place and casualty report goes to the nearest
event cue (casualties to the nearest cue *before* them), so "the barrage ...
revenge for the killing of Soleimani in a US drone strike in Baghdad on Friday"
gives Friday and Baghdad to the drone strike, not the barrage. Causal words
link mentions: "A sparked/led to/prompted B" and "B after/in response to/in
retaliation for A" make A a cause of B.

Mentions of one document are then clustered greedily, in reading order: a
mention joins the most recently mentioned compatible cluster (no conflicting
date, place, attack type, actor or target), else starts a new one.
"""

from __future__ import annotations

import datetime as dt
import dataclasses
import re
from dataclasses import dataclass, field

from . import prefilter
from ..model import Casualty, Place, Span
from .actions import STRIKE_FAMILY, EventMention, person_key
from .context import SentenceContext
from .dates import DateMention
from .lexicon import Lexicon
from .places import choose_place, compatible, more_specific, to_place

_FORWARD = prefilter.compile(r"(?<!been )(?<!was )(?<!were )\b(?:sparked|sparking|led\s+to|leading\s+to|prompted|prompting|triggered|triggering|provoked|caused)\b(?!\s+by\b)", re.I)
_BACKWARD = prefilter.compile(
    r"\b(?:after|following|in\s+response\s+to|(?:a|the)\s+response\s+to|in\s+retaliation\s+for|in\s+revenge\s+for|revenge\s+for|in\s+protest\s+(?:at|against|over)"
    r"|(?:was|were|been)\s+(?:sparked|triggered|prompted|provoked)\s+by|retaliat(?:ed|ing)\s+against)\b",
    re.I,
)
_NON_EVENT_DATE = prefilter.compile(r"\b(?:since|after|before|until|by|ahead\s+of|from)\s+(?:the\s+)?$|\b(?:formed|founded|established|created|set\s+up|born)\s+(?:in\s+)?$", re.I)
_LOCATIVE = prefilter.compile(
    r"(?:\b(?:in|inside|into|across|from|near|at|over|throughout|off|outside|within)\s+(?:the\s+)?(?:[\w-]+\s+)?"
    r"|\b(?:coast|waters|shores|territory|airspace|skies|capital|north|south|east|west|northern|southern|eastern|western|central)\s+of\s+(?:the\s+)?)$",
    re.I,
)
#: a date further than this (characters) from every event cue in its sentence belongs to none
MAX_DATE_DISTANCE = 120


def fill(ctx: SentenceContext, mentions: list[EventMention], lex: Lexicon) -> None:
    """Give the sentence's dates, places and casualties to its mentions."""
    if not mentions:
        return
    dateline = dateline_end(ctx)
    weak = []
    dates = _local_over_us_time(ctx)
    for d in dates:
        if d.deadline or _NON_EVENT_DATE.search(ctx.text[max(0, d.start - 30) : d.start]):
            continue
        if d.start < dateline or _TIMESTAMP.fullmatch(ctx.text.strip()) or re.fullmatch(r"\s*date\s+", ctx.text[: d.start]):
            continue  # "BAGHDAD, Dec 4 (Reuters) -", "3 Dec, 2019 17:24": when it was filed, not when it happened
        if _SPEECH_DATE.search(ctx.text[max(0, d.start - 40) : d.start]) or _SPEECH_AFTER.match(ctx.text[d.end : d.end + 30]) or _SPEAKER_AFTER.match(ctx.text[d.end : d.end + 90]):
            weak.append(d)  # "said on Monday": the event's day only when nothing else dates it
            continue
        owner = min(mentions, key=lambda m: (_distance(m, d.start, d.end), m.cue_start))
        if _distance(owner, d.start, d.end) > MAX_DATE_DISTANCE:
            continue
        if owner.date is None or _prec_rank(d) > _prec_rank(owner.date) or (
            _prec_rank(d) == _prec_rank(owner.date) and _distance(owner, d.start, d.end) < _distance(owner, owner.date.start, owner.date.end)
        ):
            owner.date = d  # the most precise date, and of two as precise the nearer one ("on Monday identified ... Sunday's drone strike")
    for d in weak:  # the day something was said dates the sentence's main event only
        owner = min(mentions, key=lambda m: m.cue_start)
        if owner.date is None and _distance(owner, d.start, d.end) <= MAX_DATE_DISTANCE:
            owner.date = dataclasses.replace(d, weak=True)
    for m in mentions:  # "the US and Britain struck", "... summoned X Monday; Y then summoned Z": one date for the sentence's actions of a kind
        if m.date is None:
            partner = next((o for o in mentions if o is not m and (o.cue_start == m.cue_start or (not m.is_incident and o.kind == m.kind)) and o.date is not None), None)
            if partner is not None:
                m.date = partner.date
    assigned: dict[int, list] = {id(m): [] for m in mentions}
    for p in ctx.places:
        if p.start < dateline:
            continue
        if _not_where(lex, ctx, p):
            continue
        owner = min(mentions, key=lambda m: (_distance(m, p.start, p.end), m.cue_start))
        assigned[id(owner)].append(p)
    for m in mentions:
        pool = assigned[id(m)]
        c0, c1 = ctx.clause(m.cue_start)
        in_clause = [p for p in pool if c0 <= p.start < c1]
        m.place_id = choose_place(lex, pool, in_clause)
        if m.place_id:
            chosen_depth = lex.depth(m.place_id)
            m.alt_place_ids = tuple(dict.fromkeys(
                p.key for p in (in_clause or pool)
                if p.key != m.place_id and lex.depth(p.key) >= min(chosen_depth, 2) and p.key not in lex.ancestors(m.place_id) and m.place_id not in lex.ancestors(p.key)
            ))
        if m.is_incident and m.target is None:
            from .places import find_target

            m.target = find_target(ctx.text, m.cue_start, c1, ctx.places, lex)
    for c in ctx.casualties:
        before = [m for m in mentions if m.cue_start <= c.start]
        owner = max(before, key=lambda m: m.cue_start) if before else min(mentions, key=lambda m: m.cue_start)
        owner.casualties.append(c)


_DATELINE = prefilter.compile(
    r"^\s*(?:date\s+\d{4}-\d{2}-\d{2}\s+)?(?:[A-Z][A-Za-z.'-]+(?:\s+[A-Z][A-Za-z.'-]+){0,3})(?:\s*\[[^\]]{1,30}\])?(?:,\s*[A-Z][\w .'-]{1,40}?)?"
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([\w .&/-]{1,40}\))?\s*(?:--|-|:)\s"
)
#: a line that is only a date and time stamp ("3 Dec, 2019 17:24", "June 23, 2025 08:07 PM GMT+03:00", "date 2019-12-03")
_TIMESTAMP = prefilter.compile(
    r"(?:date\s+)?(?:\d{4}-\d{2}-\d{2}|(?:\d{1,2}\s+)?[A-Z][a-z]{2,8}\.?,?\s+\d{1,2}(?:,?\s+\d{4})?|\d{1,2}/\d{1,2}/\d{2,4}|[A-Z][a-z]+,\s+[A-Z][a-z]+\s+\d{1,2},\s+\d{4})"
    r"(?:,?\s+\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:[A-Z]{2,4})?\s*[+-]?\d{0,2}:?\d{0,2})?)?"
)
#: "said on Monday", "told reporters Tuesday": the day of the statement, not of the event
_SPEECH_AFTER = prefilter.compile(
    r"^\s*,?\s*(?:said|says|saying|accused|announced|told|warned|added|stated|claimed|confirmed|denied|blamed|vowed|urged|called|dismissed|rejected|rebuffed|"
    r"denounced|condemned|pledged|insisted|tweeted|wrote)\b",
    re.I,
)
#: "On Sunday, Israeli Prime Minister Naftali Bennett stated ...": a clause that opens with the day and a speaker
_SPEAKER_AFTER = prefilter.compile(r"^\s*,\s*(?:the\s+)?(?:[A-Z][\w.'’-]*\s+|(?:of|for|and)\s+){1,7}(?:said|says|stated|told|announced|added|confirmed|insisted|wrote|tweeted|warned|pledged|vowed|promised|condemned|blamed|accused|denied|urged|described)\b")
_SPEECH_DATE = prefilter.compile(r"\b(?:said|says|told\s+[\w\s]{1,20}?|announced|stated|added|reported|confirmed|tweeted|wrote|warned|claimed|insisted|briefing|(?:issued|released|published|posted)\s+(?:a|an|its|their)\s+(?:\w+\s+)?(?:statement|video|message))"
    r"(?:\s+(?:on|in|via)\s+(?:Twitter|X|Telegram|Facebook|Instagram|(?:state\s+)?(?:television|TV|radio)|an?\s+(?:\w+\s+)?(?:statement|interview|post|tweet)))?"
    r"\s+(?:on\s+|late\s+|early\s+|late\s+on\s+|earlier\s+)?$", re.I)


#: a clock time in US time just before or after a date: "11:30 p.m. EST on Tuesday", "Tuesday at 8 p.m. ET"
_US_TIME = prefilter.compile(r"\b(?:E[SD]?T|ET|C[SD]T|P[SD]T|Eastern(?:\s+(?:Standard|Daylight))?(?:\s+Time)?|Washington\s+time)\b")
#: "(local time)", "Sanaa time", "0430 GMT", "UTC"
_LOCAL_TIME = prefilter.compile(r"\blocal(?:\s+time)?\b|\b[A-Z][a-z]+\s+time\b|\b(?:GMT|UTC)\b")


def _local_over_us_time(ctx: SentenceContext) -> list[DateMention]:
    """One moment told in two clocks ("11:30 p.m. EST on Tuesday (0430 GMT Wednesday)"): the day where it happened, not Washington's."""
    if len(ctx.dates) < 2 or not _US_TIME.search(ctx.text):
        return ctx.dates
    marks = sorted([(m.start(), m.end(), "us") for m in _US_TIME.finditer(ctx.text)] + [(m.start(), m.end(), "local") for m in _LOCAL_TIME.finditer(ctx.text)])

    def clock(d: DateMention) -> str | None:  # the clock of the time-zone word nearest the date, if one is close
        gap, kind = min(((max(s - d.end, d.start - e, 0), k) for s, e, k in marks), default=(99, None))
        return kind if gap <= 25 else None

    us = [d for d in ctx.dates if clock(d) == "us"]
    local = [d for d in ctx.dates if clock(d) == "local"]
    if us and local and all(abs((u.date - lo.date).days) <= 1 for u in us for lo in local):
        return [d for d in ctx.dates if d not in us]
    return ctx.dates


def dateline_end(ctx: SentenceContext) -> int:
    """Offset where a wire dateline ("NIAMEY, Niger --", "Baghdad [Iraq], Dec 4 (ANI):") ends in a story's opening sentences, else 0."""
    if ctx.index > 6:
        return 0
    m = _DATELINE.match(ctx.text) or _CAPS_DATELINE.match(ctx.text)
    if m is None or len(m.group(0)) > 80:
        return 0
    return m.end()


#: "WASHINGTON (Agency - 1st August, 2021) The ...", "NOUAKCHOTT--The ...": a city in capitals, then a filing note in brackets or a dash
_CAPS_DATELINE = prefilter.compile(r"^\s*[A-Z]{3,}(?:[ ,-]+[A-Z]{2,}){0,3}\s*(?:\([^()]{2,70}\)\s+|[-\u2013\u2014]+\s*)(?=[A-Z])")
#: How many sentences around an event's own sentences its place may be looked for in.
PLACE_WINDOW = 1
#: Sentences at the top of a document (title, lead) whose places stand for the whole story.
LEAD_SENTENCES = 4


_AS_SUBJECT = prefilter.compile(
    r"-(?:based|flagged|owned|registered|operated|linked|backed|aligned|allied|born|headquartered|bound)\b"
    r"|\s+(?:has\s+|have\s+|had\s+|also\s+|later\s+|quickly\s+|then\s+|again\s+)*(?:said|says|believes?|believed|denied|denies|accused|accuses|blamed|blames|warned|warns|insisted|confirmed|claimed|claims|"
    r"rejected|rejects|responded|responds|announced|vowed|vows|threatened|threatens|wants|condemned|condemns|summoned|urged|called|dismissed|retaliated|promised"
    r"|(?:is|was|are|were)\s+(?:confident|convinced|certain|sure|satisfied))\b",
    re.I,
)
_SHIPPING_LANE = prefilter.compile(r"\s+(?:trade|shipping|sea|maritime)\s+(?:routes?|lanes?|corridors?)\b|\s+(?:routes?|waterway|corridor)\b", re.I)
_MEDIA_NAME = prefilter.compile(r"\s+(?:News(?:\s+Agency)?|Times|Post|Herald|Tribune|Radio|TV|Television|Press(?:\s+Agency)?|Gazette|Journal|Observer|Chronicle|Broadcasting)\b")
_DIRECTION_OF = prefilter.compile(r"\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)\s+of\s+(?:the\s+)?$", re.I)
_BASED_IN = prefilter.compile(r"\b(?:forces|fighters|rebels|militants|militias?|groups?|Houthis|movement|proxies|allies|government|regime|leaders?|officials?)\s+(?:based\s+)?in\s+(?:the\s+)?$", re.I)
_ORIGIN = prefilter.compile(r"\b(?:from|by|against|with|to)\s+(?:the\s+)?$", re.I)


def _not_where(lex: Lexicon, ctx: SentenceContext, p) -> bool:  # type: ignore[no-untyped-def]
    """A place name that does not say where something happened: "Iraq's parliament", "the US and Iran", "missiles from Iran", Al Mayadeen TV."""
    if re.match(r"'s\b", ctx.text[p.end : p.end + 2]) or _AS_SUBJECT.match(ctx.text[p.end : p.end + 40]):
        return True  # "Iraq's parliament"; "London believes", "Tehran denied", "a London-based firm", "a Liberian-flagged ship"
    if any(o.start <= p.start and p.end <= o.end for o in (*ctx.outlets, *ctx.speakers)):
        return True
    if _SHIPPING_LANE.match(ctx.text[p.end : p.end + 40]):
        return True  # "the key Red Sea trade route": the traffic's way, not where a ship was hit ("while transiting the Gulf of Aden" is)
    if re.match(r"\s+time\b", ctx.text[p.end : p.end + 8]):
        return True  # "11:30 a.m. (Sanaa time)": a clock, not where
    if _MEDIA_NAME.match(ctx.text[p.end : p.end + 30]):
        return True  # "the Nouakchott News Agency", "the Tehran Times": a medium's name, even one the knowledge base does not list
    entry = lex.kb.places[p.key]
    if entry.case_sensitive and re.fullmatch(r"[\s\"'(\[-]*", ctx.text[: p.start]):
        return True  # "More than 30 rockets": a capital at the start of a sentence is no sign of a place name
    if entry.case_sensitive and ctx.headline and not re.search(r"\b(?:in|at|near|on|outside|off)\s+$", ctx.text[max(0, p.start - 8) : p.start], re.I):
        return True  # "Destroyer Shot Down": in a title-case headline a capitalised word is no sign of a place name
    kind = entry.kind
    as_actor = any(a.start <= p.start and p.end <= a.end for a in ctx.actors)
    before = ctx.text[max(0, p.start - 30) : p.start]
    if kind == "country" and (re.match(r"(?:-[A-Z][\w-]*)?\s+border\b", ctx.text[p.end : p.end + 30]) or re.search(r"\bborder\s+with\s+(?:the\s+)?$", before, re.I)):
        return True  # "near the Mali-Niger border", "on the border with Syria": beside the country, not in it
    if kind not in {"country", "sea"} and _DIRECTION_OF.search(before):
        return True  # "north of Niamey", "50 km south of Baghdad": a bearing from the place, not the place
    leaving = re.search(r"\b(?:withdraw\w*|pull(?:ed|ing|s)?\s+out|exit\w*|leav\w+|expel\w*|out)\s+(?:[\w-]+\s+){0,4}?from\s+(?:the\s+)?$", ctx.text[max(0, p.start - 60) : p.start], re.I)
    if kind == "country" and not leaving and (_ORIGIN.search(before) or _BASED_IN.search(before)):
        return True  # "missiles from Iran", "Houthi forces in Yemen": where the attackers are, not where it happened
    if re.search(r"\bbetween\s+(?:[\w'-]+\s+){0,3}$|\bbetween\s+[^,.;]{1,40}\s+and\s+$", ctx.text[max(0, p.start - 60) : p.start], re.I):
        return True  # "air corridors between Dubai and Muscat": a route, not where it happened
    if any(a.start <= p.start and p.end <= a.end and (a.end - a.start) > (p.end - p.start) for a in ctx.actors):
        return True  # "the Islamic Resistance in Iraq", "al-Qaeda in the Islamic Maghreb": part of a longer group name
    # "Baghdad, Iraq": a country after a comma is where the place before it is; "Israel, the US and the UK" is a list of parties
    after_place = re.search(r",\s*$", before) is not None and any(q.end <= p.start and re.fullmatch(r",\s*", ctx.text[q.end : p.start]) for q in ctx.places)
    return (as_actor or kind == "country") and not (_LOCATIVE.search(before) or after_place)


def locative_places(lex: Lexicon, ctx: SentenceContext) -> list:
    """Places a sentence names as where something is or happened (not "Iran's", not "the US and Iran", not a dateline)."""
    out = []
    dateline = dateline_end(ctx)
    for p in ctx.places:
        if p.start < dateline:
            continue
        if _not_where(lex, ctx, p):
            continue
        out.append(p)
    return out


def fill_action_dates(lex: Lexicon, clusters: list["Cluster"]) -> None:
    """An undated action takes the date of the story's one dated action of the same family and actor.

    "US forces struck Kataib Hezbollah on Sunday ... the strikes hit five
    sites": the later sentences name the same strikes without a date.
    """
    for c in clusters:
        if c.is_incident or c.date is not None:
            continue
        dates = {o.date.date: o.date for o in clusters if o is not c and not o.is_incident and o.date is not None
                 and _family(o.kind) == _family(c.kind) and (c.actor is None or o.actor is None or o.actor == c.actor)
                 and bool(o.persons) == bool(c.persons) and (not c.persons or c.persons & o.persons)
                 and o.target_actor is not None and c.target_actor is not None and targets_compatible(lex, o.target_actor, c.target_actor)}
        if len(dates) == 1:
            c.date = next(iter(dates.values()))


def fill_places(lex: Lexicon, clusters: list["Cluster"], contexts: list[SentenceContext]) -> None:
    """Give a place to events whose own sentences name none: from neighbouring sentences, else from the lead.

    News names the place once ("attacked a base in Kenya") and then says "the
    attack" for sentences on end; without this, most events of a story have no place.
    """
    by_index = {c.index: c for c in contexts}
    lead: list = []
    for ctx in contexts[:LEAD_SENTENCES]:
        lead.extend(locative_places(lex, ctx))
    for c in clusters:
        if c.place is not None or not c.is_incident:
            continue
        indices = sorted({m.ctx.index for m in c.mentions})
        near: list = []
        for i in indices:
            for j in range(i - PLACE_WINDOW, i + PLACE_WINDOW + 1):
                ctx = by_index.get(j)
                if ctx is not None:
                    near.extend(locative_places(lex, ctx))
        for pool in (near, lead):
            if pool:
                best = choose_place(lex, pool, [])
                if best:
                    c.place = to_place(lex, best)
                    break


def _distance(m: EventMention, s: int, e: int) -> int:
    if e <= m.cue_start:
        return m.cue_start - e
    if s >= m.cue_end:
        return s - m.cue_end
    return 0


def _prec_rank(d: DateMention) -> int:
    return {"day": 3, "month": 2, "year": 1}.get(d.precision or "", 0)


def link_causes(ctx: SentenceContext, mentions: list[EventMention], previous_incident: EventMention | None) -> None:
    """Record "A caused B" links between the mentions of one sentence."""
    if not mentions or (len(mentions) < 2 and not any(m.kind == "other" for m in mentions)):
        return
    for m in _FORWARD.finditer(ctx.text):
        left = [x for x in mentions if x.cue_end <= m.start()]
        right = [x for x in mentions if x.cue_start >= m.end()]
        if left and right:
            cause, effect = max(left, key=lambda x: x.cue_end), min(right, key=lambda x: x.cue_start)
            _add_cause(effect, cause)
    for m in _BACKWARD.finditer(ctx.text):
        left = [x for x in mentions if x.cue_start <= m.start()]
        right = [x for x in mentions if x.cue_start >= m.end()]
        if m.group(0).lower().startswith("retaliat"):
            effect = next((x for x in mentions if x.cue_start == m.start()), None)
            cause = max((x for x in mentions if x.is_incident and x.cue_end <= m.start()), key=lambda x: x.cue_end, default=None) or previous_incident
            if effect is not None and cause is not None:
                _add_cause(effect, cause)
            continue
        if left and right:
            effect, cause = max(left, key=lambda x: x.cue_start), min(right, key=lambda x: x.cue_start)
            _add_cause(effect, cause)


def _add_cause(effect: EventMention, cause: EventMention) -> None:
    if effect is not cause and not effect.is_incident and cause not in effect.caused_by:
        effect.caused_by.append(cause)


# -- clustering -------------------------------------------------------------


@dataclass
class Cluster:
    """One event of the document, built up from its mentions."""

    kind: str
    mentions: list[EventMention] = field(default_factory=list)
    date: DateMention | None = None
    place: Place | None = None
    weapon: str | None = None
    attack_type: str | None = None
    actor: str | None = None
    target: str | None = None
    target_actor: str | None = None
    persons: set[str] = field(default_factory=set)
    person_names: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    last_seen: int = 0
    weapon_votes: dict[str, int] = field(default_factory=dict)

    @property
    def is_incident(self) -> bool:
        return self.kind == "incident"


#: a statement-day date ("said on Sunday") fits an event dated up to this many days before it
REPORTED_WITHIN_DAYS = 7


def dates_compatible(a: DateMention | None, b: DateMention | None, day_slack: int = 1) -> bool:
    """Same day (within ``day_slack``), or same month/year at the coarser precision.

    A statement-day date (``weak``) against an event date: the event was on that
    day or up to :data:`REPORTED_WITHIN_DAYS` before it.
    """
    if a is None or b is None:
        return True
    if (a.weak or b.weak) and a.precision == b.precision == "day":
        if a.weak and b.weak:  # two days it was talked about: the event was before both
            return abs((a.date - b.date).days) <= REPORTED_WITHIN_DAYS
        said, when = (a, b) if a.weak else (b, a)
        return -day_slack <= (said.date - when.date).days <= REPORTED_WITHIN_DAYS
    return date_values_compatible(a.date, a.precision, b.date, b.precision, day_slack)


def date_values_compatible(a: dt.date, pa: str | None, b: dt.date, pb: str | None, day_slack: int = 1) -> bool:
    """Date compatibility on plain values; precision None means "about a week"."""
    ranks = {"day": 3, "month": 2, "year": 1, None: 2}
    coarse = min(ranks[pa], ranks[pb])
    if pa is None or pb is None:
        about, other, po = (a, b, pb) if pa is None else (b, a, pa)
        if po == "month":  # "about a week" against a month: the week reaches into that month
            first = other.replace(day=1)
            nxt = (first + dt.timedelta(days=32)).replace(day=1)
            return first - dt.timedelta(days=8) <= about < nxt + dt.timedelta(days=8)
        if po == "year":
            return abs(about.year - other.year) <= (1 if about.month in {1, 12} else 0)
        return abs((a - b).days) <= 8
    if coarse == 3:
        return abs((a - b).days) <= day_slack
    if coarse == 2:
        return (a.year, a.month) == (b.year, b.month)
    return a.year == b.year


def _family(kind: str) -> str:
    return "strike" if kind in STRIKE_FAMILY else kind


def _fits(lex: Lexicon, c: Cluster, m: EventMention) -> bool:
    if c.is_incident != m.is_incident:
        return False
    if not m.is_incident and _family(c.kind) != _family(m.kind):
        return False
    if not dates_compatible(c.date, m.date):
        return False
    place = to_place(lex, m.place_id) if m.place_id else None
    if not compatible(lex, c.place, place) and not any(compatible(lex, c.place, to_place(lex, alt)) for alt in m.alt_place_ids):
        return False
    if m.is_incident:
        if not lex.types_compatible(c.attack_type, m.attack_type):
            # one story calls one salvo "rockets", "missiles" and "drones": on the same day at the same place it is one event
            same_day = c.date is not None and m.date is not None and abs((c.date.date - m.date.date).days) <= 1
            return bool(same_day or (c.place is not None and place is not None and c.place.gazetteer_id == place.gazetteer_id and lex.kb.places.get(place.gazetteer_id or "") is not None and lex.kb.places[place.gazetteer_id or ""].kind not in {"country"}))
        return True
    if c.actor and m.actor and c.actor != m.actor:
        return False
    mine = {person_key(p) for p in m.persons}
    if m.anaphoric and m.kind == "assassination":
        return True  # "... was also killed": another victim of the strike just told
    if c.persons or mine:
        if c.persons and mine:
            return bool(c.persons & mine)
        return m.kind == "strike-ref"
    return targets_compatible(lex, c.target_actor, m.target_actor)


def targets_compatible(lex: Lexicon, a: str | None, b: str | None) -> bool:
    """Two struck groups that may be one: the same, unknown, or a group and a category label that covers it."""
    if a is None or b is None or a == b:
        return True
    ka, kb_ = lex.kb.actors.get(a), lex.kb.actors.get(b)
    for part, whole in ((ka, b), (kb_, a)):  # a front, branch or organ and what it belongs to
        if part is not None and whole in {part.part_of, part.front_for, part.branch_of}:
            return True
    if ka is not None and kb_ is not None and ka.kind == kb_.kind == "state-organ" and ka.part_of and ka.part_of == kb_.part_of:
        return True  # "the IRGC" and "the Quds Force": organs of one state struck in one operation
    for cat, other in ((a, b), (b, a)):
        actor = lex.kb.actors.get(cat)
        if actor is not None and actor.kind == "category" and (not actor.members or other in actor.members):
            return True
    return False


def cluster(lex: Lexicon, mentions: list[EventMention]) -> list[Cluster]:
    """Group a document's mentions (in reading order) into events.

    Anaphoric mentions ("the incident", "the strike") only join an event
    already named; they never start one.
    """
    clusters: list[Cluster] = []
    for i, m in enumerate(mentions):
        fitting = [c for c in clusters if _fits(lex, c, m)]
        if (m.kind == "strike-ref" or m.anaphoric) and not fitting:
            continue
        if fitting:
            c = max(fitting, key=lambda c: c.last_seen)
        else:
            c = Cluster(kind=m.kind)
            clusters.append(c)
        _absorb(lex, c, m)
        c.last_seen = i
        m.cluster = clusters.index(c)
    return clusters


_KIND_RANK = {"drone-strike": 4, "airstrike": 3, "assassination": 2, "other": 1, "strike-ref": 0}


def _absorb(lex: Lexicon, c: Cluster, m: EventMention) -> None:
    c.mentions.append(m)
    if _KIND_RANK.get(m.kind, -1) > _KIND_RANK.get(c.kind, -1):
        c.kind = m.kind
    if m.date is not None and (c.date is None or (c.date.weak and not m.date.weak and m.date.date <= c.date.date) or (c.date.weak == m.date.weak and _prec_rank(m.date) > _prec_rank(c.date))
                                               or (c.date.weak and m.date.weak and m.date.date < c.date.date)):
        c.date = m.date  # the event's own day beats the day it was talked about (never a day after it)
    if m.place_id:
        mine = to_place(lex, m.place_id)
        if compatible(lex, c.place, mine):
            c.place = more_specific(lex, c.place, mine)
    if m.weapon:
        c.weapon_votes[m.weapon] = c.weapon_votes.get(m.weapon, 0) + 1
        # the specific weapon the story names most often (first named on a tie); a generic word only when nothing else is named
        # in a shootdown the other aircraft named (the drone, the plane) are what was hit, so its weapon decides
        best = max(c.weapon_votes, key=lambda w: (lex.kb.weapons[w].attack_type == "shootdown", not lex.kb.weapons[w].generic, c.weapon_votes[w], -list(c.weapon_votes).index(w)))
        if best != c.weapon:
            c.weapon, c.attack_type = best, lex.kb.weapons[best].attack_type
    c.attack_type = c.attack_type or m.attack_type
    c.actor = c.actor or m.actor
    specific = lambda k: k is not None and lex.kb.actors[k].kind != "category"  # noqa: E731
    if m.target_actor and (c.target_actor is None or (not specific(c.target_actor) and specific(m.target_actor))):
        c.target_actor, c.target = m.target_actor, m.target or c.target  # a named group beats the label "an Iran-aligned militia"
    c.target = c.target or m.target
    for p in m.persons:
        if person_key(p) not in c.persons:
            c.persons.add(person_key(p))
            c.person_names.append(p)
        else:
            for j, known in enumerate(c.person_names):
                if person_key(known) == person_key(p) and len(p) > len(known):
                    c.person_names[j] = p
    for detail in (m.detail or "").split("; "):
        if detail and detail not in c.details:
            c.details.append(detail)


def merge_casualties(items: list[Casualty]) -> tuple[Casualty, ...]:
    """One entry per (status, nationality, category): repeated reports of the same harm are not added up."""
    best: dict[tuple[str, str | None, str | None], Casualty] = {}
    for c in items:
        key = (c.status, c.nationality, c.category)
        old = best.get(key)
        if old is None or c.count > old.count or (c.count == old.count and old.approximate and not c.approximate):
            best[key] = c
    return tuple(best[k] for k in sorted(best, key=lambda k: (k[0], k[1] or "", k[2] or "")))


def cluster_casualties(lex: Lexicon, c: Cluster) -> tuple[Casualty, ...]:
    """A cluster's casualties; "25 of its fighters" gets the nationality of the target actor."""
    items = []
    for m in c.mentions:
        for cm in m.casualties:
            cas = cm.casualty
            if cm.possessive and cas.nationality is None and c.target_actor:
                country = lex.kb.actors[c.target_actor].country
                cas = cas.model_copy(update={"nationality": country})
            items.append(cas)
    return merge_casualties(items)


def evidence(c: Cluster) -> tuple[Span, ...]:
    """One evidence span per sentence that mentions the event, in order."""
    seen: set[int] = set()
    out = []
    for m in c.mentions:
        if m.ctx.index not in seen:
            seen.add(m.ctx.index)
            out.append(m.ctx.span())
    return tuple(out)
