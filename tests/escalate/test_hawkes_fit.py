"""Seeded parameter recovery for MLE and EM, standard errors, and estimator conventions."""

from __future__ import annotations

import numpy as np
import pytest

from tripwire.errors import EstimationError
from tripwire.escalate.hawkes import HawkesExp, HawkesSumExp

MU = np.array([0.5, 0.3])
ADJ = np.array([[0.3, 0.1], [0.2, 0.4]])
DECAY = 1.0
END = 12_500.0  # stationary rates (I - A)^-1 mu = (0.825, 0.775): about 20k events


@pytest.fixture(scope="module")
def data() -> list[np.ndarray]:
    return HawkesExp(DECAY, baseline=MU, adjacency=ADJ).simulate(END, np.random.default_rng(2024))


@pytest.fixture(scope="module")
def mle(data) -> HawkesExp:
    return HawkesExp(DECAY, dim_names=["militia->US", "US->militia"]).fit(data, END)


def test_enough_events_for_the_stated_tolerances(data):
    assert 18_000 < sum(len(e) for e in data) < 23_000


def test_mle_recovers_parameters_within_tolerance(mle):
    # tolerances: baseline within 15 % relative, adjacency within 0.05 absolute
    np.testing.assert_allclose(mle.baseline_, MU, rtol=0.15)
    np.testing.assert_allclose(mle.adjacency_, ADJ, atol=0.05)
    assert mle.converged_
    assert mle.spectral_radius_ == pytest.approx(np.max(np.abs(np.linalg.eigvals(ADJ))), abs=0.05)


def test_truth_lies_within_three_standard_errors(mle):
    est = np.concatenate([mle.baseline_, mle.adjacency_.ravel()])
    se = np.concatenate([mle.baseline_se_, mle.adjacency_se_.ravel()])
    truth = np.concatenate([MU, ADJ.ravel()])
    assert np.all(np.isfinite(se)) and np.all(se > 0)
    assert np.all(se < 0.05)  # ~20k events pin every parameter down to a few hundredths
    assert np.sum(np.abs(est - truth) <= 3 * se) >= 5  # of 6 entries


def test_standard_errors_match_the_spread_over_replicates():
    # 12 small replicates: empirical sd of the estimates vs the average reported SE (within a factor 1.6)
    model = HawkesExp(DECAY, baseline=MU, adjacency=ADJ)
    rng = np.random.default_rng(7)
    ests, ses = [], []
    for _ in range(12):
        ev = model.simulate(1500.0, rng)
        fit = HawkesExp(DECAY).fit(ev, 1500.0)
        ests.append(fit.adjacency_[0, 0])
        ses.append(fit.adjacency_se_[0, 0])
    ratio = np.std(ests, ddof=1) / np.mean(ses)
    assert 1 / 1.6 < ratio < 1.6


def test_fit_returns_self_and_stores_names(data, mle):
    model = HawkesExp(DECAY)
    assert model.fit(data, END) is model
    assert mle.dim_names_ == ("militia->US", "US->militia")
    assert mle.n_events_ == tuple(len(e) for e in data)
    assert mle.score(data, END) == pytest.approx(mle.loglik_, rel=1e-10)
    summary = mle.summary()
    assert set(summary["dimensions"]) == {"militia->US", "US->militia"}
    entry = next(e for e in summary["adjacency"] if e["target"] == "US->militia" and e["source"] == "militia->US")
    assert entry["value"] == pytest.approx(mle.adjacency_[1, 0])


def test_em_agrees_with_mle(data, mle):
    em = HawkesExp(DECAY, method="em").fit(data, END)
    assert em.converged_
    np.testing.assert_allclose(em.baseline_, mle.baseline_, rtol=2e-3)
    np.testing.assert_allclose(em.adjacency_, mle.adjacency_, atol=2e-3)
    assert em.loglik_ == pytest.approx(mle.loglik_, abs=0.05)
    assert em.loglik_ <= mle.loglik_ + 1e-3  # EM approaches the same maximum from below


def test_mle_is_a_maximum(data, mle):
    base = mle.loglik_
    for i, j in [(0, 0), (1, 0)]:
        for step in (-0.01, 0.01):
            adj = mle.adjacency_.copy()
            adj[i, j] += step
            assert HawkesExp(DECAY, baseline=mle.baseline_, adjacency=adj).score(data, END) < base


def test_decay_matrix_recovery():
    decay = np.array([[0.5, 2.0], [1.0, 3.0]])
    truth = HawkesExp(decay, baseline=MU, adjacency=ADJ)
    ev = truth.simulate(8000.0, np.random.default_rng(3))
    fit = HawkesExp(decay).fit(ev, 8000.0)
    np.testing.assert_allclose(fit.baseline_, MU, rtol=0.15)
    np.testing.assert_allclose(fit.adjacency_, ADJ, atol=0.05)


def test_sum_exp_recovery_and_em_agreement():
    comps = np.stack([ADJ * 0.6, ADJ * 0.4], axis=2)  # slow and fast parts of each kernel
    truth = HawkesSumExp([0.5, 5.0], baseline=MU, adjacency=comps)
    ev = truth.simulate(20_000.0, np.random.default_rng(9))  # ~32k events: component SEs ~0.015
    fit = HawkesSumExp([0.5, 5.0]).fit(ev, 20_000.0)
    assert fit.adjacency_.shape == (2, 2, 2)
    np.testing.assert_allclose(fit.baseline_, MU, rtol=0.15)
    np.testing.assert_allclose(fit.adjacency_.sum(axis=2), ADJ, atol=0.05)
    np.testing.assert_allclose(fit.adjacency_, comps, atol=0.06)
    em = HawkesSumExp([0.5, 5.0], method="em").fit(ev, 20_000.0)
    assert em.loglik_ == pytest.approx(fit.loglik_, abs=0.1)


def test_poisson_data_give_near_zero_adjacency():
    rng = np.random.default_rng(4)
    ev = [np.sort(rng.uniform(0, 5000, rng.poisson(0.8 * 5000))) for _ in range(2)]
    fit = HawkesExp(1.0).fit(ev, 5000.0)
    assert np.all(fit.adjacency_ < 0.03)
    np.testing.assert_allclose(fit.baseline_, 0.8, rtol=0.08)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.score([np.array([1.0])], 2.0),
        lambda m: m.simulate(10.0, 1),
        lambda m: m.forecast([np.array([1.0])], 2.0, 5.0, n_sims=10, rng=1),
        lambda m: m.goodness_of_fit([np.array([1.0])], 2.0),
        lambda m: m.summary(),
        lambda m: m.branching_matrix_,
    ],
)
def test_unfitted_model_raises(call):
    with pytest.raises(EstimationError, match="not fitted"):
        call(HawkesExp(1.0))


@pytest.mark.parametrize(
    ("model", "events", "message"),
    [
        (HawkesExp(1.0, method="newton"), [np.array([1.0, 2.0])], "unknown fitting method"),
        (HawkesExp(1.0), [np.array([]), np.array([])], "zero events"),
        (HawkesExp(1.0, n_dims=3), [np.array([1.0])], "3 dimensions"),
    ],
)
def test_fit_rejects_bad_requests(model, events, message):
    with pytest.raises(EstimationError, match=message):
        model.fit(events, 5.0)


def test_parallel_dimension_fits_equal_serial(monkeypatch):
    """Dimensions fitted on several threads give exactly the serial answer."""
    import tripwire.escalate.hawkes.mle as mle

    truth = HawkesExp(1.0, baseline=[0.4, 0.2, 0.3], adjacency=np.array([[0.3, 0.1, 0.0], [0.2, 0.3, 0.1], [0.0, 0.1, 0.4]]))
    events = truth.simulate(3000.0, np.random.default_rng(5))
    threaded = HawkesExp(1.0).fit(events, 3000.0)
    monkeypatch.setattr(mle, "_cores", lambda: 1)
    serial = HawkesExp(1.0).fit(events, 3000.0)
    assert np.array_equal(threaded.baseline_, serial.baseline_)
    assert np.array_equal(threaded.adjacency_, serial.adjacency_)
    assert threaded.loglik_ == serial.loglik_
