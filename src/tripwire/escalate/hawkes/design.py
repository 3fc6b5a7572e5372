"""The fitting design of a Hawkes model with fixed decays, built with numba or with numpy.

With the decays fixed, the log-likelihood of dimension ``i`` is

    log L_i = sum_k log(mu_i + X_i[k] @ a_i) - mu_i T - a_i @ H_i,

where row ``k`` of ``X_i`` holds the excitation ``beta sum_l exp(-beta (t_k - t_l))``
felt by the ``k``-th event of ``i`` from each component ``(j, u)`` (events strictly
before it), ``H_i`` the kernel integrals up to ``T`` and ``a_i = alpha[i].ravel()``.
It is separable across dimensions and concave; the MLE, EM, standard-error and
goodness-of-fit code all work from this design (:class:`SufficientStats`).

Two builders give the same design (the tests check agreement to 1e-12):

* ``"numba"``: one recursive pass over the merged events (:func:`.likelihood._features_numba`),
  writing each row straight into its dimension's block; the fastest once compiled;
* ``"numpy"``: per source dimension, the decayed event counts
  ``S_l = sum_{l' <= l} exp(-beta (t_l - t_l'))`` by a doubling scan (products of numbers
  in ``[0, 1]`` and sums of positive terms only, so no overflow and no cancellation),
  then each event's excitation from the last earlier source event. No compilation.

``engine="auto"`` (the default) weighs what numba would cost in this process (importing
numba, loading its cached machine code, or compiling it: seconds) against the numpy
builder's extra time, which grows with the work ``events x columns``: see
:func:`choose_engine`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np

from ...errors import EstimationError
from .kernels import Events, shared_decays

ENGINES = ("auto", "numba", "numpy")
#: events x design columns from which the numba builder pays for itself when its kernel is
#: already compiled in this process (numpy then costs ~40 ns more per entry)
NUMBA_READY_WORK = 100_000
#: ... when numba is imported and the kernel's machine code is in numba's on-disk cache (loading: ~0.1-0.4 s)
NUMBA_CACHED_WORK = 4_000_000
#: ... otherwise (importing numba and compiling the kernel: 2-4 s in a fresh process)
NUMBA_COLD_WORK = 60_000_000


@dataclass(frozen=True)
class SufficientStats:
    """Per-dimension design for fixed decays: ``loglik_i = sum log(mu_i + X[i] @ a_i) - mu_i T - a_i @ H[i]``.

    ``XT[i]`` is ``(D*U, N_i)``, C-contiguous: row ``(j, u)`` holds the excitation of each event
    of ``i`` from component ``(j, u)`` (stored transposed: the products over events then run
    along contiguous rows); ``X[i]`` is its transpose ``(N_i, D*U)``. ``H[i]`` is ``(D*U,)``
    (integrated kernels up to ``end_time``), ``a_i = alpha[i].ravel()``; ``theta = [mu_i, a_i...]`` below.
    """

    XT: tuple[np.ndarray, ...]
    H: np.ndarray
    end_time: float
    n_components: int

    @property
    def X(self) -> tuple[np.ndarray, ...]:
        """The design of each dimension, one row per event: ``XT[i].T``."""
        return tuple(x.T for x in self.XT)

    def n_events(self, i: int) -> int:
        """Number of events of dimension ``i``."""
        return self.XT[i].shape[1]

    def intensities(self, i: int, theta: np.ndarray) -> np.ndarray:
        """``lambda`` at each event of dimension ``i``."""
        return intensities(self.XT[i], theta)

    def loglik_dim(self, i: int, theta: np.ndarray) -> float:
        """Log-likelihood of dimension ``i`` at ``theta``."""
        theta = np.asarray(theta, dtype=np.float64)
        return -neg_loglik(self.XT[i], self.H[i], self.end_time, theta, intensities(self.XT[i], theta))

    def neg_loglik_grad(self, i: int, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log-likelihood of dimension ``i`` and its analytic gradient."""
        theta = np.asarray(theta, dtype=np.float64)
        lam = intensities(self.XT[i], theta)
        return neg_loglik(self.XT[i], self.H[i], self.end_time, theta, lam), neg_gradient(self.XT[i], self.H[i], self.end_time, lam)

    def neg_hessian(self, i: int, theta: np.ndarray) -> np.ndarray:
        """Observed information of dimension ``i``: ``sum_k x_k x_k^T / lambda_k^2`` with ``x_k = [1, X_k]``."""
        theta = np.asarray(theta, dtype=np.float64)
        return information(self.XT[i], intensities(self.XT[i], theta))

    def loglik(self, mu: np.ndarray, alpha: np.ndarray) -> float:
        """Total log-likelihood at ``(mu, alpha)``."""
        return sum(self.loglik_dim(i, np.concatenate([[mu[i]], alpha[i].ravel()])) for i in range(len(self.XT)))


def intensities(XT: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``lambda_k = mu + a @ XT[:, k]`` at each event, for ``theta = [mu, a...]``."""
    return theta[0] + theta[1:] @ XT


def neg_loglik(XT: np.ndarray, H: np.ndarray, end_time: float, theta: np.ndarray, lam: np.ndarray, weight: float = 1.0) -> float:
    """``mu T + a @ H - weight * sum log lambda`` (``inf`` where an intensity is not positive).

    ``weight`` scales the event terms, for a subsample standing in for all events.
    """
    if lam.size and not lam.min() > 0.0:
        return float("inf")
    return float(theta[0] * end_time + H @ theta[1:] - weight * np.log(lam).sum())


def neg_gradient(XT: np.ndarray, H: np.ndarray, end_time: float, lam: np.ndarray, weight: float = 1.0) -> np.ndarray:
    """Gradient of :func:`neg_loglik`: ``[T - w sum 1/lambda, H - w XT (1/lambda)]``."""
    inv = 1.0 / lam
    grad = np.empty(1 + XT.shape[0])
    grad[0] = end_time - weight * inv.sum()
    grad[1:] = H - weight * (XT @ inv)
    return grad


def information(XT: np.ndarray, lam: np.ndarray, weight: float = 1.0) -> np.ndarray:
    """Hessian of :func:`neg_loglik` (the observed information): ``w sum_k x_k x_k^T / lambda_k^2``, ``x_k = [1, XT[:, k]]``."""
    inv = 1.0 / lam
    scaled = XT * inv
    info = np.empty((1 + XT.shape[0],) * 2)
    info[0, 0] = inv @ inv
    info[0, 1:] = info[1:, 0] = scaled @ inv
    info[1:, 1:] = scaled @ scaled.T
    if weight != 1.0:
        info *= weight
    return info


def sufficient_stats(events: Events, end_time: float, beta: np.ndarray, *, engine: str = "auto") -> SufficientStats:
    """Tabulate the per-dimension design for decays ``beta`` (``engine``: ``auto``, ``numba`` or ``numpy``)."""
    if engine not in ENGINES:
        raise EstimationError(f"unknown design engine {engine!r}; use one of {', '.join(ENGINES)}")
    d_dims, _, n_comp = beta.shape
    offsets = np.concatenate([[0], np.cumsum(events.counts)]).astype(np.int64)
    if engine == "auto":
        engine = choose_engine(events.times.size * d_dims * n_comp)
    width = d_dims * n_comp
    flat = np.empty(events.times.size * width)  # dimension i's block: (width, N_i), C order, from width * offsets[i]
    blocks = tuple(flat[width * offsets[i] : width * offsets[i + 1]].reshape(width, offsets[i + 1] - offsets[i]) for i in range(d_dims))
    if engine == "numba":
        from .likelihood import _features_numba

        _features_numba(events.times, events.marks, offsets, beta, shared_decays(beta) is not None, flat)
    else:
        _features_numpy(events, offsets, beta, blocks)
    return SufficientStats(blocks, _integrals(events, end_time, beta), float(end_time), n_comp)


def choose_engine(work: int) -> str:
    """``numba`` when its set-up cost in this process is smaller than what it saves on ``work`` entries, else ``numpy``."""
    if work < NUMBA_READY_WORK or os.environ.get("NUMBA_DISABLE_JIT") == "1":
        return "numpy"
    if "numba" in sys.modules:
        from .likelihood import _features_numba

        if _features_numba.signatures:
            return "numba"
        if work >= NUMBA_CACHED_WORK and _on_disk(_features_numba):
            return "numba"
    return "numba" if work >= NUMBA_COLD_WORK else "numpy"


def _on_disk(dispatcher: object) -> bool:
    """Whether numba's cache holds an index for ``dispatcher`` (its machine code can be loaded, not compiled)."""
    try:
        return os.path.exists(dispatcher._cache._cache_file._index_path)  # type: ignore[attr-defined]
    except AttributeError:  # no cache (uncached fallback) or another numba layout: assume a compile
        return False


def decayed_counts(t: np.ndarray, b: float) -> np.ndarray:
    """``S_l = sum_{l' <= l} exp(-b (t_l - t_l'))`` for sorted ``t``, by a doubling scan of ``S_l = 1 + q_l S_{l-1}``.

    After the step with span ``k``, ``S_l = A_l S_{l-k} + B_l``; composing two steps
    multiplies factors in ``[0, 1]`` and adds positive terms, so the result is exact to
    rounding in ``log2(n)`` vectorised passes.
    """
    n = t.size
    acc = np.ones(n)
    if n < 2:
        return acc
    fac = np.empty(n)
    fac[0] = 0.0
    np.exp(-b * np.diff(t), out=fac[1:])
    k = 1
    while k < n:
        acc[k:] += fac[k:] * acc[:-k]
        fac[k:] *= fac[:-k]
        k *= 2
    return acc


def _features_numpy(events: Events, offsets: np.ndarray, beta: np.ndarray, blocks: tuple[np.ndarray, ...]) -> None:
    """Fill each dimension's ``(D*U, N_i)`` design block (events in time order) with numpy."""
    times, marks = events.times, events.marks
    d_dims, _, n_comp = beta.shape
    n = times.size
    order = np.argsort(marks, kind="stable")  # merged position of the r-th row
    rows_t = times[order]
    ties = n > 1 and bool(np.any(times[1:] == times[:-1]))
    first = np.searchsorted(times, times, side="left") if ties else None  # start of each time stamp's group
    for block in blocks:
        block.fill(0.0)
    for j, tj in enumerate(events.per_dim):
        if tj.size == 0:
            continue
        is_j = marks == j
        before = np.cumsum(is_j) - is_j  # events of j strictly earlier in merged order
        if first is not None:
            before = before[first]  # ... and strictly earlier in time: tied events do not excite each other
        before = before[order]
        last = np.maximum(before - 1, 0)  # the latest earlier event of j
        lag = rows_t - tj[last]
        none = before == 0
        scans: dict[float, np.ndarray] = {}
        for i in range(d_dims):
            rows = slice(offsets[i], offsets[i + 1])
            for u in range(n_comp):
                b = float(beta[i, j, u])
                if b not in scans:
                    scans[b] = decayed_counts(tj, b)
                col = np.exp(-b * lag[rows])
                col *= scans[b][last[rows]]
                col *= b
                col[none[rows]] = 0.0
                blocks[i][j * n_comp + u] = col


def _integrals(events: Events, end_time: float, beta: np.ndarray) -> np.ndarray:
    """``H[i, (j, u)] = sum_{t_l in N_j} (1 - exp(-beta_iju (T - t_l)))``."""
    d_dims, _, n_comp = beta.shape
    shared = shared_decays(beta)
    H = np.empty((d_dims, d_dims, n_comp))
    for j, tj in enumerate(events.per_dim):
        rem = end_time - tj
        if shared is not None:
            H[:, j, :] = np.array([np.sum(-np.expm1(-b * rem)) for b in shared])[None, :]
        else:
            for i in range(d_dims):
                H[i, j, :] = [np.sum(-np.expm1(-b * rem)) for b in beta[i, j]]
    return H.reshape(d_dims, d_dims * n_comp)


def excitation_at(per_dim: tuple[np.ndarray, ...], t: float, beta: np.ndarray, *, inclusive: bool = True) -> np.ndarray:
    """``sum_{t_l^j <= t} exp(-beta_iju (t - t_l^j))`` for every ``(i, j, u)``: the recursion state at ``t``.

    ``inclusive=False`` leaves out events at exactly ``t`` (the left limit).
    """
    d_dims, _, n_comp = beta.shape
    state = np.zeros((d_dims, d_dims, n_comp))
    shared = shared_decays(beta)
    for j, tj in enumerate(per_dim):
        lag = t - tj[(tj <= t) if inclusive else (tj < t)]
        if lag.size == 0:
            continue
        if shared is not None:
            state[:, j, :] = np.exp(-np.outer(lag, shared)).sum(axis=0)[None, :]
        else:
            for i in range(d_dims):
                state[i, j, :] = np.exp(-np.outer(lag, beta[i, j])).sum(axis=0)
    return state
