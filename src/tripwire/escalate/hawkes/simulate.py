"""Simulating multivariate Hawkes processes: Ogata thinning (numba) and the cluster method.

Both take a :class:`numpy.random.Generator` (never global state) and can start
from an observed history: with exponential kernels the past enters only through
the excitation state at the start time, so history events keep exciting the
future exactly as they would have.

* **Thinning** (Ogata 1981): between events every intensity only decays, so the
  total intensity just after the last event bounds it until the next candidate;
  candidates come from a homogeneous process at that rate and are kept with
  probability ``lambda(t) / bound``.
* **Cluster** (immigration-birth): immigrants arrive as Poisson processes with
  rates ``mu``; each event in ``j`` has ``Poisson(alpha_iju)`` children in ``i``
  after ``Exp(beta_iju)`` delays, generation after generation. The children of
  a generation's ``n`` events in ``j`` are drawn as their sum, one
  ``Poisson(n alpha_iju)`` count, each child given a parent uniformly at random:
  the same distribution (independent Poisson counts are multinomial given their
  total) with one draw per child instead of one per parent. Past events of a
  ``history`` pass on their children the same way, their ``Poisson`` rates
  summed (a child's delay past the start time does not depend on its parent).
"""

from __future__ import annotations

import numpy as np

from ...errors import EstimationError
from .kernels import check_stationary, shared_decays
from .likelihood import jit


@jit
def _thinning_core(rng, t0, end_time, mu, alpha, beta, shared, state0, max_events):  # pragma: no cover - compiled
    d_dims, _, n_comp = alpha.shape
    contrib = np.empty((d_dims, d_dims, n_comp))
    jump = np.empty((d_dims, d_dims, n_comp))
    for i in range(d_dims):
        for j in range(d_dims):
            for u in range(n_comp):
                jump[i, j, u] = alpha[i, j, u] * beta[i, j, u]
                contrib[i, j, u] = jump[i, j, u] * state0[i, j, u]
    lam = np.empty(d_dims)
    fac = np.empty(n_comp)
    cap = 1024
    out_t = np.empty(cap)
    out_m = np.empty(cap, dtype=np.int64)
    n = 0
    t = t0
    tlast = t0
    bound = 0.0
    for i in range(d_dims):
        bound += mu[i]
        for j in range(d_dims):
            for u in range(n_comp):
                bound += contrib[i, j, u]
    while bound > 0.0:
        t += rng.exponential(1.0 / bound)
        if t > end_time:
            break
        dt = t - tlast
        tlast = t
        if shared:
            for u in range(n_comp):
                fac[u] = np.exp(-beta[0, 0, u] * dt)
        total = 0.0
        for i in range(d_dims):
            acc = mu[i]
            for j in range(d_dims):
                for u in range(n_comp):
                    if shared:
                        contrib[i, j, u] *= fac[u]
                    else:
                        contrib[i, j, u] *= np.exp(-beta[i, j, u] * dt)
                    acc += contrib[i, j, u]
            lam[i] = acc
            total += acc
        draw = rng.random() * bound
        bound = total
        if draw >= total:
            continue
        m = 0
        cum = lam[0]
        while cum <= draw and m < d_dims - 1:
            m += 1
            cum += lam[m]
        if n == cap:
            if n >= max_events:
                return out_t[:n], out_m[:n], False
            cap *= 2
            nt = np.empty(cap)
            nm = np.empty(cap, dtype=np.int64)
            nt[:n] = out_t[:n]
            nm[:n] = out_m[:n]
            out_t = nt
            out_m = nm
        out_t[n] = t
        out_m[n] = m
        n += 1
        for i in range(d_dims):
            for u in range(n_comp):
                contrib[i, m, u] += jump[i, m, u]
                bound += jump[i, m, u]
    return out_t[:n], out_m[:n], True


@jit
def _thinning_counts(rng, n_sims, t0, end_time, mu, alpha, beta, shared, state0, max_events):  # pragma: no cover - compiled
    d_dims = mu.shape[0]
    counts = np.zeros((n_sims, d_dims), dtype=np.int64)
    for s in range(n_sims):
        _, marks, ok = _thinning_core(rng, t0, end_time, mu, alpha, beta, shared, state0, max_events)
        if not ok:
            return counts, False
        for m in marks:
            counts[s, m] += 1
    return counts, True


def split_by_dim(times: np.ndarray, marks: np.ndarray, n_dims: int) -> list[np.ndarray]:
    """Per-dimension sorted arrays from merged (time-sorted) times and marks."""
    return [np.ascontiguousarray(times[marks == d]) for d in range(n_dims)]


def simulate_thinning(
    mu: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    *,
    start_time: float,
    end_time: float,
    rng: np.random.Generator,
    state0: np.ndarray | None = None,
    max_events: int = 50_000_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Ogata thinning on ``(start_time, end_time]``; returns merged ``(times, marks)``."""
    check_stationary(alpha)
    if state0 is None:
        state0 = np.zeros_like(alpha)
    shared = shared_decays(beta) is not None
    times, marks, ok = _thinning_core(rng, float(start_time), float(end_time), mu, alpha, beta, shared, state0, max_events)
    if not ok:
        raise EstimationError(f"simulation stopped after {max_events} events; shorten the horizon or lower the rates")
    return times, marks


def simulate_cluster(
    mu: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    *,
    start_time: float,
    end_time: float,
    rng: np.random.Generator,
    history: tuple[np.ndarray, ...] | None = None,
    max_events: int = 50_000_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Immigration-birth simulation on ``(start_time, end_time]``; returns merged ``(times, marks)``."""
    per_dim = cluster_per_dim(mu, alpha, beta, start_time=start_time, end_time=end_time, rng=rng, history=history, max_events=max_events)
    times = np.concatenate(per_dim)
    marks = np.concatenate([np.full(t.size, d, dtype=np.int64) for d, t in enumerate(per_dim)])
    order = np.argsort(times, kind="stable")
    return np.ascontiguousarray(times[order]), np.ascontiguousarray(marks[order])


def cluster_per_dim(
    mu: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    *,
    start_time: float,
    end_time: float,
    rng: np.random.Generator,
    history: tuple[np.ndarray, ...] | None = None,
    max_events: int = 50_000_000,
    sort: bool = True,
) -> list[np.ndarray]:
    """Immigration-birth simulation on ``(start_time, end_time]``: one array of event times per dimension (sorted unless not ``sort``).

    Generation by generation, each dimension's events are kept apart, so no
    merged sort or mark mask is needed (a count-only caller passes
    ``sort=False``). :func:`simulate_cluster` is these arrays merged in time order.
    """
    check_stationary(alpha)
    d_dims, _, n_comp = alpha.shape
    horizon = end_time - start_time
    # events of the current generation, per dimension, as the list of arrays they were born in (in birth order)
    gen: list[list[np.ndarray]] = [[] for _ in range(d_dims)]
    for i in range(d_dims):
        k = rng.poisson(mu[i] * horizon)
        gen[i].append(start_time + rng.uniform(0.0, horizon, size=k))
    if history is not None:  # children of past events that fall after start_time (memoryless delays)
        for j, tj in enumerate(history):
            lag = start_time - tj[tj <= start_time]
            for i in range(d_dims):
                for u in range(n_comp):
                    total = rng.poisson(alpha[i, j, u] * np.exp(-beta[i, j, u] * lag).sum())
                    gen[i].append(start_time + rng.exponential(1.0 / beta[i, j, u], size=total))
    parents = [_within(np.concatenate(g), end_time) if g else np.empty(0) for g in gen]
    out: list[list[np.ndarray]] = [[p] for p in parents]
    n_total = sum(p.size for p in parents)
    while any(p.size for p in parents):
        born_in: list[list[np.ndarray]] = [[] for _ in range(d_dims)]
        for j in range(d_dims):
            pj = parents[j]
            if pj.size == 0:
                continue
            for i in range(d_dims):
                for u in range(n_comp):
                    if alpha[i, j, u] == 0.0:
                        continue
                    total = rng.poisson(alpha[i, j, u] * pj.size)
                    if total == 0:
                        continue
                    born = pj[rng.integers(0, pj.size, size=total)] + rng.exponential(1.0 / beta[i, j, u], size=total)
                    born_in[i].append(born[born <= end_time])
        if not any(born_in):
            break
        parents = [np.concatenate(b) if b else np.empty(0) for b in born_in]
        n_total += sum(p.size for p in parents)
        if n_total > max_events:
            raise EstimationError(f"simulation stopped after {max_events} events; shorten the horizon or lower the rates")
        for i in range(d_dims):
            out[i].append(parents[i])
    merged = [np.concatenate(o) for o in out]
    return [np.sort(t) if sort else t for t in merged]


def _within(times: np.ndarray, end_time: float) -> np.ndarray:
    return times[times <= end_time]
