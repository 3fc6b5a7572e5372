"""Branching-structure EM for Hawkes processes with fixed exponential decays.

Each event is either an immigrant (probability ``mu_i / lambda_i(t)``) or a child of
one earlier event through component ``(j, u)`` (probability proportional to
``alpha_iju * beta_iju * exp(-beta_iju * lag)``). Summing these responsibilities
with the exact (edge-corrected) kernel integrals gives the closed-form M-step

    mu_i    <- sum_k P(immigrant_k) / T
    alpha_iju <- sum_k P(child of (j, u))_k / H_iju

which, written with the sufficient statistics, is a multiplicative update that
increases the exact likelihood at every step and converges to the MLE.
"""

from __future__ import annotations

import numpy as np

from .design import SufficientStats
from .mle import MIN_BASELINE, FitOutput, finish, initial_theta


def fit_em(
    stats: SufficientStats,
    *,
    mu0: np.ndarray | None = None,
    alpha0: np.ndarray | None = None,
    max_iter: int = 5000,
    tol: float = 1e-10,
) -> FitOutput:
    """Run EM to convergence (relative log-likelihood change below ``tol``) in every dimension."""
    from .likelihood import _em_dimension  # numba: imported (and compiled or loaded) when EM runs

    d_dims = len(stats.XT)
    width = stats.H.shape[1]
    thetas = np.empty((d_dims, 1 + width))
    n_iter = 0
    converged = True
    for i in range(d_dims):
        XT = stats.XT[i]
        H = stats.H[i]
        theta = initial_theta(stats, i, mu0, alpha0)
        if alpha0 is None and XT.shape[1]:
            theta[1:] = np.where(H > 0, theta[1:], 0.0)
        if XT.shape[1] == 0:
            mu, a, it, done = MIN_BASELINE, np.zeros(width), 0, True
        else:
            mu, a, it, done = _em_dimension(XT, H, stats.end_time, float(theta[0]), theta[1:].copy(), int(max_iter), float(tol), MIN_BASELINE)
        thetas[i, 0] = mu
        thetas[i, 1:] = a
        n_iter = max(n_iter, it)
        converged &= done
    return finish(stats, thetas, n_iter, converged)
