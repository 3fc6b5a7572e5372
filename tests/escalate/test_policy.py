"""Red-line policy Monte Carlo: analytic cases, monotonicity, spoilers, reproducibility, the trade-off plot."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tripwire.errors import InputError
from tripwire.escalate.attribution_error import BetaScores, ConfusionAttribution, EmpiricalScores
from tripwire.escalate.generators import BranchingModel, PoissonModel, simulate_many
from tripwire.escalate.policy import PolicyScenario, parse_thresholds, policy_table, simulate_policy
from tripwire.escalate.policy_plot import plot_tradeoff
from tripwire.escalate.spoilers import Spoiler

N = 40_000
Z = 4.5  # tolerance in Monte Carlo standard errors


class LoopOnly:
    """An event model with only ``simulate`` (like a fitted Hawkes model): two dimensions, attacks in dim 1."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def simulate(self, end_time, rng):
        noise = np.sort(rng.uniform(0, end_time, rng.poisson(5 * end_time)))
        attacks = np.sort(rng.uniform(0, end_time, rng.poisson(self.rate * end_time)))
        return [noise, attacks]


@pytest.mark.parametrize(
    ("rate", "lethality", "p_ordered", "days"),
    [(0.1, 0.2, 1.0, 30), (0.5, 0.05, 0.6, 60), (0.02, 0.5, 0.3, 90), (1.0, 0.01, 0.8, 14)],
)
def test_perfect_attribution_matches_poisson_formula(rate, lethality, p_ordered, days):
    sc = PolicyScenario(thresholds=(0.5, 1.0), days=days, lethality=lethality, p_ordered=p_ordered, p_retaliate=0.8, p_counter=0.5)
    res = simulate_policy(PoissonModel(rate), sc, n_sims=N, rng=7)
    expected = 1 - math.exp(-rate * lethality * p_ordered * days)
    for pt in res.points:
        assert abs(pt.p_trip - expected) < Z * pt.se_trip + 1e-12
        assert pt.p_trip_misattributed == 0.0 and pt.p_trip_ordered == pt.p_trip
        assert abs(pt.p_exchange - 0.4 * expected) < Z * pt.se_exchange + 1e-12
        assert pt.se_trip == pytest.approx(math.sqrt(pt.p_trip * (1 - pt.p_trip) / N))
        if pt.p_trip > 0.05:  # first-event time of a Poisson process truncated at the horizon
            lam = rate * lethality * p_ordered
            mean = (1 / lam - math.exp(-lam * days) * (days + 1 / lam)) / (1 - math.exp(-lam * days))
            assert pt.mean_days_to_trip == pytest.approx(mean, rel=0.05)


@pytest.mark.parametrize(("tpr", "fpr", "p_ordered"), [(0.9, 0.2, 0.5), (0.7, 0.05, 0.3), (1.0, 0.5, 0.0)])
def test_confusion_errors_split_trips_as_competing_poisson_streams(tpr, fpr, p_ordered):
    rate, leth, days = 0.3, 0.1, 45
    sc = PolicyScenario(thresholds=(0.75,), days=days, lethality=leth, p_ordered=p_ordered, attribution=ConfusionAttribution(tpr, fpr))
    pt = simulate_policy(PoissonModel(rate), sc, n_sims=N, rng=11).points[0]
    good, bad = rate * leth * p_ordered * tpr, rate * leth * (1 - p_ordered) * fpr
    p_trip = 1 - math.exp(-(good + bad) * days)
    assert abs(pt.p_trip - p_trip) < Z * pt.se_trip
    assert abs(pt.p_trip_misattributed - p_trip * bad / (good + bad)) < Z * pt.se_trip_misattributed
    assert abs(pt.misattributed_share - bad / (good + bad)) < Z * pt.se_misattributed_share + 1e-12


def test_beta_scores_match_their_tail_probabilities():
    model, rate, leth, days, p = BetaScores(), 0.4, 0.1, 30, 0.5
    sc = PolicyScenario(thresholds=(0.4, 0.6, 0.8), days=days, lethality=leth, p_ordered=p, attribution=model)
    res = simulate_policy(PoissonModel(rate), sc, n_sims=N, rng=3)
    for pt in res.points:
        eff = rate * leth * (p * model.p_attributed(pt.threshold, True) + (1 - p) * model.p_attributed(pt.threshold, False))
        assert abs(pt.p_trip - (1 - math.exp(-eff * days))) < Z * pt.se_trip


def test_monotone_in_threshold_with_common_random_numbers():
    thresholds = tuple(np.linspace(0.05, 1.0, 12))
    sc = PolicyScenario(thresholds=thresholds, days=60, lethality=0.15, attribution=BetaScores(), spoilers=(Spoiler("isis", 0.05, 0.6),))
    res = simulate_policy(BranchingModel(0.2, 0.4, 0.5), sc, n_sims=5_000, rng=5)
    trips = [p.p_trip for p in res.points]
    exchanges = [p.p_exchange for p in res.points]
    assert all(a >= b for a, b in zip(trips, trips[1:]))  # exact, path by path
    assert all(a >= b for a, b in zip(exchanges, exchanges[1:]))
    assert trips[0] > trips[-1] + 0.2
    low, high = res.points[0], res.points[-2]
    assert low.p_trip_misattributed > high.p_trip_misattributed + 5 * low.se_trip_misattributed
    assert low.misattributed_share > high.misattributed_share


def test_spoilers_raise_the_misattributed_share():
    base = dict(thresholds=(0.5, 0.8), days=60, lethality=0.1, p_ordered=0.5, attribution=ConfusionAttribution(0.85, 0.1))
    calm = simulate_policy(PoissonModel(0.2), PolicyScenario(**base), n_sims=20_000, rng=21)
    spoiler = Spoiler("isis", 0.1, mimicry=0.8, lethality=0.3)
    spoiled = simulate_policy(PoissonModel(0.2), PolicyScenario(**base, spoilers=(spoiler,)), n_sims=20_000, rng=21)
    for a, b in zip(calm.points, spoiled.points):
        assert a.p_trip_spoiler == 0.0 and b.p_trip_spoiler > 0.05
        assert b.misattributed_share > a.misattributed_share + 4 * (a.se_misattributed_share + b.se_misattributed_share)
        assert b.p_trip > a.p_trip


def test_spoiler_only_world_matches_formula():
    s, m, leth, days = 0.2, 0.4, 0.25, 30
    sc = PolicyScenario(thresholds=(0.9,), days=days, lethality=0.9, spoilers=(Spoiler("isis", s, mimicry=m, lethality=leth),))
    pt = simulate_policy(PoissonModel(0.0), sc, n_sims=N, rng=2).points[0]
    expected = 1 - math.exp(-s * m * leth * days)
    assert abs(pt.p_trip - expected) < Z * pt.se_trip
    assert pt.p_trip == pt.p_trip_spoiler == pt.p_trip_misattributed and pt.misattributed_share == 1.0


def test_counter_strike_can_depend_on_misattribution():
    sc = PolicyScenario(thresholds=(0.5,), days=60, lethality=0.2, p_ordered=0.0, attribution=ConfusionAttribution(1.0, 1.0),
                        p_retaliate=1.0, p_counter=0.0, p_counter_misattributed=1.0)
    pt = simulate_policy(PoissonModel(0.1), sc, n_sims=10_000, rng=4).points[0]
    assert pt.p_exchange == pt.p_trip_misattributed == pt.p_trip > 0.5


def test_seeds_reproduce_exactly_and_differ_between_seeds():
    sc = PolicyScenario(attribution=BetaScores(), spoilers=(Spoiler("isis", 0.05),))
    model = BranchingModel(0.2, 0.5, 1.0)
    a = simulate_policy(model, sc, n_sims=3_000, rng=99)
    b = simulate_policy(model, sc, n_sims=3_000, rng=99)
    c = simulate_policy(model, sc, n_sims=3_000, rng=100)
    assert a == b and a.points != c.points
    d = simulate_policy(model, sc, n_sims=3_000, rng=np.random.SeedSequence(99))
    assert d.points == a.points  # default_rng(int) and default_rng(SeedSequence(int)) agree


def test_loop_fallback_and_attack_dims():
    sc = PolicyScenario(thresholds=(0.5,), days=20, lethality=0.3, p_ordered=1.0, attack_dims=(1,))
    pt = simulate_policy(LoopOnly(0.1), sc, n_sims=8_000, rng=8).points[0]
    assert abs(pt.p_trip - (1 - math.exp(-0.1 * 0.3 * 20))) < Z * pt.se_trip


def test_branching_model_mean_count():
    mu, n, beta, T = 0.5, 0.6, 0.8, 40.0
    times, sims = BranchingModel(mu, n, beta).simulate_batch(T, 20_000, np.random.default_rng(1))
    counts = np.bincount(sims, minlength=20_000)
    expected = mu * T / (1 - n) - mu * n / ((1 - n) ** 2 * beta) * (1 - math.exp(-(1 - n) * beta * T))
    assert counts.mean() == pytest.approx(expected, rel=0.02)
    assert np.all(np.diff(sims) >= 0) and np.all((times >= 0) & (times < T))
    assert counts.var() > 1.5 * counts.mean()  # clustered, unlike Poisson
    one = BranchingModel(mu, n, beta).simulate(T, np.random.default_rng(1))
    assert len(one) == 1 and np.all(np.diff(one[0]) >= 0)


def test_empirical_scores_from_calibration():
    scores = [0.95, 0.9, 0.8, 0.3, 0.2, 0.6]
    truth = [True, True, True, False, False, False]
    model = EmpiricalScores.from_calibration(scores, truth)
    assert model.p_attributed(0.85, True) == pytest.approx(2 / 3) and model.p_attributed(0.5, False) == pytest.approx(1 / 3)
    draws = model.draw(np.array([True] * 1000 + [False] * 1000), np.random.default_rng(0))
    assert set(draws[:1000]) <= {0.95, 0.9, 0.8} and set(draws[1000:]) <= {0.3, 0.2, 0.6}
    with pytest.raises(InputError):
        EmpiricalScores.from_calibration([0.5], [True, False])


@pytest.mark.parametrize(
    "build",
    [
        lambda: PolicyScenario(thresholds=(0.0,)),
        lambda: PolicyScenario(thresholds=(1.5,)),
        lambda: PolicyScenario(thresholds=()),
        lambda: PolicyScenario(lethality=1.2),
        lambda: PolicyScenario(days=0),
        lambda: PolicyScenario(attribution="perfect"),
        lambda: Spoiler("x", rate=-1),
        lambda: Spoiler("x", rate=1, mimicry=2),
        lambda: ConfusionAttribution(tpr=1.1),
        lambda: BetaScores(ordered=(0, 1)),
        lambda: PoissonModel(float("nan")),
        lambda: BranchingModel(0.1, 1.0, 1.0),
        lambda: simulate_policy(PoissonModel(1), PolicyScenario(), n_sims=10),  # no seed
        lambda: simulate_policy(PoissonModel(1), PolicyScenario(), n_sims=0, rng=1),
        lambda: simulate_policy(object(), PolicyScenario(), rng=1),
        lambda: simulate_policy(PoissonModel(1), PolicyScenario(), rng=-3),
        lambda: simulate_many(PoissonModel(1), -1.0, 10, np.random.default_rng(0)),
        lambda: parse_thresholds("0.5,abc"),
        lambda: parse_thresholds("0.5,0"),
        lambda: PolicyScenario(p_counter_misattributed=-0.1),
    ],
)
def test_bad_input_is_an_input_error(build):
    with pytest.raises(InputError):
        build()


def test_table_dict_and_tradeoff_png(tmp_path):
    sc = PolicyScenario(thresholds=parse_thresholds("0.3,0.6,0.9"), attribution=BetaScores(), spoilers=(Spoiler("isis", 0.05, 0.7),))
    res = simulate_policy(PoissonModel(0.3), sc, n_sims=4_000, rng=1)
    rows = policy_table(res)
    assert [r["threshold"] for r in rows] == ["0.3", "0.6", "0.9"] and "±" in rows[0]["P(trip)"]
    data = res.to_dict()
    assert data["seed"] == "1" and len(data["points"]) == 3 and data["spoilers"][0]["name"] == "isis"
    assert res.point(0.6).threshold == 0.6
    with pytest.raises(InputError):
        res.point(0.55)
    calm = simulate_policy(PoissonModel(0.3), PolicyScenario(thresholds=sc.thresholds, attribution=BetaScores()), n_sims=4_000, rng=1)
    out = plot_tradeoff({"with spoilers": res, "without": calm}, tmp_path / "tradeoff.png")
    assert out.read_bytes()[:4] == b"\x89PNG" and out.stat().st_size > 5_000
    with pytest.raises(InputError):
        plot_tradeoff({}, tmp_path / "none.png")


@pytest.mark.slow
def test_fitted_hawkes_model_drives_the_simulation():
    """The Hawkes engineer's HawkesExp plugs in as the event model and agrees with the branching generator."""
    from tripwire.escalate import hawkes

    model = hawkes.HawkesExp(decay=0.5, baseline=[0.2], adjacency=[[0.4]])
    sc = PolicyScenario(thresholds=(0.5,), days=60, lethality=0.15, p_ordered=1.0)
    via_hawkes = simulate_policy(model, sc, n_sims=2_000, rng=1).points[0]
    via_branching = simulate_policy(BranchingModel(0.2, 0.4, 0.5), sc, n_sims=20_000, rng=1).points[0]
    assert abs(via_hawkes.p_trip - via_branching.p_trip) < Z * math.hypot(via_hawkes.se_trip, via_branching.se_trip)
    # and a fitted one: recover dynamics from one long history, then simulate the policy from the fit
    history = BranchingModel(0.2, 0.4, 0.5).simulate(3_000.0, np.random.default_rng(5))
    fitted = hawkes.HawkesExp(decay=0.5).fit(history, 3_000.0)
    assert float(np.ravel(fitted.adjacency_)[0]) == pytest.approx(0.4, abs=0.12)
    pt = simulate_policy(fitted, sc, n_sims=1_000, rng=2).points[0]
    assert abs(pt.p_trip - via_branching.p_trip) < 0.06
