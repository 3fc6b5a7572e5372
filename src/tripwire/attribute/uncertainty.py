"""Credible intervals: Monte Carlo over the uncertain inputs of the likelihood.

Reliabilities and label rates are drawn from Beta distributions centred on
their point values (``Beta(k m, k (1-m))`` with concentration ``k`` from
``evidence.yaml`` ``uncertainty``), the prior from a Dirichlet centred on the
point prior. Each draw gives a posterior; the interval of a hypothesis is the
central ``level`` quantile range of its draws. The same seed gives the same
intervals.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .evidence import EvidenceItem, Params


def as_generator(rng: np.random.Generator | int | None, default_seed: int) -> np.random.Generator:
    """A numpy Generator from a Generator, a seed or None (the settings seed)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(default_seed if rng is None else int(rng))


def _beta_around(values: Mapping[str, float], k: float, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for key in sorted(values):
        m = float(values[key])
        if m <= 0.0 or m >= 1.0:
            out[key] = np.full(n, m)
        else:
            out[key] = rng.beta(k * m, k * (1.0 - m), size=n)
    return out


def draw_params(point: Params, rng: np.random.Generator, n: int, *, k_reliability: float, k_label: float) -> Params:
    """``n`` joint draws of every reliability and label rate around the point values."""
    return Params(_beta_around(point.reliability, k_reliability, rng, n), _beta_around(point.label_rate, k_label, rng, n))


def draw_priors(prior: np.ndarray, rng: np.random.Generator, n: int, *, k: float) -> np.ndarray:
    """``n`` Dirichlet draws (shape (n, H)) centred on ``prior`` with total concentration ``k``."""
    alpha = np.maximum(k * prior, 1e-3)
    g = rng.gamma(alpha, size=(n, prior.size))
    g = np.maximum(g, 1e-300)
    return g / g.sum(axis=1, keepdims=True)


def posterior(log_prior: np.ndarray, log_lr: np.ndarray) -> np.ndarray:
    """Normalised ``prior x exp(log_lr)`` along the last axis, computed stably."""
    z = log_prior + log_lr
    z = z - z.max(axis=-1, keepdims=True)
    w = np.exp(z)
    return w / w.sum(axis=-1, keepdims=True)


def draws_of_posterior(prior: np.ndarray, items: tuple[EvidenceItem, ...], point: Params, rng: np.random.Generator, n: int,
                       *, k_reliability: float, k_label: float, k_prior: float) -> np.ndarray:
    """Posterior draws, shape (n, H)."""
    params = draw_params(point, rng, n, k_reliability=k_reliability, k_label=k_label)
    priors = draw_priors(prior, rng, n, k=k_prior)
    total = np.zeros((n, prior.size))
    for item in items:
        total = total + np.broadcast_to(item.log_lr(params, prior.size), (n, prior.size))
    return posterior(np.log(priors), total)


def interval(draws: np.ndarray, level: float) -> np.ndarray:
    """Central credible interval per column: shape (H, 2)."""
    lo = (1.0 - level) / 2.0
    q = np.quantile(draws, [lo, 1.0 - lo], axis=0)
    return np.clip(q.T, 0.0, 1.0)
