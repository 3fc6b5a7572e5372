"""Benchmark: batch attribution of 1,000,000 synthetic incidents x 10 evidence items.

Run: ``python bench/attribution.py [--n 1000000] [--k 10] [--baseline 2000]``.

Prints the wall time of the vectorised engine (numba kernel, and the numpy
path) on all N incidents, the pure-Python scalar engine (``Attributor``) on
a subsample of ``--baseline`` incidents extrapolated linearly to N (stated as
such), the speed-up ratios measured in the same run, and the largest
difference between the engines on the subsample. Target: < 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from tripwire.attribute import Attributor, Codebook
from tripwire.attribute.vectorised import EvidenceBatch
from tripwire.knowledge import KnowledgeBase
from tripwire.model import Source
from tripwire.settings import Settings


def build(seed: int, n: int, k: int) -> tuple[Codebook, EvidenceBatch]:
    att = Attributor(KnowledgeBase.load(), settings=Settings({"interval_draws": 0}, environ={}))
    book = Codebook(
        att,
        actors=["kataib-hezbollah", "isis", "iran-aligned-militia", "saraya-awliya-al-dam", "iran", "asaib-ahl-al-haq", "harakat-al-nujaba", "unknown"],
        sources=[Source(speaker_id="us-administration"), Source(speaker_id="pentagon"), Source(outlet_id="washington-post"),
                 Source(speaker_id="iran-government", outlet_id="reuters"), Source(speaker_id="iraqi-intelligence", outlet_id="new-york-times"),
                 Source(outlet_id="antiwar-com", anonymous=True), Source(speaker_id="kataib-hezbollah-spokesman"), Source(speaker_id="militia-telegram")],
        hedges=[(), ("apparently",), ("not yet clear", "reportedly"), ("no proof",)],
        weapons=["rocket-107mm", "rocket-122mm", "rocket", "ied", "drone"],
    )
    b = book.random_batch(n, k, np.random.default_rng(seed), fill=1.0)
    small = EvidenceBatch(*(x.astype(np.int8) for x in (b.kind, b.actor, b.sponsor, b.relation, b.source, b.hedge, b.relays, b.weapon)))
    return book, small


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--baseline", type=int, default=2_000, help="incidents for the pure-Python baseline (extrapolated to N)")
    ap.add_argument("--seed", type=int, default=20200105)
    args = ap.parse_args()
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    t0 = time.perf_counter()
    book, batch = build(args.seed, args.n, args.k)
    print(f"setup (codebook + synthetic batch of {args.n:,} x {args.k}): {time.perf_counter() - t0:.2f} s; {len(book.space)} hypotheses; "
          f"{int((batch.kind >= 0).sum()):,} evidence items")

    t0 = time.perf_counter()
    book.posterior(EvidenceBatch(*(x[:10] for x in (batch.kind, batch.actor, batch.sponsor, batch.relation, batch.source, batch.hedge,
                                                      batch.relays, batch.weapon))), engine="numba")
    print(f"numba compile (one-off per process): {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    post_nb = book.posterior(batch, engine="numba")
    t_nb = time.perf_counter() - t0
    print(f"vectorised engine, numba kernel: {args.n:,} incidents in {t_nb:.2f} s ({args.n / t_nb:,.0f} incidents/s)")
    t0 = time.perf_counter()
    post_np = book.posterior(batch, engine="numpy")
    t_np = time.perf_counter() - t0
    print(f"vectorised engine, numpy path:   {args.n:,} incidents in {t_np:.2f} s ({args.n / t_np:,.0f} incidents/s)")

    m = min(args.baseline, args.n)
    t0 = time.perf_counter()
    order = [h.key for h in book.space]
    worst = 0.0
    for i in range(m):
        r = book.att.attribute(book.incident(batch, i), hypotheses=book.space)
        p = {e.hypothesis.key: e.probability for e in r.posterior}
        worst = max(worst, float(np.abs(post_nb[i] - np.array([p[k] for k in order])).max()))
    t_py = time.perf_counter() - t0
    t_py_all = t_py * args.n / m
    print(f"pure-Python baseline (Attributor): {m:,} incidents in {t_py:.2f} s -> extrapolated to {args.n:,}: {t_py_all:,.0f} s (EXTRAPOLATED)")
    print(f"speed-up numba vs pure Python: {t_py_all / t_nb:,.0f}x; numpy vs pure Python: {t_py_all / t_np:,.0f}x")
    print(f"max |difference| numba vs scalar on the subsample: {worst:.2e}; numba vs numpy on all: {np.abs(post_nb - post_np).max():.2e}")
    print(f"target < 10 s for the vectorised engine: {'met' if t_nb < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
