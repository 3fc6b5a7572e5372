"""Exact Hawkes log-likelihood: an O(N) recursive (Ozaki) version in numba and a numpy reference.

For sums of exponential kernels the excitation felt at time ``t`` obeys the
recursion ``E(t_k) = exp(-beta * (t_k - t_{k-1})) * (E(t_{k-1}) + jump)``, so the
intensity at every event, and hence the log-likelihood

    log L = sum_i [ sum_{t in N_i} log lambda_i(t) - Lambda_i(T) ],
    Lambda_i(T) = mu_i T + sum_{j,u} alpha_iju sum_{t_l in N_j} (1 - exp(-beta_iju (T - t_l)))

takes one pass over the merged, time-sorted events. Events that share a time
stamp do not excite each other (the intensity is left-continuous).

:func:`_features_numba` runs the same recursion once to tabulate, for each event
of dimension ``i``, the excitation from every ``(j, u)`` component: the fitting
design of :mod:`.design`, which the MLE, EM, standard-error and diagnostics code use.
:func:`_em_dimension` is the EM loop of :mod:`.em`.
"""

from __future__ import annotations

from collections.abc import Callable
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
def _features_numba(times, marks, offsets, beta, shared, out):  # pragma: no cover - compiled
    """The design: excitation sum_l beta exp(-beta (t_k - t_l)) from each (j, u) at each event, written
    into dimension m's block of ``out`` (flat; the block is (D * U, N_m) in C order from D * U * offsets[m]),
    column = rank of the event within m.

    The recursion state is flat: one entry per (j, u) when the decays are shared, else per (i, j, u),
    so the entries an event of ``m`` reads are the contiguous block ``m * D * U ...`` (or all of them).
    ``out`` has N * D * U entries, allocated by numpy (which asks the kernel for huge pages on large arrays:
    an array allocated here costs several times the pass itself in page faults).
    """
    n = times.shape[0]
    d_dims, _, n_comp = beta.shape
    width = d_dims * n_comp
    fill = np.zeros(d_dims, dtype=np.int64)
    size = width if shared else d_dims * width
    rate = np.empty(size)
    for i in range(1 if shared else d_dims):
        for j in range(d_dims):
            for u in range(n_comp):
                rate[i * width + j * n_comp + u] = beta[i, j, u]
    st = np.zeros(size)
    fac = np.empty(n_comp)
    tcur = 0.0
    k = 0
    while k < n:
        t = times[k]
        dt = t - tcur
        if dt > 0.0:
            if shared:
                for u in range(n_comp):
                    fac[u] = np.exp(-rate[u] * dt)
                for j in range(d_dims):
                    for u in range(n_comp):
                        st[j * n_comp + u] *= fac[u]
            else:
                for q in range(size):
                    st[q] *= np.exp(-rate[q] * dt)
            tcur = t
        stop = k
        while stop < n and times[stop] == t:
            stop += 1
        for kk in range(k, stop):  # rows first: tied events do not excite each other
            m = marks[kk]
            start = width * offsets[m] + fill[m]
            stride = offsets[m + 1] - offsets[m]
            fill[m] += 1
            base = 0 if shared else m * width
            for c in range(width):
                out[start + c * stride] = rate[base + c] * st[base + c]
        for kk in range(k, stop):
            m = marks[kk]
            if shared:
                for u in range(n_comp):
                    st[m * n_comp + u] += 1.0
            else:
                for i in range(d_dims):
                    for u in range(n_comp):
                        st[i * width + m * n_comp + u] += 1.0
        k = stop
    return out


@jit
def _em_dimension(XT, H, end_time, mu, a, max_iter, tol, min_mu):  # pragma: no cover - compiled
    """Multiplicative EM updates for one dimension until the relative log-likelihood change is below tol.

    ``XT`` is the dimension's design, transposed ``(D*U, N_i)``: each pass runs along its rows.
    """
    w, n = XT.shape
    a = a.copy()
    prev = -np.inf
    acc = np.empty(w)
    lam = np.empty(n)
    it = 0
    while it < max_iter:
        it += 1
        lam[:] = mu
        for c in range(w):
            ac = a[c]
            for k in range(n):
                lam[k] += ac * XT[c, k]
        ll = -mu * end_time
        s0 = 0.0
        for k in range(n):
            ll += np.log(lam[k])
            lam[k] = 1.0 / lam[k]
            s0 += lam[k]
        for c in range(w):
            ll -= a[c] * H[c]
            total = 0.0
            for k in range(n):
                total += XT[c, k] * lam[k]
            acc[c] = total
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
