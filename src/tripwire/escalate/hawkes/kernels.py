"""Kernel parameter handling and event validation for multivariate Hawkes models.

Every kernel Tripwire supports is a sum of exponentials, so one internal layout
serves them all: a baseline vector ``mu`` of shape ``(D,)``, a branching tensor
``alpha`` of shape ``(D, D, U)`` and a decay tensor ``beta`` of the same shape,
with

    phi_ij(t) = sum_u alpha[i, j, u] * beta[i, j, u] * exp(-beta[i, j, u] * t)

the effect of an event in dimension ``j`` on the intensity of dimension ``i``.
Each kernel integrates to ``sum_u alpha[i, j, u]``, so the branching matrix is
``alpha.sum(axis=2)`` and the process is stationary when its spectral radius is
below one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ...errors import EstimationError


@dataclass(frozen=True)
class Events:
    """Validated event data: per-dimension sorted times plus a merged, time-ordered view.

    ``times``/``marks`` list every event once, sorted by time (ties keep dimension
    order); ``per_dim[d]`` holds the sorted times of dimension ``d``.
    """

    per_dim: tuple[np.ndarray, ...]
    times: np.ndarray
    marks: np.ndarray
    dim_names: tuple[str, ...]

    @property
    def n_dims(self) -> int:
        """Number of dimensions ``D``."""
        return len(self.per_dim)

    @property
    def counts(self) -> np.ndarray:
        """Number of events in each dimension."""
        return np.array([len(t) for t in self.per_dim], dtype=np.int64)


def default_dim_names(n_dims: int) -> tuple[str, ...]:
    """Names used when none are given: ``dim0``, ``dim1``, ..."""
    return tuple(f"dim{d}" for d in range(n_dims))


def as_events(
    events: Sequence[np.ndarray] | Mapping[str, np.ndarray],
    *,
    end_time: float | None = None,
    dim_names: Sequence[str] | None = None,
    n_dims: int | None = None,
    start_time: float = 0.0,
) -> Events:
    """Check and normalise ``events`` (a list of arrays, or a mapping name -> times).

    Times must be finite and inside ``[start_time, end_time]``; each dimension is
    sorted. Raises :class:`~tripwire.errors.EstimationError` with a clear message
    for anything unusable.
    """
    if isinstance(events, Mapping):
        names_from_keys = tuple(str(k) for k in events)
        if dim_names is not None and tuple(dim_names) != names_from_keys:
            raise EstimationError(f"events are keyed {list(names_from_keys)} but dim_names is {list(dim_names)}")
        dim_names = names_from_keys
        events = list(events.values())
    if isinstance(events, np.ndarray) and events.ndim == 1 and events.dtype != object:
        raise EstimationError("events must be a list with one array of times per dimension, not a single array")
    try:
        seq = list(events)
    except TypeError:
        raise EstimationError("events must be a list with one array of times per dimension") from None
    if not seq:
        raise EstimationError("events must contain at least one dimension")
    if n_dims is not None and len(seq) != n_dims:
        raise EstimationError(f"the model has {n_dims} dimensions but events has {len(seq)}")
    if dim_names is not None and len(dim_names) != len(seq):
        raise EstimationError(f"{len(dim_names)} dimension names given for {len(seq)} dimensions")
    per_dim = []
    for d, arr in enumerate(seq):
        try:
            t = np.asarray(arr, dtype=np.float64)
        except (TypeError, ValueError):
            raise EstimationError(f"event times of dimension {d} are not numbers") from None
        if t.ndim != 1:
            raise EstimationError(f"event times of dimension {d} must be a 1-D array, got shape {t.shape}")
        if t.size and not np.all(np.isfinite(t)):
            raise EstimationError(f"event times of dimension {d} contain NaN or infinity")
        if t.size > 1 and not np.all(t[1:] >= t[:-1]):  # a linear check: sorted input (the usual case) is not re-sorted
            t = np.sort(t)
        if t.size and t[0] < start_time:
            raise EstimationError(f"dimension {d} has an event at {t[0]:g}, before the start time {start_time:g}")
        if end_time is not None and t.size and t[-1] > end_time:
            raise EstimationError(f"dimension {d} has an event at {t[-1]:g}, after end_time {end_time:g}")
        per_dim.append(np.ascontiguousarray(t))
    if end_time is not None and not (np.isfinite(end_time) and end_time > start_time):
        raise EstimationError(f"end_time must be a finite number above {start_time:g}, got {end_time!r}")
    names = tuple(str(n) for n in dim_names) if dim_names is not None else default_dim_names(len(per_dim))
    if len(set(names)) != len(names):
        raise EstimationError(f"dimension names must be unique, got {list(names)}")
    times = np.concatenate(per_dim) if per_dim else np.empty(0)
    marks = np.concatenate([np.full(len(t), d, dtype=np.int64) for d, t in enumerate(per_dim)])
    order = np.argsort(times, kind="stable")
    return Events(tuple(per_dim), np.ascontiguousarray(times[order]), np.ascontiguousarray(marks[order]), names)


def decay_tensor(decay: float | np.ndarray, n_dims: int) -> np.ndarray:
    """Decay(s) of an exponential kernel as a ``(D, D, 1)`` tensor (scalar or ``(D, D)`` matrix)."""
    beta = np.asarray(decay, dtype=np.float64)
    if beta.ndim == 0:
        beta = np.full((n_dims, n_dims), float(beta))
    if beta.shape != (n_dims, n_dims):
        raise EstimationError(f"decay must be a number or a {n_dims}x{n_dims} matrix, got shape {beta.shape}")
    _check_positive(beta, "decay")
    return np.ascontiguousarray(beta[:, :, None])


def sum_decay_tensor(decays: Sequence[float], n_dims: int) -> np.ndarray:
    """Decays of a sum-of-exponentials kernel as a ``(D, D, U)`` tensor shared by all pairs."""
    beta = np.asarray(decays, dtype=np.float64)
    if beta.ndim != 1 or beta.size == 0:
        raise EstimationError("decays must be a non-empty list of numbers")
    _check_positive(beta, "decays")
    if len(np.unique(beta)) != beta.size:
        raise EstimationError(f"decays must be distinct, got {beta.tolist()}")
    return np.ascontiguousarray(np.broadcast_to(beta, (n_dims, n_dims, beta.size)))


def _check_positive(arr: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise EstimationError(f"{what} must be finite and strictly positive, got {np.asarray(arr).tolist()}")


def shared_decays(beta: np.ndarray) -> np.ndarray | None:
    """The per-component decays when ``beta`` does not depend on the pair ``(i, j)``, else None."""
    first = beta[0, 0, :]
    if np.all(beta == first[None, None, :]):
        return np.ascontiguousarray(first)
    return None


def check_baseline(baseline: np.ndarray | Sequence[float], n_dims: int) -> np.ndarray:
    """A baseline vector of shape ``(D,)`` with non-negative, finite entries."""
    mu = np.asarray(baseline, dtype=np.float64)
    if mu.ndim == 0:
        mu = np.full(n_dims, float(mu))
    if mu.shape != (n_dims,):
        raise EstimationError(f"baseline must have {n_dims} entries, got shape {mu.shape}")
    if not np.all(np.isfinite(mu)) or np.any(mu < 0):
        raise EstimationError(f"baseline must be finite and non-negative, got {mu.tolist()}")
    return np.ascontiguousarray(mu)


def check_adjacency(adjacency: np.ndarray, n_dims: int, n_components: int) -> np.ndarray:
    """An adjacency of shape ``(D, D)`` (one component) or ``(D, D, U)`` as a ``(D, D, U)`` tensor."""
    a = np.asarray(adjacency, dtype=np.float64)
    if a.ndim == 2 and n_components == 1:
        a = a[:, :, None]
    if a.shape != (n_dims, n_dims, n_components):
        want = f"{n_dims}x{n_dims}" + (f"x{n_components}" if n_components > 1 else "")
        raise EstimationError(f"adjacency must be a {want} array, got shape {np.asarray(adjacency).shape}")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise EstimationError("adjacency must be finite and non-negative")
    return np.ascontiguousarray(a)


def branching_matrix(alpha: np.ndarray) -> np.ndarray:
    """Expected number of direct children in ``i`` of one event in ``j``: ``alpha.sum(axis=2)``."""
    return alpha.sum(axis=2)


def spectral_radius(alpha: np.ndarray) -> float:
    """Largest absolute eigenvalue of the branching matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(branching_matrix(alpha)))))


def check_stationary(alpha: np.ndarray) -> float:
    """Return the spectral radius, raising EstimationError when it is not below one."""
    rho = spectral_radius(alpha)
    if not rho < 1.0:
        raise EstimationError(
            f"the Hawkes process is not stationary: the spectral radius of its branching matrix is {rho:.3f} (must be < 1), "
            "so simulated event counts would explode; lower the adjacency entries",
            detail={"spectral_radius": rho},
        )
    return rho
