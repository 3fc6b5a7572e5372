"""Exact Hawkes log-likelihood: an O(N) recursive (Ozaki) version in numba and a numpy reference.

For sums of exponential kernels the excitation felt at time ``t`` obeys the
recursion ``E(t_k) = exp(-beta * (t_k - t_{k-1})) * (E(t_{k-1}) + jump)``, so the
intensity at every event, and hence the log-likelihood

    log L = sum_i [ sum_{t in N_i} log lambda_i(t) - Lambda_i(T) ],
    Lambda_i(T) = mu_i T + sum_{j,u} alpha_iju sum_{t_l in N_j} (1 - exp(-beta_iju (T - t_l)))

takes one pass over the merged, time-sorted events. Events that share a time
stamp do not excite each other (the intensity is left-continuous).

:func:`sufficient_stats` runs the same recursion once to tabulate, for each event
of dimension ``i``, the excitation from every ``(j, u)`` component. With the
decays fixed the log-likelihood of dimension ``i`` is then
``sum log(mu_i + X_i a_i) - mu_i T - a_i . H_i`` -- separable across dimensions
and concave -- which the MLE, EM and standard-error code use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...jit import jit as cached_jit
from .kernels import Events, shared_decays


def jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`tripwire.jit.jit` with ``nogil``, so the per-dimension fits run on several threads at once."""
    return cached_jit(fn, nogil=True)


@jit
def _loglik_numba(times, marks, end_time, mu, alpha, beta, shared):  # pragma: no cover - compiled
    n = times.shape[0]
    d_dims, _, n_comp = alpha.shape
    state = np.zeros((d_dims, d_dims, n_comp))  # sum_l exp(-beta (t - t_l)) per (i, j, u)
    fac = np.empty((d_dims, d_dims, n_comp))
    tcur = 0.0
    total = 0.0
    k = 0
    while k < n:
        t = times[k]
        dt = t - tcur
        if dt > 0.0:
            if shared:
                for u in range(n_comp):
                    e = np.exp(-beta[0, 0, u] * dt)
                    for i in range(d_dims):
                        for j in range(d_dims):
                            fac[i, j, u] = e
            else:
                for i in range(d_dims):
                    for j in range(d_dims):
                        for u in range(n_comp):
                            fac[i, j, u] = np.exp(-beta[i, j, u] * dt)
            for i in range(d_dims):
                for j in range(d_dims):
                    for u in range(n_comp):
                        state[i, j, u] *= fac[i, j, u]
            tcur = t
        stop = k
        while stop < n and times[stop] == t:
            stop += 1
        for kk in range(k, stop):  # intensities first: tied events do not excite each other
            m = marks[kk]
            lam = mu[m]
            for j in range(d_dims):
                for u in range(n_comp):
                    lam += alpha[m, j, u] * beta[m, j, u] * state[m, j, u]
            if lam <= 0.0:
                return -np.inf
            total += np.log(lam)
        for kk in range(k, stop):
            m = marks[kk]
            for i in range(d_dims):
                for u in range(n_comp):
                    state[i, m, u] += 1.0
                    total -= alpha[i, m, u] * (1.0 - np.exp(-beta[i, m, u] * (end_time - t)))
        k = stop
    for i in range(d_dims):
        total -= mu[i] * end_time
    return total


@jit
def _features_numba(times, marks, beta, shared):  # pragma: no cover - compiled
    """Row k: excitation sum_l beta exp(-beta (t_k - t_l)) from each (j, u), for the event's own dimension."""
    n = times.shape[0]
    d_dims, _, n_comp = beta.shape
    out = np.empty((n, d_dims * n_comp))
    if shared:
        st = np.zeros((d_dims, n_comp))
        fac = np.empty(n_comp)
    else:
        st = np.zeros((d_dims * d_dims, n_comp))
        fac = np.empty(1)
    tcur = 0.0
    k = 0
    while k < n:
        t = times[k]
        dt = t - tcur
        if dt > 0.0:
            if shared:
                for u in range(n_comp):
                    fac[u] = np.exp(-beta[0, 0, u] * dt)
                for j in range(d_dims):
                    for u in range(n_comp):
                        st[j, u] *= fac[u]
            else:
                for i in range(d_dims):
                    for j in range(d_dims):
                        for u in range(n_comp):
                            st[i * d_dims + j, u] *= np.exp(-beta[i, j, u] * dt)
            tcur = t
        stop = k
        while stop < n and times[stop] == t:
            stop += 1
        for kk in range(k, stop):
            m = marks[kk]
            for j in range(d_dims):
                for u in range(n_comp):
                    if shared:
                        out[kk, j * n_comp + u] = beta[0, 0, u] * st[j, u]
                    else:
                        out[kk, j * n_comp + u] = beta[m, j, u] * st[m * d_dims + j, u]
        for kk in range(k, stop):
            m = marks[kk]
            if shared:
                for u in range(n_comp):
                    st[m, u] += 1.0
            else:
                for i in range(d_dims):
                    for u in range(n_comp):
                        st[i * d_dims + m, u] += 1.0
        k = stop
    return out


@jit
def _dim_objective(X, theta, end_time, H):  # pragma: no cover - compiled
    """Negative log-likelihood of one dimension and its gradient, in one fused pass."""
    n, w = X.shape
    grad = np.zeros(w + 1)
    val = theta[0] * end_time
    for c in range(w):
        val += theta[c + 1] * H[c]
    for k in range(n):
        lam = theta[0]
        for c in range(w):
            lam += X[k, c] * theta[c + 1]
        if lam <= 0.0:
            return np.inf, grad
        val -= np.log(lam)
        inv = 1.0 / lam
        grad[0] -= inv
        for c in range(w):
            grad[c + 1] -= X[k, c] * inv
    grad[0] += end_time
    for c in range(w):
        grad[c + 1] += H[c]
    return val, grad


@jit
def _dim_information(X, theta):  # pragma: no cover - compiled
    """Observed information sum_k x_k x_k^T / lambda_k^2 with x_k = [1, X_k]."""
    n, w = X.shape
    info = np.zeros((w + 1, w + 1))
    x = np.empty(w + 1)
    x[0] = 1.0
    for k in range(n):
        lam = theta[0]
        for c in range(w):
            x[c + 1] = X[k, c]
            lam += X[k, c] * theta[c + 1]
        wk = 1.0 / (lam * lam)
        for r in range(w + 1):
            xr = x[r] * wk
            for c in range(r, w + 1):
                info[r, c] += xr * x[c]
    for r in range(w + 1):
        for c in range(r):
            info[r, c] = info[c, r]
    return info


@jit
def _em_dimension(X, H, end_time, mu, a, max_iter, tol, min_mu):  # pragma: no cover - compiled
    """Multiplicative EM updates for one dimension until the relative log-likelihood change is below tol."""
    n, w = X.shape
    a = a.copy()
    prev = -np.inf
    acc = np.empty(w)
    it = 0
    while it < max_iter:
        it += 1
        ll = -mu * end_time
        for c in range(w):
            ll -= a[c] * H[c]
        s0 = 0.0
        acc[:] = 0.0
        for k in range(n):
            lam = mu
            for c in range(w):
                lam += X[k, c] * a[c]
            ll += np.log(lam)
            inv = 1.0 / lam
            s0 += inv
            for c in range(w):
                acc[c] += X[k, c] * inv
        if abs(ll - prev) <= tol * max(1.0, abs(ll)):
            return mu, a, it, True
        prev = ll
        mu = max(mu * s0 / end_time, min_mu)
        for c in range(w):
            a[c] = a[c] * acc[c] / H[c] if H[c] > 0.0 else 0.0
    return mu, a, it, False


def loglikelihood(events: Events, end_time: float, mu: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> float:
    """Exact log-likelihood by the O(N) recursion (numba)."""
    shared = shared_decays(beta) is not None
    return float(_loglik_numba(events.times, events.marks, float(end_time), mu, alpha, beta, shared))


def loglikelihood_reference(events: Events, end_time: float, mu: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> float:
    """The same log-likelihood straight from the definition with numpy (O(N^2); for tests)."""
    total = 0.0
    d_dims = len(events.per_dim)
    for i in range(d_dims):
        ti = events.per_dim[i]
        lam = np.full(ti.shape, mu[i])
        for j in range(d_dims):
            tj = events.per_dim[j]
            for start in range(0, len(ti), 2048):
                block = ti[start : start + 2048]
                lag = block[:, None] - tj[None, :]
                before = lag > 0
                safe = np.where(before, lag, 0.0)
                for u in range(alpha.shape[2]):
                    b = beta[i, j, u]
                    kern = np.where(before, alpha[i, j, u] * b * np.exp(-b * safe), 0.0)
                    lam[start : start + 2048] += kern.sum(axis=1)
            total -= float(np.sum(alpha[i, j, :, None] * (1.0 - np.exp(-beta[i, j, :, None] * (end_time - tj[None, :])))))
        total += float(np.sum(np.log(lam))) - mu[i] * end_time
    return total


@dataclass(frozen=True)
class SufficientStats:
    """Per-dimension design for fixed decays: ``loglik_i = sum log(mu_i + X[i] @ a_i) - mu_i T - a_i @ H[i]``.

    ``X[i]`` is ``(N_i, D*U)`` (excitation of each event of ``i`` from each ``(j, u)``),
    ``H[i]`` is ``(D*U,)`` (integrated kernels up to ``end_time``), ``a_i = alpha[i].ravel()``.
    """

    X: tuple[np.ndarray, ...]
    H: np.ndarray
    end_time: float
    n_components: int

    def loglik_dim(self, i: int, theta: np.ndarray) -> float:
        """Log-likelihood of dimension ``i`` at ``theta = [mu_i, a_i...]``."""
        val, _ = _dim_objective(self.X[i], np.ascontiguousarray(theta, dtype=np.float64), self.end_time, self.H[i])
        return -float(val)

    def neg_loglik_grad(self, i: int, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log-likelihood of dimension ``i`` and its analytic gradient (numba, one pass)."""
        val, grad = _dim_objective(self.X[i], np.ascontiguousarray(theta, dtype=np.float64), self.end_time, self.H[i])
        return float(val), grad

    def neg_hessian(self, i: int, theta: np.ndarray) -> np.ndarray:
        """Observed information of dimension ``i``: ``sum_k x_k x_k^T / lambda_k^2`` with ``x_k = [1, X_k]``."""
        return _dim_information(self.X[i], np.ascontiguousarray(theta, dtype=np.float64))

    def loglik(self, mu: np.ndarray, alpha: np.ndarray) -> float:
        """Total log-likelihood at ``(mu, alpha)``."""
        return sum(self.loglik_dim(i, np.concatenate([[mu[i]], alpha[i].ravel()])) for i in range(len(self.X)))


def sufficient_stats(events: Events, end_time: float, beta: np.ndarray) -> SufficientStats:
    """Tabulate the per-dimension design (one recursive pass, numba) for decays ``beta``."""
    shared = shared_decays(beta)
    feats = _features_numba(events.times, events.marks, beta, shared is not None)
    d_dims, _, n_comp = beta.shape
    X = tuple(np.ascontiguousarray(feats[events.marks == i]) for i in range(d_dims))
    H = np.empty((d_dims, d_dims, n_comp))
    for j, tj in enumerate(events.per_dim):
        rem = end_time - tj
        if shared is not None:
            col = np.array([np.sum(1.0 - np.exp(-b * rem)) for b in shared])
            H[:, j, :] = col[None, :]
        else:
            for i in range(d_dims):
                H[i, j, :] = [np.sum(1.0 - np.exp(-b * rem)) for b in beta[i, j]]
    return SufficientStats(X, H.reshape(d_dims, d_dims * n_comp), float(end_time), n_comp)


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
