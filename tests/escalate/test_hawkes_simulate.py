"""Thinning vs cluster simulation, history continuation, stationarity and forecasts."""

from __future__ import annotations

import numpy as np
import pytest

from tripwire.errors import EstimationError
from tripwire.escalate.hawkes import ForecastResult, HawkesExp, HawkesSumExp
from tripwire.escalate.hawkes.forecast import expected_counts

MU = np.array([0.5, 0.3])
ADJ = np.array([[0.3, 0.1], [0.2, 0.4]])
MODELS = [
    ("exp", HawkesExp(1.0, baseline=MU, adjacency=ADJ)),
    ("exp-matrix", HawkesExp(np.array([[0.5, 2.0], [1.0, 3.0]]), baseline=MU, adjacency=ADJ)),
    ("sumexp", HawkesSumExp([0.3, 3.0], baseline=MU, adjacency=np.stack([ADJ * 0.5, ADJ * 0.5], axis=2))),
]


def _count_stats(model, method: str, *, reps: int, end: float, seed: int, history=None, start=None):
    rng = np.random.default_rng(seed)
    counts = np.array([[len(e) for e in model.simulate(end, rng, method=method, history=history, start_time=start)] for _ in range(reps)])
    return counts.mean(axis=0), counts.std(axis=0, ddof=1) / np.sqrt(reps)


@pytest.mark.parametrize(("name", "model"), MODELS, ids=[m[0] for m in MODELS])
def test_thinning_and_cluster_agree_with_exact_mean(name, model):
    mean_t, se_t = _count_stats(model, "thinning", reps=300, end=40.0, seed=1)
    mean_c, se_c = _count_stats(model, "cluster", reps=300, end=40.0, seed=2)
    mu, alpha, beta = model._params()
    exact = expected_counts(mu, alpha, beta, np.zeros_like(alpha), 40.0)
    assert np.all(np.abs(mean_t - mean_c) < 4 * np.hypot(se_t, se_c))
    assert np.all(np.abs(mean_t - exact) < 4 * se_t)
    assert np.all(np.abs(mean_c - exact) < 4 * se_c)


@pytest.mark.parametrize("method", ["thinning", "cluster"])
def test_long_run_rate_matches_stationary_intensity(method):
    model = HawkesExp(1.0, baseline=MU, adjacency=ADJ)
    ev = model.simulate(20_000.0, np.random.default_rng(8), method=method)
    rate = np.array([len(e) for e in ev]) / 20_000.0
    np.testing.assert_allclose(rate, np.linalg.solve(np.eye(2) - ADJ, MU), rtol=0.05)
    for e in ev:
        assert np.all(np.diff(e) > 0) and e[0] > 0 and e[-1] <= 20_000.0


@pytest.mark.parametrize(("a", "seed"), [(0.2, 11), (0.5, 12), (0.8, 13)])
def test_cluster_sizes_have_the_branching_process_mean_and_variance(a, seed):
    """One immigrant's whole family, each event having Poisson(a) children: size mean 1/(1-a), variance a/(1-a)^3.

    Children are drawn as one Poisson total per generation with parents chosen
    uniformly; a wrong shortcut (say, every parent getting the same count)
    would keep the mean and change the variance.
    """
    from tripwire.escalate.hawkes.simulate import cluster_per_dim

    rng = np.random.default_rng(seed)
    alpha, beta = np.full((1, 1, 1), a), np.full((1, 1, 1), 50.0)
    history = (np.array([0.0]),)  # one event at time 0 whose children start the family; no immigrants (mu = 0)
    sizes = np.array([cluster_per_dim(np.zeros(1), alpha, beta, start_time=0.0, end_time=1e6, rng=rng, history=history)[0].size
                      for _ in range(4000)])
    family = sizes + 1  # the event at 0 itself
    mean, var = 1 / (1 - a), a / (1 - a) ** 3
    assert abs(family.mean() - mean) < 4 * np.sqrt(var / family.size)
    assert abs(family.var(ddof=1) / var - 1) < 0.25


def test_merged_cluster_output_is_the_per_dimension_output_in_time_order():
    from tripwire.escalate.hawkes.simulate import cluster_per_dim, simulate_cluster, split_by_dim

    alpha, beta = ADJ.reshape(2, 2, 1), np.ones((2, 2, 1))
    history = (np.array([1.0, 4.0, 9.5]), np.array([3.0]))
    times, marks = simulate_cluster(MU, alpha, beta, start_time=10.0, end_time=400.0, rng=np.random.default_rng(3), history=history)
    per_dim = cluster_per_dim(MU, alpha, beta, start_time=10.0, end_time=400.0, rng=np.random.default_rng(3), history=history)
    unsorted = cluster_per_dim(MU, alpha, beta, start_time=10.0, end_time=400.0, rng=np.random.default_rng(3), history=history, sort=False)
    assert np.all(np.diff(times) >= 0) and times.size > 100
    for got, want, raw in zip(split_by_dim(times, marks, 2), per_dim, unsorted, strict=True):
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.sort(raw), want)
        assert np.all((want > 10.0) & (want <= 400.0))


def test_same_seed_same_events_and_generator_advances():
    model = HawkesExp(1.0, baseline=MU, adjacency=ADJ)
    for method in ("thinning", "cluster"):
        a = model.simulate(100.0, 42, method=method)
        b = model.simulate(100.0, np.random.default_rng(42), method=method)
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
        rng = np.random.default_rng(0)
        c, d = model.simulate(100.0, rng, method=method), model.simulate(100.0, rng, method=method)
        assert not all(np.array_equal(x, y) for x, y in zip(c, d, strict=True))


@pytest.mark.parametrize("method", ["thinning", "cluster"])
def test_history_raises_the_near_future_and_matches_exact_expectation(method):
    model = HawkesExp(1.0, baseline=MU, adjacency=ADJ)
    burst = [np.linspace(90.0, 99.5, 20), np.array([95.0, 99.9])]  # a flurry just before t=100
    mean_h, se_h = _count_stats(model, method, reps=400, end=103.0, seed=5, history=burst, start=100.0)
    mean_0, _ = _count_stats(model, method, reps=400, end=3.0, seed=6)
    mu, alpha, beta = model._params()
    from tripwire.escalate.hawkes.design import excitation_at

    exact = expected_counts(mu, alpha, beta, excitation_at(tuple(burst), 100.0, beta), 3.0)
    assert np.all(mean_h > mean_0 + 0.5)
    assert np.all(np.abs(mean_h - exact) < 4 * se_h)


def test_history_defaults_start_to_last_event_and_new_events_follow_it():
    model = HawkesExp(1.0, baseline=MU, adjacency=ADJ)
    new = model.simulate(60.0, 3, history=[np.array([10.0, 50.0]), np.array([20.0])])
    assert all(np.all(e > 50.0) and np.all(e <= 60.0) for e in new)
    with pytest.raises(EstimationError, match="after start_time"):
        model.simulate(60.0, 3, history=[np.array([10.0, 50.0]), np.array([20.0])], start_time=30.0)


@pytest.mark.parametrize("method", ["thinning", "cluster"])
def test_explosive_process_is_refused(method):
    model = HawkesExp(1.0, baseline=MU, adjacency=np.array([[0.9, 0.3], [0.3, 0.6]]))
    with pytest.raises(EstimationError, match=r"spectral radius .* \(must be < 1\)"):
        model.simulate(100.0, 1, method=method)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rng": None}, "seed or a numpy Generator"),
        ({"rng": "seven"}, "Generator or an integer"),
        ({"rng": 1, "method": "magic"}, "unknown simulation method"),
        ({"rng": 1, "start_time": 200.0}, "after start_time"),
    ],
)
def test_simulate_rejects_bad_arguments(kwargs, message):
    with pytest.raises(EstimationError, match=message):
        HawkesExp(1.0, baseline=MU, adjacency=ADJ).simulate(100.0, **kwargs)


def test_forecast_after_fit_matches_exact_expectation_and_is_sane():
    truth = HawkesExp(1.0, baseline=MU, adjacency=ADJ)
    ev = truth.simulate(3000.0, np.random.default_rng(12))
    fit = HawkesExp(1.0, dim_names=["militia->US", "US->militia"]).fit(ev, 3000.0)
    res = fit.forecast(ev, 3000.0, 30.0, n_sims=2000, rng=np.random.default_rng(1))
    assert isinstance(res, ForecastResult)
    assert res.dim_names == ("militia->US", "US->militia")
    with pytest.raises(AttributeError):
        res.window = 5.0  # frozen
    mean = np.array(res.mean_count)
    exact = np.array(res.expected_count)
    stationary = np.linalg.solve(np.eye(2) - fit.adjacency_, fit.baseline_) * 30.0
    np.testing.assert_allclose(exact, stationary, rtol=0.25)  # 30 days is long next to the 1-day kernel
    np.testing.assert_allclose(mean, exact, rtol=0.05)
    for d in range(2):
        q05, q50, q95 = res.count_quantiles[d]
        assert q05 <= q50 <= q95 and q05 < mean[d] < q95
        assert 0.99 <= res.p_any[d] <= 1.0
    assert res.to_dict()["dimensions"]["militia->US"]["quantiles"]["0.5"] == res.count_quantiles[0][1]


def test_short_window_p_any_matches_poisson_limit_and_cluster_method():
    # with no history and a tiny window, P(any) ~ 1 - exp(-mu * w)
    model = HawkesExp(1.0, baseline=MU, adjacency=ADJ)
    empty = [np.array([]), np.array([])]
    res = model.forecast(empty, 0.0, 0.2, n_sims=4000, rng=3)
    want = 1 - np.exp(-np.array(res.expected_count))
    np.testing.assert_allclose(res.p_any, want, atol=0.03)
    clu = model.forecast(empty, 0.0, 0.2, n_sims=2000, rng=4, method="cluster")
    np.testing.assert_allclose(clu.p_any, want, atol=0.03)
    np.testing.assert_allclose(res.intensity_at_start, MU)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": -1.0}, "positive"),
        ({"n_sims": 0}, "at least 1"),
        ({"quantiles": (0.5, 1.5)}, r"\[0, 1\]"),
        ({"method": "magic"}, "unknown simulation method"),
    ],
)
def test_forecast_rejects_bad_arguments(kwargs, message):
    args = {"window": 10.0, "n_sims": 10, "rng": 1} | kwargs
    with pytest.raises(EstimationError, match=message):
        HawkesExp(1.0, baseline=MU, adjacency=ADJ).forecast([np.array([1.0]), np.array([])], 5.0, **args)
