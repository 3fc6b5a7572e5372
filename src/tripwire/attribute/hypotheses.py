"""The hypothesis space (perpetrator x sponsor relation) and its prior.

A hypothesis says who carried out an attack and how far a sponsor state is
answerable for it (a level of ``relations.yaml``). The space for one incident
holds every plausible perpetrator:

* every actor named in the incident's attribution statements, with front
  groups replaced by the actor they front for and category actors ("an
  Iranian-backed militia") by their members;
* every perpetrator with a base rate in ``priors.yaml`` for the incident's
  theatre (chosen by ``incident.place``; see :mod:`tripwire.knowledge.priors`);
* ``unknown``, which absorbs everyone else.

Non-state perpetrators with a sponsor link get one hypothesis per level of the
space (``independent`` without a sponsor, the other levels with it); states
and state organs get a single ``executed`` hypothesis with the state as
sponsor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..errors import AttributionError
from ..knowledge import KnowledgeBase
from ..knowledge.priors import incident_priors
from ..model import Hypothesis, Incident
from .tables import EvidenceTables

UNKNOWN = "unknown"
STATE_KINDS = frozenset({"state"})


def state_of(kb: KnowledgeBase, actor_id: str) -> str | None:
    """The state an actor is (a state) or belongs to (a state organ/agency), else None."""
    actor = kb.actors.get(actor_id)
    if actor is None:
        return None
    if actor.kind in STATE_KINDS:
        return actor.id
    if actor.part_of and actor.part_of in kb.actors and kb.actors[actor.part_of].kind in STATE_KINDS:
        return actor.part_of
    return None


def expand_actor(kb: KnowledgeBase, actor_id: str) -> tuple[str, ...]:
    """The perpetrators a name in a statement can stand for.

    A front maps to the actor it fronts for, a category to its members, an
    unknown name or ``unknown`` to ``unknown``; anything else to itself.
    """
    actor = kb.actors.get(actor_id)
    if actor is None:
        return (actor_id,) if actor_id and actor_id != UNKNOWN else (UNKNOWN,)
    if actor.front_for:
        return expand_actor(kb, actor.front_for)
    if actor.kind == "category":
        if not actor.members:
            return (UNKNOWN,)
        out: list[str] = []
        for member in actor.members:
            for p in expand_actor(kb, member):
                if p not in out:
                    out.append(p)
        return tuple(out)
    return (actor.id,)


def implied_sponsor(kb: KnowledgeBase, actor_id: str) -> tuple[str | None, str | None]:
    """The (sponsor, relation) a category label carries by itself ("Iranian-backed" -> iran, supported)."""
    actor = kb.actors.get(actor_id)
    if actor is not None and actor.kind == "category" and actor.sponsors:
        link = max(actor.sponsors, key=lambda s: s.confidence)
        return link.sponsor, link.relation
    return None, None


def perpetrators(kb: KnowledgeBase, incident: Incident, extra: Iterable[str] = ()) -> list[str]:
    """Plausible perpetrators for ``incident``, in a stable order."""
    names: list[str] = []

    def add(pid: str) -> None:
        if pid not in names:
            names.append(pid)

    for st in incident.attributions:
        for p in expand_actor(kb, st.actor):
            add(p)
    for p in extra:
        for q in expand_actor(kb, p):
            add(q)
    for p in incident_priors(kb, incident)[0]:
        add(p)
    add(UNKNOWN)
    return names


def _sponsors_for(kb: KnowledgeBase, perpetrator: str, incident: Incident | None) -> dict[str, float]:
    """Sponsor id -> link confidence for a non-state perpetrator (KB links plus links asserted in statements)."""
    out = {link.sponsor: link.confidence for link in kb.sponsors_of(perpetrator)}
    if incident is not None:
        for st in incident.attributions:
            sponsor = st.sponsor or implied_sponsor(kb, st.actor)[0]
            if sponsor and perpetrator in expand_actor(kb, st.actor) and sponsor not in out and sponsor in kb.actors:
                out[sponsor] = 0.5
    return out


def hypothesis_space(
    kb: KnowledgeBase,
    incident: Incident,
    *,
    relations: Sequence[str] | None = None,
    extra_perpetrators: Iterable[str] = (),
) -> list[Hypothesis]:
    """Every hypothesis (perpetrator x sponsor relation) plausible for ``incident``."""
    levels = tuple(relations) if relations is not None else tuple(kb.default_space)
    for level in levels:
        if level not in kb.relations:
            raise AttributionError(f"unknown relation level {level!r}; known: {', '.join(kb.relations)}")
    if not levels:
        raise AttributionError("the relation space is empty")
    space: list[Hypothesis] = []
    for p in perpetrators(kb, incident, extra_perpetrators):
        state = state_of(kb, p)
        if state is not None:
            space.append(Hypothesis(perpetrator=p, sponsor=state, relation="executed"))
            continue
        sponsors = _sponsors_for(kb, p, incident) if p != UNKNOWN else {}
        if not sponsors or "independent" in levels:
            space.append(Hypothesis(perpetrator=p))
        for sponsor in sponsors:
            for level in levels:
                if level != "independent":
                    space.append(Hypothesis(perpetrator=p, sponsor=sponsor, relation=level))
    if not space:  # pragma: no cover - unknown is always there
        raise AttributionError(f"no hypotheses for incident {incident.id!r}")
    return space


def prior_vector(kb: KnowledgeBase, space: Sequence[Hypothesis], tables: EvidenceTables, incident: Incident | None = None,
                 *, perpetrator_scale: dict[str, float] | None = None, relation_scale: dict[str, float] | None = None) -> np.ndarray:
    """Prior probability of each hypothesis: perpetrator base rate x relation prior, renormalised.

    ``perpetrator_scale`` / ``relation_scale`` multiply base rates / relation
    weights (used by the sensitivity analysis). Base rates and relation
    tables are those of the incident's theatre (``incident.place``); with no
    incident, or no place, the default tables.
    """
    base, rel_tables = incident_priors(kb, incident)
    unlisted = float(tables.get("priors", "unlisted_perpetrator"))
    floor = float(tables.get("priors", "relation_floor"))
    pscale = perpetrator_scale or {}
    rscale = relation_scale or {}
    by_perp: dict[str, list[int]] = {}
    for i, h in enumerate(space):
        by_perp.setdefault(h.perpetrator, []).append(i)
    prior = np.zeros(len(space))
    for perp, idx in by_perp.items():
        mass = float(base.get(perp, unlisted)) * pscale.get(perp, 1.0)
        table = rel_tables.get(perp, rel_tables.get("default", {}))
        sponsors = _sponsors_for(kb, perp, incident)
        conf_total = sum(sponsors.values()) or 1.0
        weights = []
        for i in idx:
            h = space[i]
            if h.relation == "executed" and state_of(kb, perp) is not None:
                w = 1.0
            else:
                w = float(table.get(h.relation, floor))
                if h.sponsor is not None and len(sponsors) > 1:
                    w *= sponsors.get(h.sponsor, 0.5) / conf_total
            weights.append(w * rscale.get(h.relation, 1.0))
        wsum = sum(weights)
        for i, w in zip(idx, weights):
            prior[i] = mass * w / wsum if wsum > 0 else 0.0
    total = prior.sum()
    if not np.isfinite(total) or total <= 0:
        raise AttributionError("the prior gives no weight to any hypothesis; check priors.yaml")
    return prior / total


def in_claim_set(kb: KnowledgeBase, h: Hypothesis, actor_id: str, *, min_rank: int | None = None) -> bool:
    """Whether hypothesis ``h`` makes "``actor_id`` did it" true.

    For a state (or state organ), the statement also covers the state's proxies
    acting on its orders: sponsor == state with relation rank >= ``min_rank``
    (default: the rank of ``ordered``).
    """
    perps = expand_actor(kb, actor_id)
    if h.perpetrator in perps:
        return True
    state = state_of(kb, actor_id)
    if state is not None and h.sponsor == state:
        rank = kb.relation_rank("ordered") if min_rank is None else min_rank
        return kb.relation_rank(h.relation) >= rank
    return False


def in_sponsor_set(kb: KnowledgeBase, h: Hypothesis, sponsor: str, relation: str | None) -> bool:
    """Whether ``h`` has ``sponsor`` at or above ``relation`` (default ``supported``)."""
    level = relation if relation in kb.relations else "supported"
    return h.sponsor == sponsor and kb.relation_rank(h.relation) >= kb.relation_rank(level)


def perpetrator_marginal(space: Sequence[Hypothesis], probs: np.ndarray) -> dict[str, float]:
    """Total probability per perpetrator."""
    out: dict[str, float] = {}
    for h, p in zip(space, probs):
        out[h.perpetrator] = out.get(h.perpetrator, 0.0) + float(p)
    return out
