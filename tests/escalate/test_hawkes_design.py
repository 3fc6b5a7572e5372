"""The fitting design built by numba and by numpy, the engine choice, and the projected Newton MLE."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tripwire.errors import EstimationError
from tripwire.escalate.hawkes import HawkesExp, HawkesSumExp
from tripwire.escalate.hawkes import design, mle
from tripwire.escalate.hawkes.design import SufficientStats, choose_engine, decayed_counts, sufficient_stats
from tripwire.escalate.hawkes.kernels import as_events

MU2 = np.array([0.5, 0.3])
ADJ2 = np.array([[0.3, 0.1], [0.2, 0.4]])

# (case name, model, horizon, time rounding: coarse stamps give ties within and across dimensions)
CASES = [
    ("exp-scalar", HawkesExp(1.3, baseline=MU2, adjacency=ADJ2), 800.0, None),
    ("exp-matrix", HawkesExp(np.array([[0.7, 3.0], [1.5, 0.4]]), baseline=MU2, adjacency=ADJ2), 800.0, None),
    ("sumexp", HawkesSumExp([0.3, 4.0], baseline=MU2, adjacency=np.stack([ADJ2 * 0.5, ADJ2 * 0.4], axis=2)), 800.0, None),
    ("exp-ties", HawkesExp(2.0, baseline=MU2, adjacency=ADJ2), 800.0, 0.5),
    (
        "three-dims",
        HawkesExp(0.8, baseline=[0.2, 0.1, 0.3], adjacency=np.array([[0.2, 0.1, 0.0], [0.3, 0.1, 0.1], [0.0, 0.2, 0.3]])),
        700.0,
        None,
    ),
]


def _events(model, end_time, round_to, seed=3):
    events = model.simulate(end_time, np.random.default_rng(seed))
    if round_to is not None:
        events = [np.round(e / round_to) * round_to for e in events]
    return as_events(events, end_time=end_time)


@pytest.mark.parametrize(("name", "model", "end_time", "round_to"), CASES, ids=[c[0] for c in CASES])
def test_numpy_and_numba_designs_agree(name, model, end_time, round_to):
    ev = _events(model, end_time, round_to)
    mu, alpha, beta = model._params()
    fast = sufficient_stats(ev, end_time, beta, engine="numba")
    plain = sufficient_stats(ev, end_time, beta, engine="numpy")
    assert [x.shape for x in fast.X] == [(n, alpha.shape[1] * alpha.shape[2]) for n in ev.counts]
    for a, b in zip(fast.X, plain.X, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(fast.H, plain.H)
    for i in range(len(mu)):
        theta = np.concatenate([[mu[i]], alpha[i].ravel()])
        v_fast, g_fast = fast.neg_loglik_grad(i, theta)
        v_plain, g_plain = plain.neg_loglik_grad(i, theta)
        assert v_plain == pytest.approx(v_fast, rel=1e-9, abs=1e-9)
        np.testing.assert_allclose(g_plain, g_fast, rtol=1e-9, atol=1e-9)


def test_design_rows_by_hand():
    # dimension 0 at 1 and 2, dimension 1 at 2 (tied with the second event of 0) and 3; beta = 2
    ev = as_events([np.array([1.0, 2.0]), np.array([2.0, 3.0])], end_time=4.0)
    beta = np.full((2, 2, 1), 2.0)
    e1, e2 = 2 * np.exp(-2.0), 2 * np.exp(-4.0)
    want0 = [[0.0, 0.0], [e1, 0.0]]  # the tied event of dimension 1 does not excite the event at 2
    want1 = [[e1, 0.0], [e2 + e1, e1]]
    for engine in ("numba", "numpy"):
        st = sufficient_stats(ev, 4.0, beta, engine=engine)
        np.testing.assert_allclose(st.X[0], want0, rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(st.X[1], want1, rtol=1e-14, atol=1e-300)


def test_decayed_counts_match_the_definition():
    t = np.sort(np.random.default_rng(1).uniform(0, 2000.0, 3001))
    t[100:104] = t[100]  # ties
    b = 0.9
    lag = t[:, None] - t[None, :]
    upto = np.tri(t.size, dtype=bool)  # l' <= l by position (ties included up to l)
    want = np.where(upto, np.exp(-b * np.where(upto, lag, 0.0)), 0.0).sum(axis=1)
    np.testing.assert_allclose(decayed_counts(t, b), want, rtol=1e-12)
    assert decayed_counts(np.array([5.0]), b).tolist() == [1.0]
    assert decayed_counts(np.empty(0), b).size == 0


def test_engine_choice_weighs_set_up_cost_against_work(monkeypatch):
    assert choose_engine(1000) == "numpy"  # small problems never pay for numba
    assert choose_engine(design.NUMBA_COLD_WORK) == "numba"
    monkeypatch.delitem(sys.modules, "numba", raising=False)  # a process that has not imported numba
    assert choose_engine(design.NUMBA_COLD_WORK - 1) == "numpy"
    monkeypatch.setenv("NUMBA_DISABLE_JIT", "1")
    assert choose_engine(design.NUMBA_COLD_WORK) == "numpy"
    with pytest.raises(EstimationError, match="unknown design engine"):
        sufficient_stats(as_events([np.array([1.0])], end_time=2.0), 2.0, np.ones((1, 1, 1)), engine="cuda")


def _kkt_violation(stats: SufficientStats, theta: np.ndarray) -> float:
    """Largest violation of the bound-constrained optimality conditions, per event."""
    worst = 0.0
    for i in range(len(stats.X)):
        _, g = stats.neg_loglik_grad(i, theta[i])
        at_bound = theta[i] <= np.r_[mle.MIN_BASELINE, np.zeros(theta.shape[1] - 1)] * (1 + 1e-12)
        viol = np.where(at_bound, np.maximum(-g, 0.0), np.abs(g))
        worst = max(worst, float(viol.max()) / max(stats.n_events(i), 1))
    return worst


def test_newton_reaches_the_constrained_optimum_and_beats_lbfgsb():
    from scipy.optimize import minimize

    # a zero true effect (0 -> 2) gives estimates on the bound
    truth = HawkesExp(1.0, baseline=[0.4, 0.2, 0.3], adjacency=np.array([[0.3, 0.1, 0.0], [0.2, 0.3, 0.1], [0.0, 0.1, 0.4]]))
    ev = as_events(truth.simulate(20_000.0, np.random.default_rng(8)), end_time=20_000.0)
    stats = sufficient_stats(ev, 20_000.0, np.ones((3, 3, 1)))
    out = mle.fit_mle(stats)
    thetas = np.column_stack([out.baseline, out.alpha.reshape(3, 3)])
    assert out.converged
    assert _kkt_violation(stats, thetas) < 1e-9  # gradient per event; at the bound it must point outward
    assert np.any(thetas[:, 1:] == 0.0)  # some estimate sits on its bound, and the conditions hold there
    for i in range(3):
        tight = mle.newton(stats.XT[i], stats.H[i], stats.end_time, thetas[i], tol=0.0, max_iter=30)  # Newton to rounding
        assert stats.loglik_dim(i, thetas[i]) == pytest.approx(-tight[1], abs=1e-9)
        res = minimize(lambda th, i=i: stats.neg_loglik_grad(i, th), mle.initial_theta(stats, i, None, None), jac=True, method="L-BFGS-B",
                       bounds=[(mle.MIN_BASELINE, None)] + [(0.0, None)] * 3, options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-12})
        assert stats.loglik_dim(i, thetas[i]) >= -res.fun - 1e-8


def test_subsample_start_does_not_change_the_answer(monkeypatch):
    truth = HawkesExp(1.0, baseline=MU2, adjacency=ADJ2)
    events = truth.simulate(30_000.0, np.random.default_rng(2))  # ~48k events: a subsample stage first
    staged = HawkesExp(1.0).fit(events, 30_000.0)
    monkeypatch.setattr(mle, "COARSE_ROWS", 10**9)  # no subsample: Newton on all events from the default start
    direct = HawkesExp(1.0).fit(events, 30_000.0)
    assert staged.loglik_ == pytest.approx(direct.loglik_, abs=1e-7)
    np.testing.assert_allclose(staged.adjacency_, direct.adjacency_, atol=1e-6)
    np.testing.assert_allclose(staged.adjacency_se_, direct.adjacency_se_, rtol=1e-5)


def test_dimensions_without_events_or_without_earlier_sources():
    # dimension 1 has no events; dimension 2's only events come before every event of dimension 0
    events = [np.array([10.0, 10.5, 11.0, 30.0]), np.array([]), np.array([1.0, 2.0])]
    fit = HawkesExp(1.0).fit(events, 40.0)
    assert fit.converged_
    assert fit.baseline_[1] == mle.MIN_BASELINE and np.all(fit.adjacency_[1] == 0.0)
    assert np.all(fit.adjacency_[:, 1] == 0.0)  # no events of 1 to excite anything
    assert np.all(np.isfinite(fit.baseline_)) and np.isfinite(fit.loglik_)
    assert fit.loglik_ == pytest.approx(fit.score(events, 40.0), rel=1e-12)


def test_a_small_fit_imports_neither_numba_nor_scipy_optimize():
    """A fresh process fitting a few thousand events compiles nothing (the cold CLI fit costs what a warm one does)."""
    import subprocess

    code = (
        "import sys, numpy as np\n"
        "from tripwire.escalate.hawkes import HawkesExp\n"
        "rng = np.random.default_rng(0)\n"
        "ev = [np.sort(rng.uniform(0, 1000.0, 800)), np.sort(rng.uniform(0, 1000.0, 600))]\n"
        "fit = HawkesExp(1.0).fit(ev, 1000.0)\n"
        "assert fit.converged_\n"
        "print(sorted(m for m in ('numba', 'scipy.optimize', 'scipy.stats') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
