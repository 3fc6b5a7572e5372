"""Forecasting event counts over a window, by simulation and (for exponential kernels) exactly.

Given the history up to ``start``, the expected intensity ``m(t) = E[lambda(t) | history]``
of a Hawkes process with exponential kernels solves a linear ODE: the excitation
``C_iju = alpha_iju beta_iju sum_l exp(-beta_iju (t - t_l^j))`` decays at rate
``beta_iju`` and jumps by ``alpha_iju beta_iju`` at each event of ``j``, so in
expectation ``C' = -beta C + alpha beta m_j`` with ``m = mu + sum C``. Augmenting the
state with the cumulative expected counts and a constant gives ``z' = B z``, and
``expm(B * window)`` yields the expected count in ``[start, start + window]`` exactly.
Quantiles and ``P(at least one event)`` come from simulations continuing the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import EstimationError
from .kernels import Events, check_stationary, shared_decays
from .design import excitation_at

DEFAULT_QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class ForecastResult:
    """Event-count forecast for each dimension over ``(start, start + window]``.

    ``expected_count`` is exact (matrix exponential); ``mean_count``,
    ``count_quantiles`` (``[dim][level]``) and ``p_any`` come from ``n_sims``
    simulations; ``intensity_at_start`` is the conditional intensity just after
    ``start`` (events per time unit).
    """

    dim_names: tuple[str, ...]
    start: float
    window: float
    n_sims: int
    intensity_at_start: tuple[float, ...]
    expected_count: tuple[float, ...]
    mean_count: tuple[float, ...]
    quantile_levels: tuple[float, ...]
    count_quantiles: tuple[tuple[float, ...], ...]
    p_any: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, one entry per dimension name."""
        dims = {}
        for d, name in enumerate(self.dim_names):
            dims[name] = {
                "intensity_at_start": self.intensity_at_start[d],
                "expected_count": self.expected_count[d],
                "mean_count": self.mean_count[d],
                "quantiles": {f"{q:g}": v for q, v in zip(self.quantile_levels, self.count_quantiles[d], strict=True)},
                "p_any": self.p_any[d],
            }
        return {"start": self.start, "window": self.window, "n_sims": self.n_sims, "dimensions": dims}


def expected_counts(mu: np.ndarray, alpha: np.ndarray, beta: np.ndarray, state0: np.ndarray, window: float) -> np.ndarray:
    """Exact ``E[N_i(start + window) - N_i(start) | history]`` from the excitation state at ``start``."""
    d_dims, _, n_comp = alpha.shape
    n_state = d_dims * d_dims * n_comp
    size = n_state + d_dims + 1
    B = np.zeros((size, size))
    jump = (alpha * beta).reshape(-1)
    idx = np.arange(n_state).reshape(d_dims, d_dims, n_comp)
    B[np.arange(n_state), np.arange(n_state)] = -beta.reshape(-1)
    for i in range(d_dims):
        for j in range(d_dims):
            for u in range(n_comp):
                row = idx[i, j, u]
                B[row, idx[j].reshape(-1)] += jump[row]  # alpha beta * (sum_k,v C_jkv)
                B[row, -1] = jump[row] * mu[j]  # alpha beta * mu_j
        B[n_state + i, idx[i].reshape(-1)] = 1.0  # dN_i/dt = mu_i + sum C_i..
        B[n_state + i, -1] = mu[i]
    z0 = np.zeros(size)
    z0[:n_state] = (alpha * beta * state0).reshape(-1)
    z0[-1] = 1.0
    from scipy.linalg import expm  # imported when a forecast is made, not with the fitting code

    z = expm(B * window) @ z0
    return z[n_state : n_state + d_dims]


def forecast_counts(
    mu: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    events: Events,
    start: float,
    window: float,
    *,
    n_sims: int,
    rng: np.random.Generator,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    method: str = "thinning",
) -> ForecastResult:
    """Forecast counts in ``(start, start + window]`` given the events up to ``start``."""
    if not (np.isfinite(window) and window > 0):
        raise EstimationError(f"the forecast window must be a positive number, got {window!r}")
    if not np.isfinite(start):
        raise EstimationError(f"the forecast start must be a finite time, got {start!r}")
    if int(n_sims) < 1:
        raise EstimationError(f"n_sims must be at least 1, got {n_sims!r}")
    levels = tuple(float(q) for q in quantiles)
    if any(not 0.0 <= q <= 1.0 for q in levels):
        raise EstimationError(f"quantile levels must lie in [0, 1], got {list(levels)}")
    if method not in ("thinning", "cluster"):
        raise EstimationError(f"unknown simulation method {method!r}; use 'thinning' or 'cluster'")
    from .simulate import _thinning_counts, cluster_per_dim  # numba kernels: compiled or loaded on first use

    check_stationary(alpha)
    state0 = excitation_at(events.per_dim, start, beta)
    lam0 = mu + (alpha * beta * state0).sum(axis=(1, 2))
    exact = expected_counts(mu, alpha, beta, state0, window)
    end = start + window
    if method == "thinning":
        counts, ok = _thinning_counts(rng, int(n_sims), float(start), float(end), mu, alpha, beta, shared_decays(beta) is not None, state0, 50_000_000)
        if not ok:
            raise EstimationError("a forecast simulation produced too many events; the window is too long for these rates")
    else:
        history = tuple(t[t <= start] for t in events.per_dim)
        counts = np.zeros((int(n_sims), len(mu)), dtype=np.int64)
        for s in range(int(n_sims)):
            per_dim = cluster_per_dim(mu, alpha, beta, start_time=start, end_time=end, rng=rng, history=history, sort=False)
            counts[s] = [t.size for t in per_dim]
    qs = np.quantile(counts, levels, axis=0) if levels else np.empty((0, len(mu)))
    return ForecastResult(
        dim_names=events.dim_names,
        start=float(start),
        window=float(window),
        n_sims=int(n_sims),
        intensity_at_start=tuple(float(x) for x in lam0),
        expected_count=tuple(float(x) for x in exact),
        mean_count=tuple(float(x) for x in counts.mean(axis=0)),
        quantile_levels=levels,
        count_quantiles=tuple(tuple(float(x) for x in qs[:, d]) for d in range(len(mu))),
        p_any=tuple(float(x) for x in (counts > 0).mean(axis=0)),
    )
