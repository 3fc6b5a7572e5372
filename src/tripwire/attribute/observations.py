"""Turning an incident and its context into evidence items (see :mod:`.evidence` for the models).

* attribution statements, grouped by origin (:func:`statement_items`);
* the weapon / modus-operandi signature (:func:`weapon_item`);
* timing after trigger events in the context (:func:`timing_item`);
* similarity to earlier incidents with likely perpetrators (:func:`pattern_item`).

Builders register the point value of every uncertain parameter they use in
``point`` (a :class:`~.evidence.Params`), so the engine can draw around them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..knowledge import KnowledgeBase, WeaponSignature
from ..model import AttributionKind, AttributionStatement, Hypothesis, Incident
from .evidence import EvidenceItem, Factor, Params, describe_lr
from .hypotheses import UNKNOWN, expand_actor, implied_sponsor, in_claim_set, in_sponsor_set, state_of
from .sources import SourceProfile, SourceSetting, origin_of, resolve_source
from .tables import EvidenceTables

if TYPE_CHECKING:
    from .context import ContextIndex


@dataclass(frozen=True)
class BuildContext:
    """Everything the builders share for one incident."""

    kb: KnowledgeBase
    tables: EvidenceTables
    space: list[Hypothesis]
    overrides: Mapping[str, SourceSetting]
    eps: float
    point: Params
    learned: Callable[[str, str], tuple[float, float] | None] | None = None

    def mask(self, pred: Callable[[Hypothesis], bool]) -> np.ndarray:
        return np.array([1 if pred(h) else 0 for h in self.space], dtype=np.int64)


def _discount(ctx: BuildContext, st: AttributionStatement, prof: SourceProfile) -> tuple[float, list[str]]:
    """The product of hedge, anonymity, relay, credibility and self-interest discounts, with notes."""
    d, notes = 1.0, []
    for hedge in sorted({h.lower() for h in st.hedges}):
        f = ctx.tables.hedge(hedge)
        d *= f
        notes.append(f"hedge '{hedge}' keeps {f:.0%} of the force")
    src = st.asserted_by
    if src.anonymous:
        f = ctx.tables.number("anonymous")
        d *= f
        notes.append(f"anonymous source x{f:g}")
    outlet_id = src.outlet_id or (ctx.kb.resolve_outlet(src.outlet) if src.outlet else None)
    if prof.speaker_id and outlet_id in ctx.kb.outlets:
        grade = ctx.kb.outlets[outlet_id].reliability
        f = ctx.tables.relay(grade)
        if f < 1.0:
            d *= f
            notes.append(f"relayed by {ctx.kb.outlets[outlet_id].name} (grade {grade}) x{f:g}")
    if prof.credibility is not None:
        f = ctx.tables.credibility(prof.credibility)
        d *= f
        notes.append(f"credibility {prof.credibility} x{f:g}")
    named = set(expand_actor(ctx.kb, st.actor)) | {st.actor}
    if prof.interested and not named & set(prof.interested) and st.kind in (AttributionKind.ALLEGED, AttributionKind.ASSESSED, AttributionKind.CLAIMED):
        f = ctx.tables.number("self_interest")
        d *= f
        notes.append(f"self-interest: {prof.name} speaks for {', '.join(prof.interested)} x{f:g}")
    return d, notes


def _reliability_key(ctx: BuildContext, prof: SourceProfile, label: str | None = None) -> tuple[str, str | None, str]:
    """Register (reliability, label rate) for a source and optional label; returns the keys and a note."""
    rkey = prof.key
    r, lam = prof.reliability, prof.labels.get(label, 0.0) if label else 0.0
    how = f"grade {prof.grade}: reliability {r:.2f}"
    learned = ctx.learned(prof.speaker_id, label) if (ctx.learned and prof.speaker_id and label) else None
    if learned is not None:
        r, lam = learned
        rkey = f"{prof.key}|{label}"
        how = f"learned from resolved cases: reliability {r:.2f}"
    ctx.point.reliability.setdefault(rkey, r)
    lkey = None
    if label is not None:
        lkey = f"label:{prof.key}|{label}"
        ctx.point.label_rate.setdefault(lkey, lam)
    return rkey, lkey, how


def _statement_factors(ctx: BuildContext, st: AttributionStatement, prof: SourceProfile, d: float, n: int,
                       others: Sequence[str]) -> tuple[list[Factor], list[str]]:
    kb, notes, factors = ctx.kb, [], []
    perps = [p for p in expand_actor(kb, st.actor) if p != UNKNOWN]
    common = dict(discount=d, relays=n, eps=ctx.eps, match=ctx.tables.number("transmission_match"))
    kind = st.kind
    if kind == AttributionKind.CLAIMED:
        if perps:
            pt, pf = ctx.tables.claim_rates(perps[0] if len(perps) == 1 else "default")
            f = Factor("claim", ctx.mask(lambda h: in_claim_set(kb, h, st.actor)), "fixed", (pt, pf), **common)
            front = kb.actors.get(st.actor)
            if front is not None and front.front_for:
                notes.append(f"claim under the name of front group {front.name}, taken as {', '.join(perps)}")
            notes.append(f"claims: P(claim|did it)={pt:g}, P(claim|did not)={pf:g} -> {describe_lr(f, ctx.point)}")
            factors.append(f)
    elif kind in (AttributionKind.ALLEGED, AttributionKind.ASSESSED):
        target = [p for p in others if p not in perps]
        if st.comparative:
            named = [m[2] for m in kb.find_actors(st.comparative)]
            target = [q for p in named for q in expand_actor(kb, p) if q not in perps and q != UNKNOWN] or target
        if perps and st.comparative and target:
            rkey, _, how = _reliability_key(ctx, prof)
            x_set = ctx.mask(lambda h: in_claim_set(kb, h, st.actor))
            y_set = ctx.mask(lambda h: h.perpetrator in target)
            cat = np.where(x_set == 1, 1, np.where(y_set == 1, 2, 0))
            f = Factor("comparative", cat, "comparative", reliability_key=rkey, **common)
            probs = f.probabilities(ctx.point)
            notes.append(f"comparative: {', '.join(perps)} judged {st.comparative} than {', '.join(target)} ({how}) -> "
                         f"LR {probs[1] / probs[0]:.3g} for the first, {probs[2] / probs[0]:.3g} for the other")
            factors.append(f)
        elif perps:
            has_learned = bool(ctx.learned and prof.speaker_id and ctx.learned(prof.speaker_id, st.actor))
            label = st.actor if st.actor in prof.labels or has_learned else None
            rkey, lkey, how = _reliability_key(ctx, prof, label)
            f = Factor("perpetrator", ctx.mask(lambda h: in_claim_set(kb, h, st.actor)), "report", reliability_key=rkey, label_key=lkey, **common)
            notes.append(f"names {', '.join(perps)} ({how}) -> {describe_lr(f, ctx.point)}")
            factors.append(f)
        sponsor, relation = st.sponsor, st.relation
        if sponsor is None:
            sponsor, implied = implied_sponsor(kb, st.actor)
            relation = relation or implied
        if sponsor and state_of(kb, st.actor) != sponsor:
            rkey, lkey, how = _reliability_key(ctx, prof, sponsor)
            lam = ctx.point.lam(lkey)
            f = Factor("sponsor", ctx.mask(lambda h: in_sponsor_set(kb, h, sponsor, relation)), "report", reliability_key=rkey,
                       label_key=lkey, **common)
            bias = f"labelling bias: {prof.name} attaches '{sponsor}' to {lam:.0%} of attackers, " if lam > 0 else ""
            notes.append(f"{bias}says {sponsor} {relation or 'supported'} ({how}) -> {describe_lr(f, ctx.point)}")
            factors.append(f)
        if not factors:
            notes.append("names no known perpetrator: no evidence about who")
    elif kind == AttributionKind.DENIED:
        state = state_of(kb, st.actor)
        routine = bool({st.actor, *perps, *([state] if state else [])} & set(prof.denies))
        pt, pf = ctx.tables.denial_rates(routine)
        min_rank = kb.relation_rank(ctx.tables.denial_min_relation) if ctx.tables.denial_min_relation in kb.relations else None
        f = Factor("denial", ctx.mask(lambda h: in_claim_set(kb, h, st.actor, min_rank=min_rank)), "fixed", (pt, pf), **common)
        notes.append(f"{'routine ' if routine else ''}denial for {st.actor}: P(deny|responsible)={pt:g}, "
                     f"P(deny|not)={pf:g} -> {describe_lr(f, ctx.point)}")
        factors.append(f)
    elif kind == AttributionKind.DISPUTED:
        pt, pf = ctx.tables.dispute_rates()
        rkey, _, how = _reliability_key(ctx, prof)
        if perps:
            f = Factor("dispute", ctx.mask(lambda h: in_claim_set(kb, h, st.actor)), "fixed", (pt, pf), reliability_key=rkey, **common)
        elif st.sponsor:
            f = Factor("dispute", ctx.mask(lambda h: in_sponsor_set(kb, h, st.sponsor or "", st.relation)), "fixed", (pt, pf),
                       reliability_key=rkey, **common)
        else:
            notes.append("says the perpetrator is not yet known: no evidence about who")
            return factors, notes
        notes.append(f"disputes the attribution ({how}; force x max(0, 2r-1)) -> {describe_lr(f, ctx.point)}")
        factors.append(f)
    return factors, notes


def _group_key(kb: KnowledgeBase, st: AttributionStatement) -> tuple[str, ...]:
    return (origin_of(kb, st.asserted_by), st.kind.value, st.actor, st.sponsor or "", st.relation or "", st.comparative or "")


def statement_items(ctx: BuildContext, incident: Incident) -> list[EvidenceItem]:
    """One evidence item per group of statements traced to one origin and saying one thing."""
    groups: dict[tuple[str, ...], list[AttributionStatement]] = {}
    for st in incident.attributions:
        groups.setdefault(_group_key(ctx.kb, st), []).append(st)
    named = []
    for st in incident.attributions:
        if st.kind in (AttributionKind.ALLEGED, AttributionKind.ASSESSED, AttributionKind.CLAIMED):
            named += [p for p in expand_actor(ctx.kb, st.actor) if p != UNKNOWN and p not in named]
    items = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda s: s.model_dump_json())
        rep = members[0]
        prof = resolve_source(ctx.kb, rep.asserted_by, ctx.overrides)
        discounts = [_discount(ctx, st, prof) for st in members]
        d, dnotes = min(discounts, key=lambda x: (x[0], len(x[1])))
        n = len(members)
        factors, fnotes = _statement_factors(ctx, rep, prof, d, n, named)
        notes = [f"{prof.name} (grade {prof.grade})"] + dnotes + fnotes
        if n > 1:
            notes.append(f"{n} reports traced to one origin ({key[0]}): counted once, with transmission error {ctx.eps:g}")
        who = rep.asserted_by.speaker or rep.asserted_by.outlet or prof.name
        label = f"{rep.kind.value}: {rep.actor}" + (f" ({rep.sponsor}-{rep.relation or 'backed'})" if rep.sponsor else "") + f" - {who}"
        items.append(EvidenceItem(label=label, kind=rep.kind.value, factors=tuple(factors), weight=d, notes=tuple(notes),
                                  source=rep.asserted_by, group=key[0] if n > 1 else None))
    return items


def match_weapon(kb: KnowledgeBase, incident: Incident) -> WeaponSignature | None:
    """The weapon signature named by the incident's ``weapon`` (id or term), else by its attack type."""
    for text in (incident.weapon, incident.attack_type):
        if not text:
            continue
        t = " ".join(text.lower().split())
        if t in kb.weapons:
            return kb.weapons[t]
        best: tuple[int, WeaponSignature] | None = None
        for w in kb.weapons.values():
            for term in (w.name, *w.terms):
                if term.lower() in t and (best is None or len(term) > best[0]):
                    best = (len(term), w)
        if best:
            return best[1]
    return None


def weapon_item(ctx: BuildContext, incident: Incident) -> EvidenceItem | None:
    """P(weapon | perpetrator) from weapons.yaml, against the ``default`` entry."""
    w = match_weapon(ctx.kb, incident)
    if w is None:
        return None
    ref = w.likelihood.get("default", 0.05)
    probs = tuple(w.p_given(h.perpetrator) for h in ctx.space)
    f = Factor("weapon", np.arange(1, len(ctx.space) + 1), "table", (ref, *probs))
    perps = sorted({h.perpetrator: w.p_given(h.perpetrator) for h in ctx.space}.items(), key=lambda kv: -kv[1])[:4]
    note = f"P({w.name} | perpetrator): " + ", ".join(f"{p} {v:g}" for p, v in perps) + f"; others {ref:g}"
    return EvidenceItem(label=f"weapon: {w.name}", kind="weapon", factors=(f,), notes=(note,))


def _target_actor(kb: KnowledgeBase, target: str | None) -> str | None:
    if not target:
        return None
    if target in kb.actors:
        return target
    rid = kb.resolve_actor(target)
    if rid:
        return rid
    found = kb.find_actors(target)
    return found[0][2] if found else None


def timing_item(ctx: BuildContext, incident: Incident, context: ContextIndex) -> EvidenceItem | None:
    """Retaliation: trigger events against an actor shortly before raise hypotheses of that actor (or its state) striking back."""
    if incident.date is None:
        return None
    triggers = set(ctx.tables.get("timing", "triggers"))
    window = float(ctx.tables.get("timing", "window_days"))
    peak, decay = float(ctx.tables.get("timing", "peak_lr")), float(ctx.tables.get("timing", "decay_days"))
    lr = np.ones(len(ctx.space))
    notes = []
    for a in context.triggers(incident.date, window, triggers):
        days = (incident.date - a.date).days
        target = _target_actor(ctx.kb, a.target)
        if not 0 <= days <= window or target is None:
            continue
        state = state_of(ctx.kb, target)
        value = 1.0 + (peak - 1.0) * math.exp(-days / decay)
        if state is not None:
            hit = ctx.mask(lambda h: h.perpetrator == target or in_claim_set(ctx.kb, h, state))
        else:
            perps = expand_actor(ctx.kb, target)
            hit = ctx.mask(lambda h: h.perpetrator in perps)
        if not hit.any():
            continue
        lr = np.maximum(lr, np.where(hit == 1, value, 1.0))
        notes.append(f"{a.kind} against {target} on {a.date} ({days} days before) -> LR {value:.3g} for its retaliation")
    if not notes:
        return None
    f = Factor("timing", np.zeros(len(ctx.space), dtype=np.int64), "loglr", tuple(np.log(lr)))
    return EvidenceItem(label="timing after trigger events", kind="timing", factors=(f,), notes=tuple(notes))


def _km(a: Incident, b: Incident) -> float | None:
    if not (a.place and b.place and a.place.lat is not None and b.place.lat is not None and a.place.lon is not None and b.place.lon is not None):
        return None
    la1, lo1, la2, lo2 = map(math.radians, (a.place.lat, a.place.lon, b.place.lat, b.place.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def similarity(ctx: BuildContext, a: Incident, b: Incident) -> float:
    """Space x time x modus-operandi similarity of two incidents, in [0, 1]."""
    t = ctx.tables.raw["pattern"]
    km = _km(a, b)
    s = math.exp(-km / float(t["distance_km"])) if km is not None else float(t["no_place"])
    if a.date and b.date:
        s *= math.exp(-abs((a.date - b.date).days) / float(t["days"]))
    else:
        s *= 0.5
    wa, wb = match_weapon(ctx.kb, a), match_weapon(ctx.kb, b)
    if wa is None or wb is None:
        s *= float(t["unknown_weapon"])
    else:
        s *= float(t["same_weapon"]) if wa.id == wb.id else float(t["other_weapon"])
    return s


def pattern_item(ctx: BuildContext, incident: Incident, context: ContextIndex, prior: np.ndarray,
                 marginal_of: Callable[[Incident], dict[str, float]], top_k: int = 0) -> EvidenceItem | None:
    """Similarity to earlier incidents: LR_p = 1 - M + M sum_j w_j pi_j(p) / prior(p).

    With ``top_k`` > 0 only the ``top_k`` most similar earlier incidents count
    (the ``pattern_top_k`` setting) and one note says how many were left out.
    """
    t = ctx.tables.raw["pattern"]
    earlier = context.similar(incident, t, similarity, ctx)
    if not earlier:
        return None
    left_out: list[float] = []
    if 0 < top_k < len(earlier):
        ranked = sorted(range(len(earlier)), key=lambda j: (-earlier[j][0], earlier[j][1].id))
        kept = sorted(ranked[:top_k])
        left_out = [earlier[j][0] for j in ranked[top_k:]]
        earlier = [earlier[j] for j in kept]
    perp_prior: dict[str, float] = {}
    for h, p in zip(ctx.space, prior):
        perp_prior[h.perpetrator] = perp_prior.get(h.perpetrator, 0.0) + float(p)
    total_s = sum(s for s, _ in earlier)
    link = float(t["linkage"]) * (1.0 - math.prod(1.0 - min(s, 0.999) for s, _ in earlier))
    mix = {p: 0.0 for p in perp_prior}
    notes = []
    for s, c in sorted(earlier, key=lambda x: (-x[0], x[1].id)):
        marg = marginal_of(c)
        top = max(marg.items(), key=lambda kv: kv[1])
        notes.append(f"like {c.id} (similarity {s:.2f}; most likely {top[0]} {top[1]:.2f})")
        for p in mix:
            mix[p] += (s / total_s) * marg.get(p, 0.0)
    if left_out:
        notes.append(f"{len(left_out)} more similar earlier incident(s) (similarity {min(left_out):.2f}-{max(left_out):.2f}) left out: "
                     f"only the {top_k} most similar count (setting pattern_top_k)")
    lr_perp = {p: 1.0 - link + link * mix[p] / perp_prior[p] if perp_prior[p] > 0 else 1.0 for p in perp_prior}
    llr = tuple(math.log(max(lr_perp[h.perpetrator], 1e-300)) for h in ctx.space)
    notes.append(f"linkage strength {link:.2f}; LR " + ", ".join(f"{p} {v:.3g}" for p, v in sorted(lr_perp.items(), key=lambda kv: -kv[1])[:4]))
    f = Factor("pattern", np.zeros(len(ctx.space), dtype=np.int64), "loglr", llr)
    return EvidenceItem(label="pattern similarity with earlier incidents", kind="pattern", factors=(f,), notes=tuple(notes))
