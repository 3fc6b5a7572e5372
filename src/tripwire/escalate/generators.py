"""Event generators the policy simulation runs on, and the protocol they share.

The policy Monte Carlo (:mod:`tripwire.escalate.policy`) needs only something
that simulates attack times: the :class:`EventModel` protocol, which the
fitted :class:`~tripwire.escalate.HawkesExp` satisfies. The two small models
here satisfy it too and add :meth:`simulate_batch`, which draws many
independent runs at once as flat arrays (the fast path the policy code uses):

* :class:`PoissonModel` — attacks at a constant rate per day;
* :class:`BranchingModel` — a self-exciting (exponential-kernel Hawkes)
  process drawn by its cluster representation: background attacks at rate
  ``baseline``, each attack spawning Poisson(``branching``) follow-ups after
  Exp(``decay``) delays.

Times are in days from the start of the simulated window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import InputError


@runtime_checkable
class EventModel(Protocol):
    """Anything that simulates event times: ``events[d]`` = sorted times of dimension ``d`` in ``[0, end_time)``."""

    def simulate(self, end_time: float, rng: np.random.Generator) -> list[np.ndarray]: ...


def simulate_many(
    model: EventModel, end_time: float, n_sims: int, rng: np.random.Generator, *, dims: tuple[int, ...] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n_sims`` independent runs as flat ``(times, sim_index)`` arrays, sorted by run then time.

    Uses the model's own ``simulate_batch`` when it has one; otherwise calls
    ``simulate`` once per run (in run order, so a seed reproduces exactly) and
    keeps the dimensions in ``dims`` (all when None).
    """
    if n_sims < 1:
        raise InputError(f"n_sims must be >= 1, got {n_sims}")
    if not end_time > 0:
        raise InputError(f"end_time must be > 0, got {end_time!r}")
    batch = getattr(model, "simulate_batch", None)
    if batch is not None and dims is None:
        return batch(end_time, n_sims, rng)
    times: list[np.ndarray] = []
    sims: list[np.ndarray] = []
    for i in range(n_sims):
        events = model.simulate(end_time, rng)
        chosen = [np.asarray(events[d], dtype=float) for d in (dims if dims is not None else range(len(events)))]
        merged = np.sort(np.concatenate(chosen)) if chosen else np.empty(0)
        merged = merged[(merged >= 0) & (merged < end_time)]
        times.append(merged)
        sims.append(np.full(merged.size, i, dtype=np.int64))
    return np.concatenate(times), np.concatenate(sims)


def run_order(times: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """Permutation sorting events by run, then time (one float key; about 2x faster than ``np.lexsort``).

    Times must be >= 0; the key ``sim * (max_time + 1) + time`` keeps runs apart exactly.
    """
    if times.size == 0:
        return np.zeros(0, dtype=np.int64)
    span = float(times.max()) + 1.0
    return np.argsort(sims * span + times, kind="stable")


def _sorted(times: np.ndarray, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = run_order(times, sims)
    return times[order], sims[order]


@dataclass(frozen=True)
class PoissonModel:
    """Attacks at a constant ``rate`` per day (one dimension)."""

    rate: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.rate) and self.rate >= 0):
            raise InputError(f"rate must be a finite number >= 0, got {self.rate!r}")

    def simulate(self, end_time: float, rng: np.random.Generator) -> list[np.ndarray]:
        """One run: sorted attack times in ``[0, end_time)``."""
        n = rng.poisson(self.rate * end_time)
        return [np.sort(rng.uniform(0.0, end_time, n))]

    def simulate_batch(self, end_time: float, n_sims: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``n_sims`` runs at once as flat ``(times, sim_index)``, sorted by run then time."""
        counts = rng.poisson(self.rate * end_time, n_sims)
        sims = np.repeat(np.arange(n_sims, dtype=np.int64), counts)
        times = rng.uniform(0.0, end_time, sims.size)
        return _sorted(times, sims)


@dataclass(frozen=True)
class BranchingModel:
    """A self-exciting attack process (univariate exponential Hawkes) drawn by branching.

    Intensity ``baseline + branching * decay * sum(exp(-decay (t - t_i)))``;
    ``branching`` (< 1) is the mean number of follow-up attacks each attack
    triggers, ``decay`` (per day) how fast the excitement fades. The long-run
    rate is ``baseline / (1 - branching)``.
    """

    baseline: float
    branching: float
    decay: float

    def __post_init__(self) -> None:
        if not (self.baseline >= 0 and 0 <= self.branching < 1 and self.decay > 0):
            raise InputError("BranchingModel needs baseline >= 0, 0 <= branching < 1 and decay > 0")

    def simulate(self, end_time: float, rng: np.random.Generator) -> list[np.ndarray]:
        """One run: sorted attack times in ``[0, end_time)``."""
        times, _ = self.simulate_batch(end_time, 1, rng)
        return [times]

    def simulate_batch(self, end_time: float, n_sims: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``n_sims`` runs at once as flat ``(times, sim_index)``, sorted by run then time."""
        counts = rng.poisson(self.baseline * end_time, n_sims)
        parent_sims = np.repeat(np.arange(n_sims, dtype=np.int64), counts)
        parent_times = rng.uniform(0.0, end_time, parent_sims.size)
        all_times, all_sims = [parent_times], [parent_sims]
        while parent_times.size:
            kids = rng.poisson(self.branching, parent_times.size)
            child_times = np.repeat(parent_times, kids) + rng.exponential(1.0 / self.decay, int(kids.sum()))
            child_sims = np.repeat(parent_sims, kids)
            keep = child_times < end_time
            parent_times, parent_sims = child_times[keep], child_sims[keep]
            all_times.append(parent_times)
            all_sims.append(parent_sims)
        return _sorted(np.concatenate(all_times), np.concatenate(all_sims))
