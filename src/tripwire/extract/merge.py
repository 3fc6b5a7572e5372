"""Cross-document merging: one incident (or action) per real event, however many articles report it.

Two incidents are the same event when their dates agree (within a day when
both are known to the day; same month or year at coarser precision), their
places agree (the same place, one inside the other, or one is just the
country), and their attack types agree (or one is a generic "attack"). An
undated report joins the most recent compatible dated event on or before its
document's publication date, and only when it shares a place and the event is
recent (dated within :data:`UNDATED_REACH_DAYS` before the publication).

Merged incidents get stable readable ids (``2019-12-27-k1-air-base-rocket-attack``,
with ``-2``, ``-3`` on collisions in a deterministic order); documents,
evidence and attribution statements are unioned, and casualties keep the
largest count reported per (status, nationality, category), never the sum, so
two articles reporting the same death count it once. Actions merge the same
way (same kind family, actor and target), and their ``caused_by`` links are
rewritten to the merged ids. Red-line statements merge when the same speaker
states the same condition and consequence.

Imported dataset rows (ACLED, UCDP, GDELT incidents, passed as ``rows``) join
the article events they fit by the same rules, after the articles are merged:
a row joins the latest-dated event it fits and adds its document, casualty
figures and attribution statements; a row that fits no article event is left
out of the result (it stays on the board as its own imported incident). A row
never starts an event, so two rows of one dataset are never merged with each
other, and it joins only dated events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from ..knowledge import KnowledgeBase
from ..model import Action, Casualty, CasualtyReport, Extraction, Incident, Place, RedLineStatement, group_total
from .actions import STRIKE_FAMILY
from .date_index import DateIndex
from .events import date_values_compatible, merge_casualties
from .extractor import action_slug, incident_slug
from .lexicon import Lexicon, lexicon_for
from .places import compatible, more_specific

E = TypeVar("E", Incident, Action)


@dataclass(frozen=True)
class Merged:
    """Every event of a set of documents, one entry per real-world event."""

    incidents: tuple[Incident, ...]
    actions: tuple[Action, ...]
    redlines: tuple[RedLineStatement, ...]


_PREC = {"day": 3, "month": 2, "year": 1}


def _dates_ok(a_date: dt.date | None, a_prec: str | None, b_date: dt.date | None, b_prec: str | None) -> bool:
    if a_date is None or b_date is None:
        return True
    return date_values_compatible(a_date, a_prec, b_date, b_prec)


def _better_date(a: Incident | Action, b: Incident | Action) -> Incident | Action:
    if a.date is None:
        return b
    if b.date is None:
        return a
    return b if _PREC.get(b.date_precision or "", 0) > _PREC.get(a.date_precision or "", 0) else a


def _incident_fits(lex: Lexicon, group: Incident, item: Incident, published: dt.date | None) -> bool:
    if not compatible(lex, group.place, item.place):
        return False
    if not lex.types_compatible(group.attack_type, item.attack_type):
        # "rockets" in one report, "missiles" in another: the same day at the same (sub-country) place is the same attack,
        # and so is an undated report of the very same place
        both_dated = group.date is not None and item.date is not None and abs((group.date - item.date).days) <= 1
        same_place = group.place is not None and item.place is not None and group.place.gazetteer_id == item.place.gazetteer_id
        if not ((both_dated or same_place) and _below_country(lex, group.place) and _below_country(lex, item.place)):
            return False
    if item.date is None or group.date is None:
        if item.place is None or group.place is None:
            return False
        if item.date is None and published and group.date and group.date > published:
            return False
        return True
    return _dates_ok(group.date, group.date_precision, item.date, item.date_precision)


def _below_country(lex: Lexicon, place: Place | None) -> bool:
    entry = lex.kb.places.get(place.gazetteer_id or "") if place is not None else None
    return entry is not None and entry.kind != "country"


def _weapon(lex: Lexicon, a: str | None, b: str | None) -> str | None:
    """The more telling of two weapons: a specific one over a generic word ("rockets", "missiles")."""
    if a is None or b is None:
        return a or b
    ga = lex.kb.weapons[a].generic if a in lex.kb.weapons else True
    gb = lex.kb.weapons[b].generic if b in lex.kb.weapons else True
    return b if ga and not gb else a


def _attack_type(lex: Lexicon, a: Incident, b: Incident) -> str | None:
    weapon = _weapon(lex, a.weapon, b.weapon)
    if weapon is not None and weapon in lex.kb.weapons and weapon in {a.weapon, b.weapon}:
        return (a if weapon == a.weapon else b).attack_type
    return a.attack_type if a.attack_type not in {None, "attack"} else b.attack_type


def _combine_incidents(lex: Lexicon, a: Incident, b: Incident) -> Incident:
    dated = _better_date(a, b)
    attributions = list(a.attributions)
    for st in b.attributions:
        if st not in attributions:
            attributions.append(st)
    return a.model_copy(
        update={
            "date": dated.date,
            "date_text": dated.date_text,
            "date_precision": dated.date_precision,
            "place": more_specific(lex, a.place, b.place),
            "attack_type": _attack_type(lex, a, b),
            "weapon": _weapon(lex, a.weapon, b.weapon),
            "target": a.target or b.target,
            "casualties": report_consensus(_merge_reports(a.casualty_reports, b.casualty_reports)) or merge_casualties([*a.casualties, *b.casualties]),
            "casualty_reports": _merge_reports(a.casualty_reports, b.casualty_reports),
            "attributions": tuple(attributions),
            "documents": tuple(dict.fromkeys((*a.documents, *b.documents))),
            "evidence": tuple(dict.fromkeys((*a.evidence, *b.evidence))),
            "summary": a.summary or b.summary,
        }
    )


def _merge_reports(a: tuple[CasualtyReport, ...], b: tuple[CasualtyReport, ...]) -> tuple[CasualtyReport, ...]:
    """One report per document: two fragments of one document's event pool their figures."""
    out: dict[str, CasualtyReport] = {}
    for r in (*a, *b):
        old = out.get(r.document_id)
        out[r.document_id] = r if old is None else old.model_copy(update={"casualties": merge_casualties([*old.casualties, *r.casualties])})
    return tuple(out.values())


def report_consensus(reports: tuple[CasualtyReport, ...]) -> tuple[Casualty, ...]:
    """The incident's casualties from its documents' reports: per status and nationality, the figures of the report that counts most.

    Taking the largest report per (status, nationality), not the largest entry
    per category, keeps one victim described as "a security guard" in one
    article and "a crew member" in another from being counted twice; tolls that
    rise over days keep the latest, larger figure. Conflicts stay visible in
    ``casualty_reports``.
    """
    keys = {(c.status, c.nationality) for r in reports for c in r.casualties}
    out: list[Casualty] = []
    for status, nat in sorted(keys, key=lambda k: (k[0], k[1] or "")):
        best = max(reports, key=lambda r: (_tally_nat(r.casualties, status, nat), r.reliability))
        out.extend(c for c in best.casualties if c.status == status and c.nationality == nat)
    return merge_casualties(out)


def _tally_nat(casualties: tuple[Casualty, ...], status: str, nationality: str | None) -> int:
    """The report's total for one status and one nationality (None: exactly the victims of unknown nationality)."""
    return group_total([c for c in casualties if c.status == status and c.nationality == nationality])


def _family(kind: str) -> str:
    return "strike" if kind in STRIKE_FAMILY else kind


def _action_fits(lex: Lexicon, group: Action, item: Action, published: dt.date | None) -> bool:
    if _family(group.kind) != _family(item.kind):
        return False
    if group.actor and item.actor and group.actor != item.actor:
        return False
    if group.target and item.target and not _targets_overlap(group.target, item.target, lex):
        return False
    if not compatible(lex, group.place, item.place):
        return False
    if item.date is None or group.date is None:
        if item.date is None and published and group.date and group.date > published:
            return False
        if group.kind == item.kind and group.actor and group.actor == item.actor and published and group.date and (published - group.date).days <= 3:
            return True  # an undated report of the same actor's same kind of action, days after it: the one just told
        return bool((group.target and item.target) or (group.place and item.place) or _same_casualties(group, item))
    return _dates_ok(group.date, group.date_precision, item.date, item.date_precision)


def _target_actors(lex: Lexicon, target: str) -> tuple[set[str], set[str]]:
    """(specific actors, category actors) a target text names."""
    found = {m.key for m in lex.actors.find(target)}
    cats = {k for k in found if lex.kb.actors[k].kind == "category"}
    return found - cats, cats


def _targets_overlap(a: str, b: str, lex: Lexicon | None = None) -> bool:
    """Two targets of one action: a shared person or group, or a group and the category it belongs to ("an Iran-aligned militia")."""
    from .actions import person_key

    ka = {person_key(p) for p in a.split(" and ")}
    kb_ = {person_key(p) for p in b.split(" and ")}
    if bool(ka & kb_) or a.lower() == b.lower():
        return True
    if lex is None:
        return False
    sa, ca = _target_actors(lex, a)
    sb, cb = _target_actors(lex, b)
    if sa & sb:
        return True
    for cats, specific in ((ca, sb), (cb, sa)):
        for cat in cats:
            members = set(lex.kb.actors[cat].members)
            if not specific or not members or specific & members:
                return True
    return False


def _combine_target(lex: Lexicon, a: str | None, b: str | None) -> str | None:
    """The merged target: every specific group both name ("Kataib Hezbollah and Kataib Sayyid al-Shuhada"), else the longer text."""
    if not a or not b:
        return a or b
    sa, _ = _target_actors(lex, a)
    sb, _ = _target_actors(lex, b)
    if sa or sb:
        if sa >= sb:
            return a
        if sb > sa:
            return b
        names = [lex.kb.actors[k].name for k in sorted(sa | sb)]
        return " and ".join(names)
    return a if len(a) >= len(b) else b


def _same_casualties(a: Action, b: Action) -> bool:
    return any((x.status, x.count, x.category) == (y.status, y.count, y.category) and x.count > 0 for x in a.casualties for y in b.casualties)


_KIND_RANK = {"drone-strike": 4, "airstrike": 3, "assassination": 2, "other": 1}


def _combine_actions(lex: Lexicon, a: Action, b: Action) -> Action:
    dated = _better_date(a, b)
    kind = a.kind if _KIND_RANK.get(a.kind, 0) >= _KIND_RANK.get(b.kind, 0) else b.kind
    return a.model_copy(
        update={
            "kind": kind,
            "actor": a.actor or b.actor,
            "target": _combine_target(lex, a.target, b.target),
            "date": dated.date,
            "date_text": dated.date_text,
            "date_precision": dated.date_precision,
            "place": more_specific(lex, a.place, b.place),
            "casualties": merge_casualties([*a.casualties, *b.casualties]),
            "caused_by": tuple(dict.fromkeys((*a.caused_by, *b.caused_by))),
            "documents": tuple(dict.fromkeys((*a.documents, *b.documents))),
            "evidence": tuple(dict.fromkeys((*a.evidence, *b.evidence))),
            "summary": a.summary or b.summary,
        }
    )


def _order(x: Incident | Action) -> tuple:
    return (x.date is None, x.date or dt.date.min, x.id)


#: An undated report is about something recent: it joins an event dated at most this many days before its publication,
#: or another undated report published this close to it.
UNDATED_REACH_DAYS = 90

#: Where an undated report may find its event: dated events meeting (first day, last day), and whether undated groups too.
Reach = tuple[dt.date, dt.date, bool]


def _incident_reach(item: Incident, published: dt.date) -> Reach | None:
    """An undated incident joins only an event that shares a place (see :func:`_incident_fits`): none without a place."""
    if item.place is None:
        return None
    return published - dt.timedelta(days=UNDATED_REACH_DAYS), published, True


def _action_reach(action: Action, published: dt.date) -> Reach | None:
    """An undated action with no target, place or casualty to share joins only its actor's same action told days before."""
    if action.target or action.place or any(c.count > 0 for c in action.casualties):
        return published - dt.timedelta(days=UNDATED_REACH_DAYS), published, True
    if not action.actor:
        return None
    return published - dt.timedelta(days=3), published, False


def _cluster(items: list[tuple[E, dt.date | None]], fits: Callable[[E, E, dt.date | None], bool], combine: Callable[[E, E], E],
             reach: Callable[[E, dt.date], Reach | None]) -> tuple[list[E], dict[str, int]]:
    """Greedy clustering in order: each item joins the latest-dated group it fits, else starts one.

    A dated item is compared only with the groups a :class:`DateIndex` says
    its date could fit (every one that does). An undated item with a
    publication date is compared with the groups its ``reach`` names: dated
    groups in a window before the publication and undated groups published
    within :data:`UNDATED_REACH_DAYS` of it; without a publication date, with
    every group. Returns the groups and, for every item id, the index of the
    group it went to.
    """
    groups: list[E] = []
    group_of: dict[str, int] = {}
    dated = DateIndex()  # dated groups, by date
    undated = DateIndex()  # undated groups, by the publication days of their reports (none known: always a candidate)
    published_span: dict[int, tuple[dt.date, dt.date]] = {}
    window = dt.timedelta(days=UNDATED_REACH_DAYS)
    for item, published in items:
        near: Iterable[int]
        if item.date is not None:
            near = dated.candidates(item.date, item.date_precision)
        elif published is not None:
            where = reach(item, published)
            near = () if where is None else dated.between(where[0], where[1])
            if where is not None and where[2]:
                near = near | undated.between(published - window, published + window)
        else:
            near = range(len(groups))
        candidates = [gi for gi in near if fits(groups[gi], item, published)]
        if candidates:
            gi = max(candidates, key=lambda gi: (groups[gi].date or dt.date.min, -gi))
            before = groups[gi]
            groups[gi] = combine(before, item)
            if (groups[gi].date, groups[gi].date_precision) != (before.date, before.date_precision):
                undated.remove(gi)
                dated.add(gi, groups[gi].date, groups[gi].date_precision)
            elif groups[gi].date is None and published is not None and gi in published_span:
                lo, hi = published_span[gi]
                published_span[gi] = lo, hi = min(lo, published), max(hi, published)
                undated.add_days(gi, lo, hi)
        else:
            groups.append(item)
            gi = len(groups) - 1
            if item.date is not None:
                dated.add(gi, item.date, item.date_precision)
            elif published is not None:
                published_span[gi] = (published, published)
                undated.add_days(gi, published, published)
            else:
                undated.add(gi, None, None)
        group_of[item.id] = gi
    return groups, group_of


def _consolidate(groups: list[E], group_of: dict[str, int], fits: Callable[[E, E, dt.date | None], bool], combine: Callable[[E, E], E]) -> tuple[list[E], dict[str, int]]:
    """Merge groups that the greedy pass left apart but that fit each other (dated groups within a day of each other).

    The greedy pass sees one item at a time; a report that bridges two early
    groups (a base named in one, its province in the other) only shows they are
    one event afterwards. Candidates are compared within a sliding window of
    dates, so this stays near-linear in the number of groups.
    """
    alive = list(range(len(groups)))
    target = list(range(len(groups)))
    changed = True
    while changed:
        changed = False
        dated = sorted((i for i in alive if groups[i].date is not None), key=lambda i: groups[i].date)  # type: ignore[arg-type, return-value]
        for n, i in enumerate(dated):
            if target[i] != i:
                continue
            for j in dated[n + 1 :]:
                if (groups[j].date - groups[i].date).days > 1:  # type: ignore[operator]
                    break
                if target[j] == j and fits(groups[i], groups[j], None):
                    groups[i] = combine(groups[i], groups[j])
                    target[j] = i
                    changed = True
        alive = [i for i in alive if target[i] == i]
    def root(i: int) -> int:
        while target[i] != i:
            i = target[i]
        return i

    index = {old: new for new, old in enumerate(alive)}
    return [groups[i] for i in alive], {k: index[root(v)] for k, v in group_of.items()}


def merge(extractions: Iterable[Extraction], kb: KnowledgeBase, rows: Iterable[Incident] = ()) -> Merged:
    """Cluster the incidents and actions of many documents into one per real event.

    ``rows`` are imported dataset incidents; each joins the article event it
    fits, if any (see the module docstring).
    """
    lex = lexicon_for(kb)
    exs = sorted(extractions, key=lambda e: (e.published or dt.date.min, e.document_id))
    items: list[tuple[Incident, dt.date | None]] = sorted(((i, e.published) for e in exs for i in e.incidents), key=lambda p: _order(p[0]))
    fits, combine = (lambda g, i, pub: _incident_fits(lex, g, i, pub)), (lambda g, i: _combine_incidents(lex, g, i))
    groups, old_to_group = _cluster(items, fits, combine, _incident_reach)
    groups, old_to_group = _consolidate(groups, old_to_group, fits, combine)
    _absorb_rows(groups, sorted(rows, key=_order), fits, combine)
    acts: list[tuple[Action, dt.date | None]] = sorted(((a, e.published) for e in exs for a in e.actions), key=lambda p: _order(p[0]))
    agroups, old_to_agroup = _cluster(acts, lambda g, a, pub: _action_fits(lex, g, a, pub), lambda g, a: _combine_actions(lex, g, a), _action_reach)
    new_inc_ids = _assign_ids([incident_slug(g) for g in groups])
    new_act_ids = _assign_ids([action_slug(a) for a in agroups])
    remap = {old: new_inc_ids[gi] for old, gi in old_to_group.items()}
    remap.update({old: new_act_ids[gi] for old, gi in old_to_agroup.items()})
    incidents = tuple(sorted((g.model_copy(update={"id": new_inc_ids[i]}) for i, g in enumerate(groups)), key=_order))
    actions = tuple(
        sorted(
            (
                a.model_copy(update={"id": new_act_ids[i], "caused_by": tuple(dict.fromkeys(c for c in (remap.get(x, x) for x in a.caused_by) if c != new_act_ids[i]))})
                for i, a in enumerate(agroups)
            ),
            key=_order,
        )
    )
    return Merged(incidents=incidents, actions=actions, redlines=_merge_redlines(r for e in exs for r in e.redlines))


def _absorb_rows(groups: list[Incident], rows: list[Incident], fits: Callable[[Incident, Incident, dt.date | None], bool],
                 combine: Callable[[Incident, Incident], Incident]) -> None:
    """Fold each dataset row into the latest-dated article event it fits (in place); rows that fit none are dropped."""
    index = DateIndex()
    for gi, g in enumerate(groups):
        if g.date is not None:
            index.add(gi, g.date, g.date_precision)
    for row in rows:
        if row.date is None:
            continue
        candidates = [gi for gi in index.candidates(row.date, row.date_precision, undated=False) if fits(groups[gi], row, row.date)]
        if candidates:
            gi = max(candidates, key=lambda gi: (groups[gi].date or dt.date.min, -gi))
            before = groups[gi]
            groups[gi] = combine(before, row)
            if (groups[gi].date, groups[gi].date_precision) != (before.date, before.date_precision):
                index.add(gi, groups[gi].date, groups[gi].date_precision)


def _assign_ids(slugs: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for s in slugs:
        n = seen.get(s, 0) + 1
        seen[s] = n
        out.append(s if n == 1 else f"{s}-{n}")
    return out


def _merge_redlines(redlines: Iterable[RedLineStatement]) -> tuple[RedLineStatement, ...]:
    out: dict[tuple, RedLineStatement] = {}
    for r in redlines:
        key = (r.speaker.speaker_id or r.speaker.speaker, r.condition.lower(), r.consequence.lower())
        if key in out:
            old = out[key]
            out[key] = old.model_copy(update={"documents": tuple(dict.fromkeys((*old.documents, *r.documents)))})
        else:
            out[key] = r
    return tuple(out.values())
