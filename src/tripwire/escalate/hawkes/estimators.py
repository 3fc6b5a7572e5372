"""Scikit-learn/tick style estimators: :class:`HawkesExp` and :class:`HawkesSumExp`.

``__init__`` only stores parameters; ``fit`` returns ``self`` and sets attributes
ending in ``_``; ``score`` is the exact log-likelihood. A model built with
``baseline=`` and ``adjacency=`` can simulate, score and forecast without being
fitted; otherwise those methods raise :class:`~tripwire.errors.EstimationError`
until ``fit`` has run.

Adjacency convention (as in tick): ``adjacency[i, j]`` is the expected number
of events in dimension ``i`` directly triggered by one event in dimension ``j``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import EstimationError
from .diagnostics import GoodnessOfFit, ks_test, qq_plot
from .forecast import DEFAULT_QUANTILES, ForecastResult, forecast_counts
from .kernels import (
    Events,
    as_events,
    check_adjacency,
    check_baseline,
    decay_tensor,
    default_dim_names,
    spectral_radius,
    sum_decay_tensor,
)
from .design import excitation_at, sufficient_stats
from .mle import fit_mle

EventsLike = Sequence[np.ndarray] | Mapping[str, np.ndarray]


def _rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        if rng is None:
            raise EstimationError("pass a seed or a numpy Generator as rng; Tripwire never draws from global random state")
        return np.random.default_rng(int(rng))
    raise EstimationError(f"rng must be a numpy Generator or an integer seed, got {type(rng).__name__}")


class _HawkesBase:
    """Shared machinery; subclasses define the decay tensor and the adjacency shape."""

    _n_components: int = 1

    def __init__(
        self,
        *,
        baseline: Sequence[float] | np.ndarray | None,
        adjacency: np.ndarray | None,
        n_dims: int | None,
        dim_names: Sequence[str] | None,
        method: str,
        max_iter: int | None,
        tol: float,
    ) -> None:
        self.baseline = baseline
        self.adjacency = adjacency
        self.n_dims = n_dims
        self.dim_names = dim_names
        self.method = method
        self.max_iter = max_iter
        self.tol = tol

    # -- subclass hooks -------------------------------------------------
    def _beta(self, n_dims: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _public_alpha(self, alpha: np.ndarray) -> np.ndarray:
        return alpha[:, :, 0].copy() if alpha.shape[2] == 1 else alpha.copy()

    # -- parameters -----------------------------------------------------
    def _resolved_dims(self) -> int | None:
        if hasattr(self, "baseline_"):
            return len(self.baseline_)
        if self.n_dims is not None:
            return int(self.n_dims)
        if self.baseline is not None:
            return int(np.atleast_1d(np.asarray(self.baseline)).shape[0])
        if self.dim_names is not None:
            return len(self.dim_names)
        return None

    def _names(self, n_dims: int) -> tuple[str, ...]:
        if hasattr(self, "dim_names_"):
            return self.dim_names_
        return tuple(self.dim_names) if self.dim_names is not None else default_dim_names(n_dims)

    def _params(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(mu, alpha (D,D,U), beta (D,D,U))``: fitted values, else those given to ``__init__``."""
        if hasattr(self, "baseline_"):
            return self.baseline_, self._alpha_, self._beta_
        if self.baseline is None or self.adjacency is None:
            raise EstimationError(f"this {type(self).__name__} is not fitted yet: call fit() first, or pass baseline= and adjacency=")
        n_dims = self._resolved_dims()
        assert n_dims is not None
        mu = check_baseline(self.baseline, n_dims)
        beta = self._beta(n_dims)
        alpha = check_adjacency(self.adjacency, n_dims, beta.shape[2])
        return mu, alpha, beta

    def _events(self, events: EventsLike, end_time: float | None, *, n_dims: int | None = None) -> Events:
        n = n_dims if n_dims is not None else self._resolved_dims()
        names = self.dim_names_ if hasattr(self, "dim_names_") else self.dim_names
        if isinstance(events, Mapping):
            names = None
        return as_events(events, end_time=end_time, dim_names=names, n_dims=n)

    # -- estimation -----------------------------------------------------
    def fit(self, events: EventsLike, end_time: float) -> _HawkesBase:
        """Estimate baselines and adjacency (decays fixed) from ``events`` observed on ``[0, end_time]``."""
        ev = self._events(events, end_time, n_dims=self.n_dims)
        if ev.times.size == 0:
            raise EstimationError("cannot fit a Hawkes model to zero events")
        n_dims = ev.n_dims
        beta = self._beta(n_dims)
        stats = sufficient_stats(ev, end_time, beta)
        mu0 = check_baseline(self.baseline, n_dims) if self.baseline is not None else None
        alpha0 = check_adjacency(self.adjacency, n_dims, beta.shape[2]) if self.adjacency is not None else None
        if self.method == "mle":
            out = fit_mle(stats, mu0=mu0, alpha0=alpha0, max_iter=self.max_iter or 500, tol=self.tol)
        elif self.method == "em":
            from .em import fit_em

            out = fit_em(stats, mu0=mu0, alpha0=alpha0, max_iter=self.max_iter or 5000, tol=self.tol)
        else:
            raise EstimationError(f"unknown fitting method {self.method!r}; use 'mle' or 'em'")
        self.dim_names_ = ev.dim_names
        self.end_time_ = float(end_time)
        self.n_events_ = tuple(int(c) for c in ev.counts)
        self._beta_ = beta
        self._alpha_ = out.alpha
        self.baseline_ = out.baseline
        self.adjacency_ = self._public_alpha(out.alpha)
        self.baseline_se_ = out.baseline_se
        self.adjacency_se_ = self._public_alpha(out.alpha_se)
        self._alpha_se_ = out.alpha_se
        self.loglik_ = out.loglik
        self.n_iter_ = out.n_iter
        self.converged_ = out.converged
        self.spectral_radius_ = spectral_radius(out.alpha)
        return self

    def score(self, events: EventsLike, end_time: float) -> float:
        """Exact log-likelihood of ``events`` on ``[0, end_time]`` (O(N) numba recursion)."""
        from .likelihood import loglikelihood  # numba: compiled or loaded on first use

        mu, alpha, beta = self._params()
        ev = self._events(events, end_time, n_dims=len(mu))
        return loglikelihood(ev, end_time, mu, alpha, beta)

    @property
    def branching_matrix_(self) -> np.ndarray:
        """Expected direct offspring: entry ``[i, j]`` = children in ``i`` per event in ``j``."""
        _, alpha, _ = self._params()
        return alpha.sum(axis=2)

    def intensity(self, events: EventsLike, times: Sequence[float] | np.ndarray) -> np.ndarray:
        """Conditional intensity ``lambda_i(t)`` (left limit) at each of ``times``; shape ``(D, len(times))``."""
        mu, alpha, beta = self._params()
        ev = self._events(events, None, n_dims=len(mu))
        ts = np.atleast_1d(np.asarray(times, dtype=np.float64))
        out = np.empty((len(mu), ts.size))
        for k, t in enumerate(ts):
            state = excitation_at(ev.per_dim, float(t), beta, inclusive=False)
            out[:, k] = mu + (alpha * beta * state).sum(axis=(1, 2))
        return out

    # -- diagnostics ----------------------------------------------------
    def goodness_of_fit(self, events: EventsLike, end_time: float) -> GoodnessOfFit:
        """Time-rescaling residuals per dimension with a KS test against Exp(1)."""
        mu, alpha, beta = self._params()
        ev = self._events(events, end_time, n_dims=len(mu))
        return ks_test(ev, end_time, mu, alpha, beta)

    def qq_plot(self, events: EventsLike, end_time: float, path: str | Path | None = None) -> Any:
        """QQ plot of the time-rescaling residuals (matplotlib Figure; PNG written when ``path`` is given)."""
        return qq_plot(self.goodness_of_fit(events, end_time), path)

    # -- simulation & forecasting ----------------------------------------
    def simulate(
        self,
        end_time: float,
        rng: np.random.Generator | int,
        *,
        history: EventsLike | None = None,
        start_time: float | None = None,
        method: str = "thinning",
    ) -> list[np.ndarray]:
        """Simulate events on ``(start_time, end_time]``, continuing ``history`` if given.

        ``start_time`` defaults to the last history event (0 without history). Only
        the new events are returned, one sorted array per dimension. ``method`` is
        ``"thinning"`` (Ogata) or ``"cluster"`` (immigration-birth). Raises
        EstimationError when the branching matrix has spectral radius >= 1.
        """
        from .simulate import cluster_per_dim, simulate_thinning, split_by_dim  # numba kernels

        mu, alpha, beta = self._params()
        gen = _rng(rng)
        hist = self._events(history, None, n_dims=len(mu)) if history is not None else None
        if start_time is None:
            start_time = float(hist.times[-1]) if hist is not None and hist.times.size else 0.0
        if hist is not None and hist.times.size and hist.times[-1] > start_time:
            raise EstimationError(f"history has events after start_time {start_time:g}")
        if not (np.isfinite(end_time) and end_time > start_time):
            raise EstimationError(f"end_time must be after start_time {start_time:g}, got {end_time!r}")
        if method == "thinning":
            state0 = excitation_at(hist.per_dim, start_time, beta) if hist is not None else None
            times, marks = simulate_thinning(mu, alpha, beta, start_time=start_time, end_time=end_time, rng=gen, state0=state0)
            return split_by_dim(times, marks, len(mu))
        if method == "cluster":
            return cluster_per_dim(mu, alpha, beta, start_time=start_time, end_time=end_time, rng=gen,
                                   history=hist.per_dim if hist is not None else None)
        raise EstimationError(f"unknown simulation method {method!r}; use 'thinning' or 'cluster'")

    def forecast(
        self,
        events: EventsLike,
        start: float,
        window: float,
        *,
        n_sims: int = 1000,
        rng: np.random.Generator | int,
        quantiles: Sequence[float] = DEFAULT_QUANTILES,
        method: str = "thinning",
    ) -> ForecastResult:
        """Distribution of event counts per dimension in ``(start, start + window]`` given events up to ``start``."""
        mu, alpha, beta = self._params()
        ev = self._events(events, None, n_dims=len(mu))
        return forecast_counts(mu, alpha, beta, ev, start, window, n_sims=n_sims, rng=_rng(rng), quantiles=quantiles, method=method)

    def summary(self) -> dict[str, Any]:
        """Fitted parameters with standard errors, keyed by dimension name (JSON-ready)."""
        if not hasattr(self, "baseline_"):
            raise EstimationError(f"this {type(self).__name__} is not fitted yet: call fit() first")
        names = self.dim_names_
        adj, se3 = self._alpha_, self._alpha_se_
        return {
            "kernel": type(self).__name__,
            "decays": self._beta_.tolist() if self._beta_.shape[2] > 1 else self._beta_[:, :, 0].tolist(),
            "end_time": self.end_time_,
            "log_likelihood": self.loglik_,
            "spectral_radius": self.spectral_radius_,
            "converged": self.converged_,
            "dimensions": {
                name: {"n_events": self.n_events_[i], "baseline": float(self.baseline_[i]), "baseline_se": float(self.baseline_se_[i])}
                for i, name in enumerate(names)
            },
            "adjacency": [
                {
                    "target": names[i],
                    "source": names[j],
                    "value": float(adj[i, j].sum()),
                    "components": adj[i, j].tolist(),
                    "se": se3[i, j].tolist(),
                }
                for i in range(len(names))
                for j in range(len(names))
            ],
        }


class HawkesExp(_HawkesBase):
    """Multivariate Hawkes process with exponential kernels ``alpha_ij * beta * exp(-beta t)``.

    ``decay`` is a number shared by all pairs or a ``(D, D)`` matrix (None means 1.0);
    decays are fixed, baselines and adjacency are estimated. ``method`` is ``"mle"``
    (projected Newton on the exact likelihood) or ``"em"`` (branching-structure EM).
    Fitted attributes: ``baseline_``, ``adjacency_`` (``(D, D)``), ``baseline_se_``,
    ``adjacency_se_``, ``loglik_``, ``spectral_radius_``, ``dim_names_``.
    """

    def __init__(
        self,
        decay: float | np.ndarray | None = None,
        *,
        baseline: Sequence[float] | np.ndarray | None = None,
        adjacency: np.ndarray | None = None,
        n_dims: int | None = None,
        dim_names: Sequence[str] | None = None,
        method: str = "mle",
        max_iter: int | None = None,
        tol: float = 1e-10,
    ) -> None:
        super().__init__(baseline=baseline, adjacency=adjacency, n_dims=n_dims, dim_names=dim_names, method=method, max_iter=max_iter, tol=tol)
        self.decay = decay

    def _beta(self, n_dims: int) -> np.ndarray:
        return decay_tensor(1.0 if self.decay is None else self.decay, n_dims)


class HawkesSumExp(_HawkesBase):
    """Multivariate Hawkes process with kernels ``sum_u alpha_iju * beta_u * exp(-beta_u t)``.

    ``decays`` are the fixed ``beta_u`` shared by all pairs; ``adjacency_`` has shape
    ``(D, D, U)`` and the branching matrix is its sum over the last axis.
    """

    def __init__(
        self,
        decays: Sequence[float] = (0.1, 1.0, 10.0),
        *,
        baseline: Sequence[float] | np.ndarray | None = None,
        adjacency: np.ndarray | None = None,
        n_dims: int | None = None,
        dim_names: Sequence[str] | None = None,
        method: str = "mle",
        max_iter: int | None = None,
        tol: float = 1e-10,
    ) -> None:
        super().__init__(baseline=baseline, adjacency=adjacency, n_dims=n_dims, dim_names=dim_names, method=method, max_iter=max_iter, tol=tol)
        self.decays = decays

    def _beta(self, n_dims: int) -> np.ndarray:
        return sum_decay_tensor(self.decays, n_dims)

    def _public_alpha(self, alpha: np.ndarray) -> np.ndarray:
        return alpha.copy()
