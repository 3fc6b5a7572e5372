"""The red-line trade-off curve as a PNG.

For each threshold one point: x = P(the red line trips on an attack the
sponsor did not order), y = P(it trips on one it did), with Monte Carlo
error bars, joined in threshold order and labelled with the threshold. Several
:class:`~tripwire.escalate.policy.PolicyResult` objects (e.g. with and
without spoilers) share one set of axes. Drawn on matplotlib's Agg canvas
directly, without pyplot.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import InputError
from .policy import PolicyResult


def plot_tradeoff(
    results: PolicyResult | Mapping[str, PolicyResult], path: str | Path, *, title: str | None = None, dpi: int = 120
) -> Path:
    """Write the trade-off curve(s) to ``path`` (PNG, parent folders created); returns the path."""
    curves = {"scenario": results} if isinstance(results, PolicyResult) else dict(results)
    if not curves:
        raise InputError("nothing to plot: no policy results given")
    fig = Figure(figsize=(6.5, 5.0))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for name, result in curves.items():
        pts = sorted(result.points, key=lambda p: p.threshold)
        xs = [p.p_trip_misattributed for p in pts]
        ys = [p.p_trip_ordered for p in pts]
        ax.errorbar(
            xs, ys,
            xerr=[1.96 * p.se_trip_misattributed for p in pts],
            yerr=[1.96 * p.se_trip_ordered for p in pts],
            marker="o", capsize=3, label=name,
        )
        for p, x, y in zip(pts, xs, ys):
            ax.annotate(f"t={p.threshold:g}", (x, y), xytext=(5, 4), textcoords="offset points", fontsize=8)
    ax.set_xlabel("P(red line trips on a misattributed attack)")
    ax.set_ylabel("P(red line trips on a truly ordered attack)")
    first = next(iter(curves.values()))
    ax.set_title(title or f"Red-line threshold trade-off over {first.days:g} days ({first.n_sims} runs)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if len(curves) > 1:
        ax.legend(fontsize=8)
    fig.text(0.01, 0.01, "error bars: 95% Monte Carlo intervals", fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi, format="png")
    return out
