"""Batch attribution: N incidents x K integer-coded evidence items at once (numpy, or numba when present).

A :class:`Codebook` fixes a hypothesis space and tables of actors, sponsors,
relation levels, sources, hedge sets and weapons; an :class:`EvidenceBatch`
holds integer codes into those tables (``-1`` = none). :meth:`Codebook.posterior`
computes exactly what :class:`~.engine.Attributor` computes for the decoded
incidents (:meth:`Codebook.incident`) over the same hypothesis space — claims,
allegations, assessments, denials and disputes with their source, labelling
bias, hedges and relay count, plus the weapon signature. Comparative
statements, timing and pattern evidence depend on free text and context and
stay with the scalar engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model import AttributionKind, AttributionStatement, Hypothesis, Incident, Source
from .hypotheses import UNKNOWN, expand_actor, implied_sponsor, in_claim_set, in_sponsor_set, prior_vector, state_of
from .sources import resolve_source

KINDS = (AttributionKind.CLAIMED, AttributionKind.ALLEGED, AttributionKind.ASSESSED, AttributionKind.DENIED, AttributionKind.DISPUTED)


@dataclass(frozen=True)
class EvidenceBatch:
    """Integer-coded evidence: arrays of shape (N, K) (``-1`` kind = empty slot) and weapon codes (N,)."""

    kind: np.ndarray
    actor: np.ndarray
    sponsor: np.ndarray
    relation: np.ndarray
    source: np.ndarray
    hedge: np.ndarray
    relays: np.ndarray
    weapon: np.ndarray

    def __len__(self) -> int:
        return int(self.kind.shape[0])


class Codebook:
    """Tables that give meaning to the integer codes, built from an :class:`~.engine.Attributor`."""

    def __init__(self, attributor, *, actors: Sequence[str], sources: Sequence[Source], hedges: Sequence[tuple[str, ...]] = ((),),
                 sponsors: Sequence[str] = ("iran",), weapons: Sequence[str] = ()) -> None:
        from .observations import BuildContext, _discount

        self.att = attributor
        kb, tables = attributor.kb, attributor.tables
        self.actors, self.sources, self.hedges = tuple(actors), tuple(sources), tuple(tuple(h) for h in hedges)
        self.sponsors, self.weapons = tuple(sponsors), tuple(weapons)
        self.relations = tuple(kb.relations)
        universe = Incident(id="codebook", attributions=tuple(
            AttributionStatement(actor=a, kind=AttributionKind.ALLEGED, sponsor=s) for a in self.actors for s in (None, *self.sponsors)))
        self.space: list[Hypothesis] = attributor.space(universe)
        self.prior = prior_vector(kb, self.space, tables, Incident(id="empty"))
        self.log_prior = np.log(self.prior)
        H, A, S, R, M = len(self.space), len(self.actors), len(self.sponsors), len(self.relations), len(self.sources)
        min_rank = kb.relation_rank(tables.denial_min_relation)
        self.claim_mask = np.array([[in_claim_set(kb, h, a) for h in self.space] for a in self.actors], dtype=np.float64).reshape(A, H)
        self.deny_mask = np.array([[in_claim_set(kb, h, a, min_rank=min_rank) for h in self.space] for a in self.actors], dtype=np.float64).reshape(A, H)
        self.sponsor_mask = np.array([[[in_sponsor_set(kb, h, s, r) for h in self.space] for r in self.relations] for s in self.sponsors],
                                     dtype=np.float64).reshape(S, R, H)
        perps = [[p for p in expand_actor(kb, a) if p != UNKNOWN] for a in self.actors]
        self.perp_valid = np.array([bool(p) for p in perps])
        rates = [tables.claim_rates(p[0] if len(p) == 1 else "default") for p in perps]
        self.claim_pt = np.array([r[0] for r in rates])
        self.claim_pf = np.array([r[1] for r in rates])
        imp = [implied_sponsor(kb, a) for a in self.actors]
        self.implied_sponsor = np.array([self.sponsors.index(s) if s in self.sponsors else -1 for s, _ in imp], dtype=np.int64)
        self.implied_relation = np.array([self.relations.index(r) if r in self.relations else -1 for _, r in imp], dtype=np.int64)
        self.actor_state = np.array([self.sponsors.index(state_of(kb, a)) if state_of(kb, a) in self.sponsors else -1 for a in self.actors],
                                    dtype=np.int64)
        self.supported = self.relations.index("supported")
        profs = [resolve_source(kb, s, attributor.sources) for s in self.sources]
        self.reliability = np.array([p.reliability for p in profs])
        self.label_actor = np.array([[p.labels.get(a, 0.0) if a in p.labels else 0.0 for a in self.actors] for p in profs]).reshape(M, A)
        self.label_sponsor = np.array([[p.labels.get(s, 0.0) for s in self.sponsors] for p in profs]).reshape(M, S)
        self.routine = np.array([[bool({a, *pa, *([state_of(kb, a)] if state_of(kb, a) else [])} & set(p.denies)) for a, pa in zip(self.actors, perps)]
                                 for p in profs]).reshape(M, A)
        ctx = BuildContext(kb, tables, self.space, attributor.sources, attributor.eps, None)  # type: ignore[arg-type]
        # discounts without hedges, for a kind that is / is not subject to self-interest
        self.base_d = np.zeros((M, A, 2))
        for m, (src, prof) in enumerate(zip(self.sources, profs)):
            for a, actor in enumerate(self.actors):
                for j, kind in enumerate((AttributionKind.DENIED, AttributionKind.ALLEGED)):
                    self.base_d[m, a, j] = _discount(ctx, AttributionStatement(actor=actor, kind=kind, asserted_by=src), prof)[0]
        self.hedge_f = np.array([np.prod([tables.hedge(h) for h in sorted({x.lower() for x in hs})]) if hs else 1.0 for hs in self.hedges])
        self.denial = np.array([tables.denial_rates(False), tables.denial_rates(True)])
        self.dispute = np.array(tables.dispute_rates())
        self.eps, self.match = attributor.eps, tables.number("transmission_match")
        self.weapon_llr = np.zeros((max(len(self.weapons), 1), H))
        for w, wid in enumerate(self.weapons):
            sig = kb.weapons[wid]
            ref = sig.likelihood.get("default", 0.05)
            self.weapon_llr[w] = np.log(np.array([sig.p_given(h.perpetrator) for h in self.space])) - np.log(ref)

    # -- decoding to the scalar engine's input --------------------------------

    def incident(self, batch: EvidenceBatch, i: int) -> Incident:
        """Incident ``i`` of ``batch`` as model objects (relays become identical copies of one statement)."""
        sts = []
        for k in range(batch.kind.shape[1]):
            kc = int(batch.kind[i, k])
            if kc < 0:
                continue
            s, r = int(batch.sponsor[i, k]), int(batch.relation[i, k])
            st = AttributionStatement(actor=self.actors[int(batch.actor[i, k])], kind=KINDS[kc], hedges=self.hedges[int(batch.hedge[i, k])],
                                      sponsor=self.sponsors[s] if s >= 0 else None, relation=self.relations[r] if r >= 0 else None,
                                      asserted_by=self.sources[int(batch.source[i, k])])
            sts += [st] * int(batch.relays[i, k])
        w = int(batch.weapon[i])
        return Incident(id=f"batch-{i}", attributions=tuple(sts), weapon=self.weapons[w] if w >= 0 else None)

    def random_batch(self, n: int, k: int, rng: np.random.Generator, *, max_relays: int = 3, fill: float = 0.8) -> EvidenceBatch:
        """``n`` synthetic incidents with up to ``k`` evidence items each (for tests and the benchmark)."""
        kind = np.where(rng.random((n, k)) < fill, rng.integers(0, len(KINDS), (n, k)), -1)
        sponsor = np.where(rng.random((n, k)) < 0.4, rng.integers(0, len(self.sponsors), (n, k)), -1)
        relation = np.where((sponsor >= 0) & (rng.random((n, k)) < 0.5), rng.integers(0, len(self.relations), (n, k)), -1)
        actor = rng.integers(0, len(self.actors), (n, k))
        source = rng.integers(0, len(self.sources), (n, k))
        # one slot per (source, kind, actor, sponsor, relation): repeats of a proposition are relays, not new items
        key = (((kind * len(self.actors) + actor) * (len(self.sponsors) + 1) + sponsor + 1) * (len(self.relations) + 1) + relation + 1) \
            * len(self.sources) + source
        for j in range(1, k):
            dup = (key[:, :j] == key[:, j:j + 1]).any(axis=1) & (kind[:, j] >= 0)
            kind[dup, j] = -1
        return EvidenceBatch(
            kind=kind.astype(np.int64), actor=actor, sponsor=sponsor.astype(np.int64),
            relation=relation.astype(np.int64), source=source, hedge=rng.integers(0, len(self.hedges), (n, k)),
            relays=rng.integers(1, max_relays + 1, (n, k)),
            weapon=np.where(rng.random(n) < 0.7, rng.integers(0, max(len(self.weapons), 1), n), -1) if self.weapons else np.full(n, -1))

    # -- the batch computation ------------------------------------------------

    def _tables(self) -> tuple:
        return (self.log_prior, self.claim_mask, self.deny_mask, self.sponsor_mask, self.perp_valid, self.claim_pt, self.claim_pf,
                self.implied_sponsor, self.implied_relation, self.actor_state, self.reliability, self.label_actor, self.label_sponsor,
                self.routine, self.base_d, self.hedge_f, self.denial, self.dispute, self.weapon_llr, float(self.eps), float(self.match),
                int(self.supported))

    def log_lr(self, batch: EvidenceBatch) -> np.ndarray:
        """Total log-LR per incident and hypothesis, shape (N, H), with numpy."""
        return _numpy_log_lr(batch, *self._tables())

    def posterior(self, batch: EvidenceBatch, *, engine: str = "auto") -> np.ndarray:
        """Posterior per incident, shape (N, H). ``engine``: "numpy", "numba" or "auto" (numba when importable)."""
        if engine not in {"auto", "numpy", "numba"}:
            raise ValueError(f"engine must be auto, numpy or numba, got {engine!r}")
        if engine != "numpy":
            kernel = _numba_kernel(batch.kind.size, required=engine == "numba")
            if kernel is not None:
                out = np.empty((len(batch), len(self.space)))
                kernel(batch.kind, batch.actor, batch.sponsor, batch.relation, batch.source, batch.hedge, batch.relays, batch.weapon,
                       *self._tables(), out)
                return out
            if engine == "numba":
                raise RuntimeError("numba is not installed")
        out = np.empty((len(batch), len(self.space)))
        step = 100_000
        for lo in range(0, len(batch), step):
            part = EvidenceBatch(*(x[lo:lo + step] for x in (batch.kind, batch.actor, batch.sponsor, batch.relation, batch.source,
                                                             batch.hedge, batch.relays, batch.weapon)))
            z = self.log_prior[None, :] + self.log_lr(part)
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            out[lo:lo + step] = z
        return out


def _transmit(p, n, eps, match):
    t = 1.0 - eps + eps * match
    e = eps * match
    return p * t**n + (1.0 - p) * e**n


def _numpy_log_lr(b, log_prior, claim_mask, deny_mask, sponsor_mask, perp_valid, claim_pt, claim_pf, imp_s, imp_r, actor_state, rel,
                  lab_a, lab_s, routine, base_d, hedge_f, denial, dispute, weapon_llr, eps, match, supported):
    n, k = b.kind.shape
    total = np.zeros((n, log_prior.size))
    for j in range(k):
        kind, a, s, r, m, hc, nr = (x[:, j] for x in (b.kind, b.actor, b.sponsor, b.relation, b.source, b.hedge, b.relays))
        live = kind >= 0
        report = (kind == 1) | (kind == 2)
        d = hedge_f[hc] * base_d[m, a, np.where(report | (kind == 0), 1, 0)]
        rr = rel[m]
        # factor 1: the perpetrator named (claim / report / denial / dispute of the actor)
        lam = lab_a[m, a]
        p1r, p0r = lam + (1 - lam) * rr, lam + (1 - lam) * (1 - rr)
        dn = denial[routine[m, a].astype(np.int64)]
        d_disp = d * np.maximum(0.0, 2 * rr - 1)
        p0 = np.select([kind == 0, report, kind == 3, kind == 4], [claim_pf[a], p0r, dn[:, 1], np.full(n, dispute[1])], 1.0)
        p1 = np.select([kind == 0, report, kind == 3, kind == 4], [claim_pt[a], p1r, dn[:, 0], np.full(n, dispute[0])], 1.0)
        dd = np.where(kind == 4, d_disp, d)
        p1 = p0 + dd * (p1 - p0)
        delta1 = np.log(_transmit(p1, nr, eps, match)) - np.log(_transmit(p0, nr, eps, match))
        use1 = live & (perp_valid[a] | (kind == 3))
        mask1 = np.where((kind == 3)[:, None], deny_mask[a], claim_mask[a])
        total += np.where(use1, delta1, 0.0)[:, None] * mask1
        # factor 2: the sponsor (reports), or a dispute about a sponsor when no perpetrator is named
        s_eff = np.where(s >= 0, s, imp_s[a])
        r_eff = np.where(r >= 0, r, np.where((s < 0) & (imp_r[a] >= 0), imp_r[a], supported))
        use2 = live & report & (s_eff >= 0) & (actor_state[a] != s_eff)
        disp2 = live & (kind == 4) & ~perp_valid[a] & (s >= 0)
        r_disp = np.where(r >= 0, r, supported)
        s_safe = np.maximum(s_eff, 0)
        lam2 = lab_s[m, s_safe]
        q1, q0 = lam2 + (1 - lam2) * rr, lam2 + (1 - lam2) * (1 - rr)
        q0 = np.where(disp2, dispute[1], q0)
        q1 = np.where(disp2, dispute[0], q1)
        q1 = q0 + np.where(disp2, d_disp, d) * (q1 - q0)
        delta2 = np.log(_transmit(q1, nr, eps, match)) - np.log(_transmit(q0, nr, eps, match))
        mask2 = sponsor_mask[s_safe, np.where(disp2, r_disp, r_eff)]
        total += np.where(use2 | disp2, delta2, 0.0)[:, None] * mask2
    has_w = b.weapon >= 0
    total += np.where(has_w[:, None], weapon_llr[np.maximum(b.weapon, 0)], 0.0)
    return total


#: below this many evidence items (incidents x items) "auto" stays on numpy: importing numba and loading the
#: cached kernel costs more than the numpy pass itself (measured in bench/startup.py and docs/attribution.md)
AUTO_NUMBA_MIN_ITEMS = 1_000_000


def _numba_kernel(size: int = 0, *, required: bool = False):
    """The compiled kernel, or None: without numba, or for "auto" (``required`` false) on a small problem
    in a process that has not loaded the kernel yet."""
    import sys

    loaded = "tripwire.attribute.kernel" in sys.modules
    if not required and not loaded and size < AUTO_NUMBA_MIN_ITEMS:
        return None
    try:
        from .kernel import _posterior
    except ImportError:  # pragma: no cover - numba is installed in CI
        return None
    return _posterior
