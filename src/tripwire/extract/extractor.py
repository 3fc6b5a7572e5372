"""The extraction pipeline for one document: sentences -> mentions -> events -> model objects.

:func:`extract` and :func:`extract_text` are deterministic and never raise on
text (any string is a valid article); every :class:`~tripwire.model.Span` they
return satisfies ``span.text == document_text[span.start:span.end]``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import Any

from . import prefilter
from ..knowledge import KnowledgeBase
from ..model import (
    Action, AttributionKind, AttributionStatement, CasualtyReport, Document, Extraction, Incident, ProvisionalActor, RedLineStatement, Source,
    content_hash, without_nul,
)
from .actions import STRIKE_FAMILY, EventMention, find_action_mentions, find_incident_mention
from .affiliates import resolve_affiliates
from .anaphora import resolve_group_references
from .context import SentenceContext, analyse
from .events import Cluster, cluster, cluster_casualties, evidence, fill, fill_action_dates, fill_places, link_causes
from .lexicon import Lexicon, lexicon_for
from .redline_statements import find_redlines
from .sentences import fold, split_sentences
from .sources import SourceMemory, trailing_source, update_memory
from .statements import _group_voice, find_statements

EXTRACTOR_VERSION = "1"
_PARAGRAPH = prefilter.compile(r"\n")


def extract(document: Document, kb: KnowledgeBase) -> Extraction:
    """Everything Tripwire can read out of one stored document."""
    published = document.published.date() if document.published else None
    return _extract(document.text, document.id, published, kb, document.outlet, document.title)


def extract_text(text: str, *, kb: KnowledgeBase, published: dt.date | None = None, document_id: str | None = None) -> Extraction:
    """Extract from raw text; ``document_id`` defaults to the content hash of ``text``.

    NULs are dropped first (the rule every model applies, ``model.without_nul``), so
    evidence offsets and texts refer to the text as a stored document would hold it.
    """
    if isinstance(published, dt.datetime):
        published = published.date()
    return _extract(without_nul(text), document_id or content_hash(text), published, kb, None)


def slug(text: str) -> str:
    """Lower-case, hyphenated ASCII form of ``text`` for readable ids."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60].strip("-") or "x"


def date_key(date: dt.date | None, precision: str | None) -> str:
    """The date part of an id: 2019-12-27, 2019-12 or 2019 by precision; ``undated`` when unknown."""
    if date is None:
        return "undated"
    if precision == "month":
        return date.strftime("%Y-%m")
    if precision == "year":
        return str(date.year)
    return date.isoformat()


def incident_slug(incident: Incident) -> str:
    """Readable id of an incident: ``2019-12-27-k1-air-base-rocket-attack``."""
    place = incident.place.gazetteer_id or slug(incident.place.name) if incident.place else "unknown-place"
    return f"{date_key(incident.date, incident.date_precision)}-{place}-{slug(incident.attack_type or 'attack')}"


def action_slug(action: Action) -> str:
    """Readable id of an action: ``2019-12-29-airstrike-kataib-hezbollah``."""
    what = action.target or action.actor or (action.place.gazetteer_id if action.place else None) or "unspecified"
    return f"{date_key(action.date, action.date_precision)}-{action.kind}-{slug(what)}"


def _extract(text: str, doc_id: str, published: dt.date | None, kb: KnowledgeBase, outlet: str | None, title: str | None = None) -> Extraction:
    lex = lexicon_for(kb)
    folded = fold(text)
    breaks = [m.start() for m in _PARAGRAPH.finditer(folded)]
    author = _author_source(lex, outlet)
    mem = SourceMemory()
    mentions: list[EventMention] = []
    statements: list[tuple[AttributionStatement, EventMention]] = []
    redlines: list[RedLineStatement] = []
    last_incident: EventMention | None = None
    recent: list[EventMention] = []
    pending: list[AttributionStatement] = []
    last_strike: EventMention | None = None
    quoted_open: list[tuple[int, AttributionStatement]] = []
    redlines_open: list[tuple[int, int]] = []
    provisional: dict[str, str] = {}
    contexts = [analyse(lex, s, text[s.start : s.end], bisect.bisect(breaks, s.start), doc_id, published) for s in split_sentences(folded)]
    resolve_affiliates(lex, contexts)  # "the Islamic State's affiliate": the branch the whole story points to
    resolve_group_references(lex, contexts)  # "the group's spokesman denied": the group named just before
    for ctx in contexts:
        claimed_harm = _claimed_harm(ctx, lex)
        if claimed_harm is not None:  # "al-Shabab said the raid caused severe casualties": the group's claim, not a count
            ctx.casualties = [c for c in ctx.casualties if c.start < claimed_harm]
        actions = find_action_mentions(ctx, lex)
        incident = find_incident_mention(ctx, lex, actions)
        here = sorted([*actions, *([incident] if incident else [])], key=lambda m: m.cue_start)
        fill(ctx, here, lex)
        link_causes(ctx, here, last_incident)
        if not here and ctx.casualties and not re.search(r"\b(?:if|would|could|unless)\b", ctx.text, re.I):
            target = next((m for m in reversed(recent) if m.is_incident and ctx.index - m.ctx.index <= 2), None)
            if target is not None:
                target.casualties.extend(ctx.casualties)
        if quoted_open:
            _close_quote(ctx, lex, mem, statements, quoted_open)
        for found in find_statements(ctx, lex, mem, author):
            if found.actor_name:
                provisional.setdefault(found.statement.actor, found.actor_name)
            if not (found.statement.asserted_by.speaker or found.statement.asserted_by.role) and ctx.text.lstrip().startswith('"'):
                quoted_open.append((ctx.index, found.statement))  # a quote whose speaker is named when it closes
            owner = incident or last_incident
            if owner is not None:
                statements.append((found.statement, owner))
            else:
                pending.append(found.statement)  # said before the attack is first named: it goes to the first one
        if redlines_open:
            _close_redline_quote(ctx, lex, mem, redlines, redlines_open)
        for rl in find_redlines(ctx, lex, mem, published):
            if not (rl.speaker.speaker or rl.speaker.role) and (ctx.text.lstrip().startswith('"') or ctx.text.count('"') % 2):
                redlines_open.append((ctx.index, len(redlines)))
            redlines.append(rl)
        update_memory(ctx, lex, mem)
        if not here and last_strike is not None and ctx.index - last_strike.ctx.index <= 2:
            _name_targets(lex, ctx, last_strike)
        mentions.extend(here)
        recent.extend(here)
        last_strike = next((m for m in reversed(here) if m.kind in STRIKE_FAMILY), last_strike)
        if incident is not None:
            last_incident = incident
            statements.extend((st, incident) for st in pending)
            pending.clear()
    clusters = cluster(lex, mentions)
    fill_places(lex, clusters, contexts)
    fill_action_dates(lex, clusters)
    extraction = _build(lex, doc_id, published, clusters, statements, redlines, author)
    named = {st.actor for i in extraction.incidents for st in i.attributions}
    kept = tuple(ProvisionalActor(id=pid, name=name, documents=(doc_id,)) for pid, name in provisional.items() if pid in named)
    return extraction.model_copy(update={"provisional_actors": kept}) if kept else extraction


_USED_BY = prefilter.compile(r"\b(?:used\s+by|belonging\s+to|operated\s+by|run\s+by|controlled\s+by|including|such\s+as|home\s+to)\b", re.I)


_GROUP_SAYS = prefilter.compile(r"\b(?:said|says|claimed|claims|claiming|boasted|announced|declared|stated)\b", re.I)


def _claimed_harm(ctx: SentenceContext, lex: Lexicon) -> int | None:
    """Offset after which an armed group reports harm it says it caused, if the sentence has one."""
    if not ctx.casualties:
        return None
    for v in _GROUP_SAYS.finditer(ctx.text):
        if _group_voice(ctx, lex, max(0, v.start() - 70), v.start()) is not None:
            return v.end()
    return None


def _quote_closer(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, waiting: list[tuple[int, Any]]) -> Source | None:
    """The speaker named where a quote closes ("...," the US official said), for what was said in it up to two sentences before.

    Drops the waiting entries older than two sentences; returns None while the quote has not closed on a named source.
    """
    waiting[:] = [(i, x) for i, x in waiting if ctx.index - i <= 2]
    if not waiting or '"' not in ctx.text:
        return None
    return trailing_source(ctx, lex, mem)


def _close_quote(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, statements: list, quoted_open: list) -> None:  # type: ignore[type-arg]
    """ "I can confirm ... from Iran. There are no reports of casualties," the US official said: the speaker named at the close of a quote said it all."""
    src = _quote_closer(ctx, lex, mem, quoted_open)
    if src is None:
        return
    waiting = {id(st) for _, st in quoted_open}
    for n, (st, owner) in enumerate(statements):
        if id(st) in waiting:
            statements[n] = (st.model_copy(update={"asserted_by": src}), owner)
    quoted_open.clear()


def _close_redline_quote(ctx: SentenceContext, lex: Lexicon, mem: SourceMemory, redlines: list[RedLineStatement], waiting: list[tuple[int, int]]) -> None:
    """A threat quoted without its speaker takes the speaker named where the quote closes (within two sentences)."""
    src = _quote_closer(ctx, lex, mem, waiting)
    if src is None or not (src.speaker or src.role):
        return
    for _i, n in waiting:
        redlines[n] = redlines[n].model_copy(update={"speaker": src})
    waiting.clear()


def _name_targets(lex: Lexicon, ctx: SentenceContext, strike: EventMention) -> None:
    """ "The facilities were used by X and Y": the groups a strike named only as "militias" or "facilities"."""
    if strike.target_actor is not None and lex.kb.actors[strike.target_actor].kind != "category":
        return
    cue = _USED_BY.search(ctx.text)
    if cue is None:
        return
    groups = [a for a in ctx.actors if a.start >= cue.end() and lex.kb.actors[a.key].kind in {"militia", "front", "insurgent", "state-organ"}]
    if groups:
        names = list(dict.fromkeys(lex.kb.actors[g.key].name for g in groups))
        strike.target_actor, strike.target = groups[0].key, " and ".join(names)


def _author_source(lex: Lexicon, outlet: str | None) -> Source:
    if not outlet:
        return Source()
    oid = lex.kb.resolve_outlet(outlet)
    return Source(outlet=lex.kb.outlets[oid].name if oid else outlet, outlet_id=oid)


def _build(
    lex: Lexicon,
    doc_id: str,
    published: dt.date | None,
    clusters: list[Cluster],
    statements: list[tuple[AttributionStatement, EventMention]],
    redlines: list[RedLineStatement],
    author: Source | None = None,
) -> Extraction:
    author = author or Source()
    suffix = doc_id[:8]
    ids: dict[int, str] = {}
    incidents: dict[int, Incident] = {}
    per_cluster: dict[int, list[AttributionStatement]] = {}
    for stmt, mention in statements:
        if mention.cluster >= 0:
            per_cluster.setdefault(mention.cluster, []).append(stmt)
    # implicit allegations: a state striking an armed group in response to an attack
    for ci, c in enumerate(clusters):
        if c.is_incident or c.kind not in STRIKE_FAMILY or not c.target_actor or not c.actor:
            continue
        if lex.kb.actors[c.actor].kind not in {"state", "state-organ"} or lex.kb.actors[c.target_actor].kind == "state":
            continue
        state = lex.kb.actors[c.actor]
        for m in c.mentions:
            for cause in m.caused_by:
                if cause.is_incident and cause.cluster >= 0:
                    per_cluster.setdefault(cause.cluster, []).append(
                        AttributionStatement(
                            actor=c.target_actor,
                            kind=AttributionKind.ALLEGED,
                            asserted_by=Source(speaker=state.name, speaker_id=lex.government_speaker.get(state.country or "")),
                            evidence=m.ctx.span(),
                        )
                    )
    has_dated = any(c.is_incident and c.date is not None for c in clusters)
    for ci, c in enumerate(clusters):
        if not c.is_incident:
            continue
        stmts = _resolve_disputed(per_cluster.get(ci, []))
        casualties = cluster_casualties(lex, c)
        if not (c.date or c.place or casualties or stmts or c.target):
            continue
        if c.date is None and not casualties and not stmts and (has_dated or c.place is None or (c.place.gazetteer_id in lex.kb.places and lex.kb.places[c.place.gazetteer_id or ""].kind == "country")):
            continue  # an undated mention with nothing said about it, beside the story's dated attack: background, not an event
        inc = Incident(
            id="pending",
            date=c.date.date if c.date else None,
            date_text=c.date.text if c.date else None,
            date_precision=c.date.precision if c.date else None,  # type: ignore[arg-type]
            place=c.place,
            attack_type=c.attack_type or "attack",
            weapon=c.weapon,
            target=c.target,
            casualties=casualties,
            casualty_reports=(CasualtyReport(document_id=doc_id, source=author, casualties=casualties, reliability=_reliability(lex, author)),) if casualties else (),
            attributions=stmts,
            documents=(doc_id,),
            evidence=evidence(c),
        )
        inc = inc.model_copy(update={"id": f"{incident_slug(inc)}-{suffix}", "summary": _incident_summary(inc)})
        ids[ci] = inc.id
        incidents[ci] = inc
    actions: dict[int, Action] = {}
    for ci, c in enumerate(clusters):
        if c.is_incident:
            continue
        act = Action(
            id="pending",
            kind=c.kind,
            actor=c.actor,
            target=" and ".join(c.person_names) if c.person_names else c.target,
            date=c.date.date if c.date else None,
            date_text=c.date.text if c.date else None,
            date_precision=c.date.precision if c.date else None,  # type: ignore[arg-type]
            place=c.place,
            casualties=cluster_casualties(lex, c),
            documents=(doc_id,),
            evidence=evidence(c),
        )
        act = act.model_copy(update={"id": f"{action_slug(act)}-{suffix}", "summary": _action_summary(lex, act, c)})
        ids[ci] = act.id
        actions[ci] = act
    for ci, act in list(actions.items()):
        causes: list[str] = []
        for m in clusters[ci].mentions:
            for cause in m.caused_by:
                cid = ids.get(cause.cluster)
                if cid and cid != act.id and cid not in causes:
                    causes.append(cid)
        actions[ci] = act.model_copy(update={"caused_by": tuple(causes)})
    return Extraction(
        document_id=doc_id,
        published=published,
        incidents=tuple(incidents[k] for k in sorted(incidents)),
        actions=tuple(actions[k] for k in sorted(actions)),
        redlines=tuple(redlines),
        extractor_version=EXTRACTOR_VERSION,
    )


def _reliability(lex: Lexicon, source: Source) -> float:
    """P(reports truly) of a document's outlet, from its Admiralty grade (0.5 when unknown)."""
    from ..knowledge.base import ADMIRALTY_RELIABILITY

    outlet = lex.kb.outlets.get(source.outlet_id or "")
    return ADMIRALTY_RELIABILITY[outlet.reliability] if outlet else ADMIRALTY_RELIABILITY["F"]


def _resolve_disputed(stmts: list[AttributionStatement]) -> tuple[AttributionStatement, ...]:
    """"No proof"-type disputes without a named actor dispute the latest allegation; exact repeats are folded."""
    out: list[AttributionStatement] = []
    last_alleged: str | None = None
    for st in sorted(stmts, key=lambda s: (s.evidence.start if s.evidence else 0, s.kind == AttributionKind.DISPUTED)):
        if st.kind in {AttributionKind.ALLEGED, AttributionKind.CLAIMED} and st.actor != "unknown":
            last_alleged = st.actor
        if st.kind == AttributionKind.DISPUTED and st.actor == "unknown" and last_alleged and {"no proof", "no evidence", "questioned"} & set(st.hedges):
            st = st.model_copy(update={"actor": last_alleged})
        key = st.model_dump(exclude={"evidence", "hedges"})
        dup = next((i for i, o in enumerate(out) if o.model_dump(exclude={"evidence", "hedges"}) == key), None)
        if dup is None:
            out.append(st)
        else:
            out[dup] = out[dup].model_copy(update={"hedges": tuple(dict.fromkeys((*out[dup].hedges, *st.hedges)))})
    return tuple(out)


def _incident_summary(inc: Incident) -> str:
    what = inc.attack_type or "attack"
    where = inc.target or (inc.place.name if inc.place else "an unknown place")
    when = f" ({inc.date_text})" if inc.date_text else ""
    harm = []
    for c in inc.casualties:
        if c.count:
            harm.append(f"{c.count} {' '.join(x for x in (c.nationality, c.category) if x) or 'people'} {c.status}")
    return f"{what.capitalize()} on {where}{when}" + (": " + ", ".join(harm) if harm else "")


def _action_summary(lex: Lexicon, act: Action, c: Cluster) -> str:
    who = lex.kb.actors[act.actor].name if act.actor else None
    parts = [act.kind.replace("-", " ")]
    if who:
        parts.append(f"by {who}")
    if act.target:
        parts.append(f"against {act.target}" if act.kind in STRIKE_FAMILY else f"({act.target})")
    if act.place:
        parts.append(f"at {act.place.name}")
    text = " ".join(parts)
    if c.details:
        text += "; " + "; ".join(c.details)
    return text[0].upper() + text[1:]


def parse_published(value: str | None) -> dt.date | None:
    """A ``YYYY-MM-DD`` publication date from the command line; :class:`~tripwire.errors.DateError` if impossible."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        from ..errors import DateError

        raise DateError(f"--published must be a real date as YYYY-MM-DD, got {value!r}") from None


def extract_file(path: str, *, kb: KnowledgeBase, published: dt.date | None = None) -> list[Extraction]:
    """Read an article or feed with :func:`tripwire.ingest.load_file` and extract every document in it.

    ``published`` overrides the publication date the file gives (relative dates resolve against it).
    """
    from ..ingest import load_file

    out = []
    for document in load_file(path):
        if published is not None:
            document = document.model_copy(update={"published": dt.datetime.combine(published, dt.time(), tzinfo=dt.timezone.utc)})
        out.append(extract(document, kb))
    return out
