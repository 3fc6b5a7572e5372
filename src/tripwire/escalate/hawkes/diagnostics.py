"""Goodness of fit by the time-rescaling theorem.

If the model is right, the compensator increments ``Lambda_i(t_k) - Lambda_i(t_{k-1})``
between consecutive events of each dimension are independent Exp(1) draws. A
Kolmogorov-Smirnov test of those residuals against Exp(1) (``scipy.stats.kstest``)
and a QQ plot are the standard checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .kernels import Events
from .design import sufficient_stats


@dataclass(frozen=True)
class GoodnessOfFit:
    """Per-dimension KS test of rescaled inter-event times against Exp(1).

    ``p_value[d]`` is NaN for a dimension with fewer than two events.
    ``residuals[d]`` are the compensator increments themselves.
    """

    dim_names: tuple[str, ...]
    n_events: tuple[int, ...]
    ks_statistic: tuple[float, ...]
    p_value: tuple[float, ...]
    residuals: tuple[np.ndarray, ...] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (residuals left out)."""
        return {
            name: {"n_events": n, "ks_statistic": s, "p_value": p}
            for name, n, s, p in zip(self.dim_names, self.n_events, self.ks_statistic, self.p_value, strict=True)
        }


def compensator_increments(events: Events, end_time: float, mu: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> list[np.ndarray]:
    """``Lambda_i`` between consecutive events of each dimension (first one measured from time 0)."""
    stats = sufficient_stats(events, end_time, beta)
    d_dims, _, n_comp = alpha.shape
    out = []
    for i in range(d_dims):
        ti = events.per_dim[i]
        if ti.size == 0:
            out.append(np.empty(0))
            continue
        counts = np.column_stack([np.searchsorted(tj, ti, side="left") for tj in events.per_dim]).astype(np.float64)
        counts = np.repeat(counts, n_comp, axis=1)  # (N_i, D*U), same layout as X
        a = alpha[i].ravel()
        b = beta[i].ravel()
        lam_cum = mu[i] * ti + (counts - stats.X[i] / b[None, :]) @ a
        out.append(np.diff(lam_cum, prepend=0.0))
    return out


def ks_test(events: Events, end_time: float, mu: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> GoodnessOfFit:
    """Time-rescaling residuals and their KS test against Exp(1), per dimension."""
    from scipy import stats as sps  # a second to import: only when diagnostics are asked for, not on every fit

    res = compensator_increments(events, end_time, mu, alpha, beta)
    stat, pval = [], []
    for r in res:
        if r.size < 2:
            stat.append(float("nan"))
            pval.append(float("nan"))
            continue
        test = sps.kstest(r, "expon")
        stat.append(float(test.statistic))
        pval.append(float(test.pvalue))
    return GoodnessOfFit(events.dim_names, tuple(int(r.size) for r in res), tuple(stat), tuple(pval), tuple(res))


def qq_plot(gof: GoodnessOfFit, path: str | Path | None = None) -> Any:
    """QQ plot of rescaled residuals vs Exp(1) quantiles, one panel per dimension.

    Uses matplotlib's Agg canvas directly (no pyplot, no global backend change);
    writes a PNG when ``path`` is given. Returns the ``matplotlib.figure.Figure``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = len(gof.dim_names)
    cols = min(n, 4)
    rows = (n + cols - 1) // cols
    fig = Figure(figsize=(3.2 * cols, 3.0 * rows))
    FigureCanvasAgg(fig)
    for d, name in enumerate(gof.dim_names):
        ax = fig.add_subplot(rows, cols, d + 1)
        r = np.sort(gof.residuals[d])
        if r.size:
            q = -np.log1p(-(np.arange(1, r.size + 1) - 0.5) / r.size)
            ax.plot(q, r, ".", markersize=2)
            top = float(max(q[-1], r[-1]))
            ax.plot([0, top], [0, top], "k--", linewidth=0.8)
        p = gof.p_value[d]
        ax.set_title(f"{name} (KS p={p:.3g})", fontsize=9)
        ax.set_xlabel("Exp(1) quantile")
        ax.set_ylabel("rescaled gap")
    fig.tight_layout()
    if path is not None:
        fig.savefig(str(path), format="png", dpi=100)
    return fig
