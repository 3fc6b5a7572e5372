"""Time-rescaling goodness of fit: KS p-values and the QQ plot."""

from __future__ import annotations

import numpy as np
import pytest

from tripwire.escalate.hawkes import GoodnessOfFit, HawkesExp

MU = np.array([0.4, 0.3])
ADJ = np.array([[0.4, 0.1], [0.25, 0.35]])
END = 6000.0


@pytest.fixture(scope="module")
def data() -> list[np.ndarray]:
    return HawkesExp(1.0, baseline=MU, adjacency=ADJ).simulate(END, np.random.default_rng(31))


def test_residuals_of_the_true_model_look_exponential(data):
    gof = HawkesExp(1.0, baseline=MU, adjacency=ADJ).goodness_of_fit(data, END)
    assert isinstance(gof, GoodnessOfFit)
    assert gof.n_events == tuple(len(e) for e in data)
    for r in gof.residuals:
        assert np.all(r >= 0)
        assert r.mean() == pytest.approx(1.0, abs=0.05)
    assert min(gof.p_value) > 0.01


def test_fitted_model_passes_and_residuals_sum_to_compensator(data):
    fit = HawkesExp(1.0).fit(data, END)
    gof = fit.goodness_of_fit(data, END)
    assert min(gof.p_value) > 0.01
    # the MLE sets the compensator at T equal to the event count, so residual sums come close to N
    for r, e in zip(gof.residuals, data, strict=True):
        assert r.sum() == pytest.approx(len(e), rel=0.01)


# misspecified models: clustering ignored (Poisson), or a kernel far too short / too long
MISSPECIFIED = [
    ("poisson", lambda data: HawkesExp(1.0, baseline=[len(e) / END for e in data], adjacency=np.zeros((2, 2)))),
    ("decay-too-fast", lambda data: HawkesExp(30.0).fit(data, END)),
    ("decay-too-slow", lambda data: HawkesExp(0.02).fit(data, END)),
]


@pytest.mark.parametrize(("name", "build"), MISSPECIFIED, ids=[m[0] for m in MISSPECIFIED])
def test_misspecified_models_get_tiny_p_values(data, name, build):
    gof = build(data).goodness_of_fit(data, END)
    assert max(gof.p_value) < 1e-6
    assert max(gof.ks_statistic) > 0.03


def test_poisson_data_under_poisson_model_pass():
    rng = np.random.default_rng(2)
    data = [np.sort(rng.uniform(0, 3000, rng.poisson(900))), np.sort(rng.uniform(0, 3000, rng.poisson(600)))]
    gof = HawkesExp(1.0, baseline=[0.3, 0.2], adjacency=np.zeros((2, 2))).goodness_of_fit(data, 3000.0)
    assert min(gof.p_value) > 0.01


def test_too_few_events_give_nan_not_an_error():
    gof = HawkesExp(1.0, baseline=[0.3, 0.2], adjacency=np.zeros((2, 2))).goodness_of_fit([np.array([1.0, 2.0, 4.0]), np.array([3.0])], 5.0)
    assert np.isfinite(gof.p_value[0]) and np.isnan(gof.p_value[1])
    assert gof.to_dict()["dim1"]["n_events"] == 1


def test_qq_plot_writes_png(data, tmp_path):
    fit = HawkesExp(1.0, dim_names=["a->b", "b->a"]).fit(data, END)
    path = tmp_path / "qq.png"
    fig = fit.qq_plot(data, END, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title().startswith("a->b")
    assert fit.qq_plot(data, END) is not None  # no file requested
