"""The O(N) numba log-likelihood against the numpy definition, and event validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tripwire.errors import EstimationError
from tripwire.escalate.hawkes import HawkesExp, HawkesSumExp
from tripwire.escalate.hawkes.kernels import as_events, decay_tensor, sum_decay_tensor
from tripwire.escalate.hawkes.design import sufficient_stats
from tripwire.escalate.hawkes.likelihood import loglikelihood, loglikelihood_reference

MU2 = np.array([0.5, 0.3])
ADJ2 = np.array([[0.3, 0.1], [0.2, 0.4]])


def _sample(model, end_time: float, seed: int, *, round_to: float | None = None) -> list[np.ndarray]:
    events = model.simulate(end_time, np.random.default_rng(seed))
    if round_to is not None:  # coarse time stamps create ties across and within dimensions
        events = [np.round(e / round_to) * round_to for e in events]
    return events


# (case name, model, horizon, time rounding)
CASES = [
    ("exp-scalar", HawkesExp(1.3, baseline=MU2, adjacency=ADJ2), 600.0, None),
    ("exp-matrix", HawkesExp(np.array([[0.7, 3.0], [1.5, 0.4]]), baseline=MU2, adjacency=ADJ2), 600.0, None),
    (
        "sumexp",
        HawkesSumExp([0.3, 4.0], baseline=MU2, adjacency=np.stack([ADJ2 * 0.5, ADJ2 * 0.4], axis=2)),
        600.0,
        None,
    ),
    ("exp-ties", HawkesExp(2.0, baseline=MU2, adjacency=ADJ2), 600.0, 0.5),
    (
        "three-dims",
        HawkesExp(0.8, baseline=[0.2, 0.1, 0.3], adjacency=np.array([[0.2, 0.1, 0.0], [0.3, 0.1, 0.1], [0.0, 0.2, 0.3]])),
        500.0,
        None,
    ),
]


@pytest.mark.parametrize(("name", "model", "end_time", "round_to"), CASES, ids=[c[0] for c in CASES])
def test_numba_recursion_matches_numpy_definition(name, model, end_time, round_to):
    events = _sample(model, end_time, seed=11, round_to=round_to)
    mu, alpha, beta = model._params()
    ev = as_events(events, end_time=end_time)
    assert ev.times.size > 300
    fast = loglikelihood(ev, end_time, mu, alpha, beta)
    ref = loglikelihood_reference(ev, end_time, mu, alpha, beta)
    assert fast == pytest.approx(ref, rel=1e-9, abs=1e-9)
    # the fitting design (sufficient statistics) gives the same value again
    assert sufficient_stats(ev, end_time, beta).loglik(mu, alpha) == pytest.approx(ref, rel=1e-9)
    assert model.score(events, end_time) == pytest.approx(ref, rel=1e-9)


def test_likelihood_by_hand_for_two_events():
    # D=1, mu=0.5, alpha=0.5, beta=2, events at 1 and 2, T=3
    lam1 = 0.5
    lam2 = 0.5 + 0.5 * 2 * math.exp(-2 * 1.0)
    comp = 0.5 * 3 + 0.5 * (1 - math.exp(-2 * 2.0)) + 0.5 * (1 - math.exp(-2 * 1.0))
    want = math.log(lam1) + math.log(lam2) - comp
    model = HawkesExp(2.0, baseline=[0.5], adjacency=[[0.5]])
    assert model.score([np.array([1.0, 2.0])], 3.0) == pytest.approx(want, rel=1e-12)
    inten = model.intensity([np.array([1.0, 2.0])], [1.0, 1.5])
    assert inten[0] == pytest.approx([0.5, 0.5 + math.exp(-1.0)], rel=1e-12)


def test_wrong_parameters_score_lower_than_true_ones():
    model = HawkesExp(1.0, baseline=MU2, adjacency=ADJ2)
    events = _sample(model, 2000.0, seed=5)
    worse = HawkesExp(1.0, baseline=MU2 * 2, adjacency=ADJ2 * 0.2)
    assert model.score(events, 2000.0) > worse.score(events, 2000.0) + 50


@pytest.mark.parametrize(
    ("events", "end_time", "message"),
    [
        ([np.array([1.0, np.nan])], 5.0, "NaN"),
        ([np.array([1.0, 7.0])], 5.0, "after end_time"),
        ([np.array([-1.0, 2.0])], 5.0, "before the start"),
        ([np.array([[1.0, 2.0]])], 5.0, "1-D"),
        ([np.array([1.0])], -2.0, "end_time"),
        ([np.array(["a", "b"])], 5.0, "not numbers"),
        ([], 5.0, "at least one dimension"),
    ],
)
def test_bad_events_raise_estimation_error(events, end_time, message):
    with pytest.raises(EstimationError, match=message):
        as_events(events, end_time=end_time)


def test_events_are_sorted_and_names_checked():
    ev = as_events({"a->b": [3.0, 1.0], "b->a": [2.0]}, end_time=4.0)
    assert ev.dim_names == ("a->b", "b->a")
    assert ev.per_dim[0].tolist() == [1.0, 3.0]
    assert ev.times.tolist() == [1.0, 2.0, 3.0] and ev.marks.tolist() == [0, 1, 0]
    with pytest.raises(EstimationError, match="unique"):
        as_events([[1.0], [2.0]], dim_names=["x", "x"])
    with pytest.raises(EstimationError, match="2 dimensions"):
        HawkesExp(1.0, baseline=MU2, adjacency=ADJ2).score([np.array([1.0])], 5.0)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: decay_tensor(-1.0, 2), "strictly positive"),
        (lambda: decay_tensor(np.ones((3, 3)), 2), "2x2"),
        (lambda: sum_decay_tensor([1.0, 1.0], 2), "distinct"),
        (lambda: sum_decay_tensor([], 2), "non-empty"),
        (lambda: HawkesExp(1.0, baseline=[0.1, -0.2], adjacency=ADJ2).score([[1.0], [2.0]], 3.0), "non-negative"),
        (lambda: HawkesExp(1.0, baseline=MU2, adjacency=np.ones((3, 3))).score([[1.0], [2.0]], 3.0), "adjacency"),
    ],
)
def test_bad_parameters_raise_estimation_error(build, message):
    with pytest.raises(EstimationError, match=message):
        build()


def test_jit_falls_back_when_no_cache_dir_is_writable(monkeypatch):
    import numba

    import tripwire.escalate.hawkes.likelihood as lk

    real = numba.njit
    seen = []

    def fake_njit(*, cache, nogil):
        assert nogil, "kernels must release the GIL so dimensions fit in parallel"
        seen.append(cache)
        if cache:
            raise RuntimeError("cannot cache function 'f': no locator available for file")
        return real(cache=False, nogil=nogil)

    monkeypatch.setattr(numba, "njit", fake_njit)  # tripwire.jit imports it when it compiles
    compiled = lk.jit(lambda x: x * 2.0)
    assert seen == [True, False]
    assert compiled(3.0) == 6.0
