"""Maximum-likelihood fit (projected Newton on the exact likelihood) and standard errors.

With the decays fixed the negative log-likelihood separates into one convex problem
per dimension ``i``: ``f(theta) = mu T + a @ H - sum_k log(mu + X_k @ a)`` over
``theta = [mu, a] >= [1e-10, 0]`` (:mod:`.design`). Its gradient and Hessian (the
observed information ``sum_k x_k x_k^T / lambda_k^2``) are analytic and cheap (one
matrix product over the events), so each dimension is solved by a projected Newton
method (Bertsekas 1982): parameters at their bound whose gradient pushes outward are
held there, the others take the Newton step, and an Armijo search along the projected
arc keeps every step an ascent of the likelihood. It stops once the Newton decrement
says the log-likelihood is within ``tol`` (relative) of its maximum on the current face,
after taking that last step, so the answer is the exact MLE to rounding. (After a small
step the previous iterate's information is reused to recognise the last step, which is
then polished once with the information at the new point: one information pass saved,
nothing lost in accuracy.)

The start: given values, or half the events as background and adjacency ``0.5 / D``
(:func:`initial_theta`); from there, dimensions with many events are first solved on
every ``s``-th event (weight ``s``, a cheap approximation of the same likelihood) and
the full-data Newton iterations start from that solution (:data:`COARSE_ROWS`).
Standard errors come from the observed information at the optimum, inverted per
dimension.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ...errors import EstimationError
from .design import SufficientStats, information, intensities, neg_gradient, neg_loglik

try:  # the Newton steps are small BLAS products; a multi-threaded BLAS inside each thread only oversubscribes
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - optional speed-up
    threadpool_limits = None

#: Lower bound on baselines: keeps every intensity strictly positive.
MIN_BASELINE = 1e-10


@dataclass(frozen=True)
class FitOutput:
    """Estimates, standard errors and solver bookkeeping of one fit."""

    baseline: np.ndarray
    alpha: np.ndarray  # (D, D, U)
    baseline_se: np.ndarray
    alpha_se: np.ndarray  # (D, D, U)
    loglik: float
    n_iter: int
    converged: bool


def initial_theta(stats: SufficientStats, i: int, mu0: np.ndarray | None, alpha0: np.ndarray | None) -> np.ndarray:
    """Starting point for dimension ``i``: given values, or half the events as background."""
    n_i = stats.n_events(i)
    width = stats.H.shape[1]
    theta = np.empty(1 + width)
    theta[0] = mu0[i] if mu0 is not None else max(0.5 * n_i / stats.end_time, 1e-3)
    if alpha0 is not None:
        theta[1:] = alpha0[i].ravel()
    else:
        theta[1:] = 0.5 / width if n_i else 0.0
    theta[0] = max(theta[0], MIN_BASELINE)
    return theta


#: A dimension with at least 8 times this many events is first fitted on a subsample of
#: about this many (every 8**k-th event), whose solution starts the full-data iterations.
COARSE_ROWS = 2000
#: Relative Newton-decrement tolerance of the subsample stages (the full data then polish to ``tol``).
COARSE_TOL = 1e-6
#: Log-likelihood change of a full Newton step below which the next iteration first tries the
#: previous information to test convergence (saving one information pass at the end).
STALE_MOVE = 0.1
#: Armijo sufficient-decrease constant of the line search.
ARMIJO = 1e-4


def fit_mle(
    stats: SufficientStats,
    *,
    mu0: np.ndarray | None = None,
    alpha0: np.ndarray | None = None,
    max_iter: int = 500,
    tol: float = 1e-10,
) -> FitOutput:
    """Maximise the exact log-likelihood dimension by dimension (projected Newton)."""
    d_dims = len(stats.XT)
    width = stats.H.shape[1]
    thetas = np.empty((d_dims, 1 + width))
    infos = np.empty((d_dims, 1 + width, 1 + width))
    logliks = np.empty(d_dims)
    n_iter = 0
    converged = True
    limiter = threadpool_limits(limits=1, user_api="blas") if threadpool_limits is not None else None
    try:
        # The likelihood factorises over dimensions: fit them on all cores at once (numpy's
        # products release the GIL), each from its own start, so results do not depend on
        # the number of threads.
        def one(i: int) -> tuple[np.ndarray, float, np.ndarray, int, bool]:
            return fit_dimension(stats, i, initial_theta(stats, i, mu0, alpha0), max_iter=max_iter, tol=tol)

        workers = min(d_dims, _cores())
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                fits = list(pool.map(one, range(d_dims)))
        else:
            fits = [one(i) for i in range(d_dims)]
        for i, (theta, ll, info, nit, ok) in enumerate(fits):
            thetas[i] = theta
            logliks[i] = ll
            infos[i] = info
            n_iter = max(n_iter, nit)
            converged &= ok
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    return finish(stats, thetas, n_iter, converged, infos, logliks)


def fit_dimension(stats: SufficientStats, i: int, x0: np.ndarray, *, max_iter: int, tol: float) -> tuple[np.ndarray, float, np.ndarray, int, bool]:
    """Dimension ``i`` from ``x0``: ``(theta, log-likelihood, observed information at theta, full-data iterations, converged)``."""
    XT, H, T = stats.XT[i], stats.H[i], stats.end_time
    theta = np.maximum(np.asarray(x0, dtype=np.float64), _lower(x0.size))
    stride = 1
    while XT.shape[1] // (stride * 8) >= COARSE_ROWS:
        stride *= 8
    while stride > 1:  # coarse to fine: each subsample's optimum starts the next
        theta, _, _, _, _ = newton(np.ascontiguousarray(XT[:, ::stride]), H, T, theta, weight=float(stride), max_iter=max_iter, tol=COARSE_TOL)
        stride //= 8
    theta, f, info, nit, ok = newton(XT, H, T, theta, max_iter=max_iter, tol=tol)
    if not (np.all(np.isfinite(theta)) and np.isfinite(f)):
        raise EstimationError(f"the likelihood fit diverged for dimension {i}")
    return theta, -f, info, nit, ok


def newton(
    XT: np.ndarray, H: np.ndarray, end_time: float, x0: np.ndarray, *, weight: float = 1.0, max_iter: int = 500, tol: float = 1e-10
) -> tuple[np.ndarray, float, np.ndarray, int, bool]:
    """Projected Newton on ``f = mu T + a @ H - weight * sum log(mu + a @ XT)`` from the feasible ``x0``.

    Returns ``(theta, f(theta), information, iterations, converged)``; the information is at
    ``theta`` or, after the final polish, at the iterate just before it. A design column
    of zeros (no earlier event of that source) leaves its parameter meeting only ``H``:
    it is set to its bound 0 (the optimum when ``H > 0``; any value fits when ``H = 0``).
    """
    lower = _lower(x0.size)
    x = np.maximum(x0, lower)
    lam = intensities(XT, x)
    f = neg_loglik(XT, H, end_time, x, lam, weight)
    if not np.isfinite(f):
        raise EstimationError("the likelihood fit started where an intensity is not positive")
    info, moved = None, np.inf
    for it in range(1, max_iter + 1):
        g = neg_gradient(XT, H, end_time, lam, weight)
        # after a full step that changed the log-likelihood by less than STALE_MOVE the previous
        # information is still accurate enough to recognise (and take) the last step
        stale = info is not None and moved <= STALE_MOVE
        if not stale:
            info = information(XT, lam, weight)
        d, decrement, active = _direction(x, g, info, lower)
        done = 0.5 * decrement <= tol * max(1.0, abs(f)) and not np.any(d[active])
        if stale and not done:  # not converged yet: a proper Newton step with the information at x
            info = information(XT, lam, weight)
            d, decrement, active = _direction(x, g, info, lower)
            done = 0.5 * decrement <= tol * max(1.0, abs(f)) and not np.any(d[active])
        s = 1.0
        while True:
            xn = np.maximum(x + s * d, lower)
            lam_n = intensities(XT, xn)
            fn = neg_loglik(XT, H, end_time, xn, lam_n, weight)
            expected = s * decrement + float(g[active] @ (x[active] - xn[active]))
            if fn <= f - ARMIJO * expected or (done and fn <= f):
                break
            s *= 0.5
            if s < 1e-12:  # no descent left at this precision: the optimum, to rounding, when done
                return x, f, information(XT, lam, weight), it, done or 0.5 * decrement <= 1e-12 * max(1.0, abs(f))
        x, lam, moved, f = xn, lam_n, (f - fn if s == 1.0 else np.inf), fn
        if done:
            info = information(XT, lam, weight)  # for the standard errors
            if stale:  # that step used the previous information: polish once with this one
                g = neg_gradient(XT, H, end_time, lam, weight)
                d, _, _ = _direction(x, g, info, lower)
                xn = np.maximum(x + d, lower)
                lam_n = intensities(XT, xn)
                fn = neg_loglik(XT, H, end_time, xn, lam_n, weight)
                if fn <= f:
                    x, f = xn, fn
            return x, f, info, it, True
    return x, f, information(XT, lam, weight), max_iter, False


def _direction(x: np.ndarray, g: np.ndarray, info: np.ndarray, lower: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Projected Newton direction: ``(d, Newton decrement g_F . H_FF^-1 g_F, active set)``.

    Active: parameters on (within ``eps`` of) their bound whose gradient pushes outward, and
    parameters whose design column is all zeros; they move to the bound, the rest take the
    Newton step of their sub-problem.
    """
    dead = np.diag(info) <= 0.0
    eps = min(1e-6, float(np.max(np.abs(x - np.maximum(x - g, lower)))))
    active = dead | ((x - lower <= eps) & (g > 0.0))
    free = ~active
    d = np.where(active, lower - x, 0.0)
    step = _solve(info[np.ix_(free, free)], g[free])
    d[free] = -step
    return d, float(g[free] @ step), active


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a^{-1} b`` for the positive (semi)definite information ``a`` (Cholesky; least squares when singular)."""
    if b.size == 0:
        return b.copy()
    try:
        c = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(a, b, rcond=None)[0]
    return np.linalg.solve(c.T, np.linalg.solve(c, b))


def _lower(n: int) -> np.ndarray:
    lower = np.zeros(n)
    lower[0] = MIN_BASELINE
    return lower


def finish(
    stats: SufficientStats,
    thetas: np.ndarray,
    n_iter: int,
    converged: bool,
    infos: np.ndarray | None = None,
    logliks: np.ndarray | None = None,
) -> FitOutput:
    """Package per-dimension solutions with their standard errors (information and log-likelihoods computed unless given)."""
    d_dims = len(stats.XT)
    n_comp = stats.n_components
    ses = np.vstack([standard_errors(stats, i, thetas[i], None if infos is None else infos[i]) for i in range(d_dims)])
    if logliks is None:
        logliks = np.array([stats.loglik_dim(i, thetas[i]) for i in range(d_dims)])
    loglik = float(np.sum(logliks))
    return FitOutput(
        baseline=thetas[:, 0].copy(),
        alpha=thetas[:, 1:].reshape(d_dims, d_dims, n_comp).copy(),
        baseline_se=ses[:, 0].copy(),
        alpha_se=ses[:, 1:].reshape(d_dims, d_dims, n_comp).copy(),
        loglik=loglik,
        n_iter=n_iter,
        converged=converged,
    )


def standard_errors(stats: SufficientStats, i: int, theta: np.ndarray, info: np.ndarray | None = None) -> np.ndarray:
    """Square roots of the diagonal of the inverse observed information (NaN where singular)."""
    if stats.n_events(i) == 0:
        return np.full(theta.shape, np.nan)
    if info is None:
        info = stats.neg_hessian(i, theta)
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return np.full(theta.shape, np.nan)
    diag = np.diag(cov)
    with np.errstate(invalid="ignore"):
        return np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
