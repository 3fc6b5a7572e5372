"""Maximum-likelihood fit (L-BFGS-B on the exact likelihood) and standard errors.

With the decays fixed the log-likelihood separates into one concave problem per
dimension ``i`` in ``theta_i = [mu_i, alpha_i..]``; each is solved with
L-BFGS-B using the analytic gradient and non-negativity bounds. Standard errors
come from the observed information ``-d2 log L / d theta2`` (analytic, since
``log L_i`` is a sum of logs of linear functions), inverted per dimension.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from ...errors import EstimationError
from .likelihood import SufficientStats

try:  # scipy's L-BFGS-B calls BLAS on tiny vectors; a multi-threaded BLAS then costs ms per call
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
    n_i = stats.X[i].shape[0]
    width = stats.H.shape[1]
    theta = np.empty(1 + width)
    theta[0] = mu0[i] if mu0 is not None else max(0.5 * n_i / stats.end_time, 1e-3)
    if alpha0 is not None:
        theta[1:] = alpha0[i].ravel()
    else:
        theta[1:] = 0.5 / width if n_i else 0.0
    theta[0] = max(theta[0], MIN_BASELINE)
    return theta


def fit_mle(
    stats: SufficientStats,
    *,
    mu0: np.ndarray | None = None,
    alpha0: np.ndarray | None = None,
    max_iter: int = 500,
    tol: float = 1e-10,
) -> FitOutput:
    """Maximise the exact log-likelihood dimension by dimension with L-BFGS-B."""
    d_dims = len(stats.X)
    width = stats.H.shape[1]
    thetas = np.empty((d_dims, 1 + width))
    n_iter = 0
    converged = True
    limiter = threadpool_limits(limits=1, user_api="blas") if threadpool_limits is not None else None
    try:
        # The likelihood factorises over dimensions: fit them on all cores at once (the
        # numba kernels release the GIL), each from its own start, so results do not
        # depend on the number of threads.
        def one(i: int) -> tuple[np.ndarray, int, bool]:
            return _fit_dimension(stats, i, initial_theta(stats, i, mu0, alpha0), max_iter=max_iter, tol=tol)

        workers = min(d_dims, _cores())
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                fits = list(pool.map(one, range(d_dims)))
        else:
            fits = [one(i) for i in range(d_dims)]
        for i, (theta, nit, ok) in enumerate(fits):
            thetas[i] = theta
            n_iter = max(n_iter, nit)
            converged &= ok
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    return finish(stats, thetas, n_iter, converged)


def _fit_dimension(stats: SufficientStats, i: int, x0: np.ndarray, *, max_iter: int, tol: float) -> tuple[np.ndarray, int, bool]:
    """L-BFGS-B for dimension ``i`` from ``x0``: ``(theta, iterations, converged)``."""
    n_i = max(stats.X[i].shape[0], 1)
    width = stats.H.shape[1]

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        val, grad = stats.neg_loglik_grad(i, theta)
        return val / n_i, grad / n_i

    bounds = [(MIN_BASELINE, None)] + [(0.0, None)] * width
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": max_iter, "ftol": tol, "gtol": 1e-9})
    if not np.all(np.isfinite(res.x)) or not np.isfinite(res.fun):
        raise EstimationError(f"the likelihood fit diverged for dimension {i}")
    # ABNORMAL line-search ends happen at the optimum when the objective is flat to rounding.
    ok = bool(res.success) or "ABNORMAL" in str(res.message)
    return res.x, int(res.nit), ok


def finish(stats: SufficientStats, thetas: np.ndarray, n_iter: int, converged: bool) -> FitOutput:
    """Package per-dimension solutions with their standard errors."""
    d_dims = len(stats.X)
    n_comp = stats.n_components
    ses = np.vstack([standard_errors(stats, i, thetas[i]) for i in range(d_dims)])
    loglik = float(sum(stats.loglik_dim(i, thetas[i]) for i in range(d_dims)))
    return FitOutput(
        baseline=thetas[:, 0].copy(),
        alpha=thetas[:, 1:].reshape(d_dims, d_dims, n_comp).copy(),
        baseline_se=ses[:, 0].copy(),
        alpha_se=ses[:, 1:].reshape(d_dims, d_dims, n_comp).copy(),
        loglik=loglik,
        n_iter=n_iter,
        converged=converged,
    )


def standard_errors(stats: SufficientStats, i: int, theta: np.ndarray) -> np.ndarray:
    """Square roots of the diagonal of the inverse observed information (NaN where singular)."""
    if stats.X[i].shape[0] == 0:
        return np.full(theta.shape, np.nan)
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
