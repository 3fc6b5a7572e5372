"""Scenario sweeps, serially or on Dask.

:func:`run_sweep` runs the policy Monte Carlo over a grid of spoiler rates x
attribution-error models (each scenario sweeps all thresholds at once). It
takes a ``scheduler``: ``None`` runs here, one scenario after another; anything
else is what :func:`tripwire.cluster.dask_client` accepts (``"local"``, a
scheduler address, a ``distributed.Client``).

Each scenario's random stream is a child of ``numpy.random.SeedSequence(seed)``
spawned in grid order, so a sweep gives bit-identical results whichever way it
runs and however the cluster schedules it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..cluster import dask_client, gather
from ..errors import InputError
from .attribution_error import AttributionModel, BetaScores, ConfusionAttribution
from .generators import BranchingModel, EventModel, PoissonModel
from .policy import PolicyResult, PolicyScenario, simulate_policy
from .spoilers import Spoiler


@dataclass(frozen=True)
class ScenarioGrid:
    """The grid: every spoiler rate x every attribution model, each over ``base.thresholds``.

    ``spoiler`` is the template spoiler whose ``rate`` each grid point replaces
    (a rate of 0 means no spoiler); ``base`` carries everything else.
    """

    spoiler_rates: tuple[float, ...] = (0.0,)
    attributions: tuple[AttributionModel, ...] = (ConfusionAttribution(),)
    base: PolicyScenario = field(default_factory=PolicyScenario)
    spoiler: Spoiler = Spoiler("spoiler", 0.0, mimicry=0.5)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spoiler_rates", tuple(float(r) for r in self.spoiler_rates))
        object.__setattr__(self, "attributions", tuple(self.attributions))
        if not self.spoiler_rates or not self.attributions:
            raise InputError("a scenario grid needs at least one spoiler rate and one attribution model")
        for rate in self.spoiler_rates:
            if not (np.isfinite(rate) and rate >= 0):
                raise InputError(f"spoiler rates must be >= 0, got {rate!r}")

    def scenarios(self) -> list[tuple[float, AttributionModel, PolicyScenario]]:
        """``(spoiler_rate, attribution, scenario)`` for every grid point, spoiler rate outermost."""
        out = []
        for rate in self.spoiler_rates:
            spoilers = self.base.spoilers + ((replace(self.spoiler, rate=rate),) if rate > 0 else ())
            for attribution in self.attributions:
                out.append((rate, attribution, replace(self.base, spoilers=spoilers, attribution=attribution)))
        return out


@dataclass(frozen=True)
class SweepRow:
    """One grid point: its spoiler rate, attribution model label and the policy result."""

    spoiler_rate: float
    attribution: str
    result: PolicyResult


@dataclass(frozen=True)
class SweepResult:
    """Every grid point's result, in grid order, with the seed and run count used."""

    rows: tuple[SweepRow, ...]
    seed: int
    n_sims: int

    def records(self) -> list[dict[str, Any]]:
        """One flat record per grid point and threshold (for tables, CSV or JSON)."""
        out = []
        for row in self.rows:
            for point in row.result.to_dict()["points"]:  # type: ignore[union-attr]
                out.append({"spoiler_rate": row.spoiler_rate, "attribution": row.attribution, **point})
        return out


def _one_scenario(model: EventModel, scenario: PolicyScenario, n_sims: int, seed: np.random.SeedSequence) -> PolicyResult:
    return simulate_policy(model, scenario, n_sims=n_sims, rng=seed)


def run_sweep(model: EventModel, grid: ScenarioGrid, *, n_sims: int = 10_000, seed: int, scheduler: Any = None) -> SweepResult:
    """Run the policy simulation for every grid point; see the module docstring for ``scheduler``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    points = grid.scenarios()
    seeds = np.random.SeedSequence(int(seed)).spawn(len(points))
    if scheduler is None:
        results = [_one_scenario(model, sc, n_sims, s) for (_r, _a, sc), s in zip(points, seeds)]
    else:
        with dask_client(scheduler) as client:
            futures = [client.submit(_one_scenario, model, sc, n_sims, s, pure=False) for (_r, _a, sc), s in zip(points, seeds)]
            results = gather(client, futures)
    rows = tuple(SweepRow(spoiler_rate=r, attribution=a.label, result=res) for (r, a, _sc), res in zip(points, results))
    return SweepResult(rows=rows, seed=int(seed), n_sims=int(n_sims))


def policy_sweep(
    *,
    rate: float,
    lethality: float,
    days: float,
    thresholds: Sequence[float],
    spoiler_rates: Sequence[float] = (0.0,),
    seed: int,
    n_sims: int = 10_000,
    p_ordered: float = 0.5,
    branching: float = 0.0,
    decay: float = 1.0,
    tpr: float | None = None,
    fpr: float | None = None,
    spoiler_mimicry: float = 0.5,
    spoiler_lethality: float | None = None,
    p_retaliate: float = 1.0,
    p_counter: float = 0.5,
    scheduler: Any = None,
) -> SweepResult:
    """The ``tripwire policy`` question from plain numbers.

    Proxy attacks at ``rate`` per day (self-exciting with mean ``branching``
    follow-ups per attack and ``decay`` per day when ``branching > 0``);
    attribution errs per ``tpr``/``fpr`` when both are given, otherwise per the
    default :class:`~tripwire.escalate.attribution_error.BetaScores`; one grid
    point per spoiler rate.
    """
    if (tpr is None) != (fpr is None):
        raise InputError("give both tpr and fpr (a confusion matrix), or neither (the default score model)")
    attribution: AttributionModel = ConfusionAttribution(tpr, fpr) if tpr is not None and fpr is not None else BetaScores()
    if not (np.isfinite(rate) and rate >= 0):
        raise InputError(f"rate must be a number >= 0, got {rate!r}")
    model: EventModel = BranchingModel(rate * (1 - branching), branching, decay) if branching > 0 else PoissonModel(rate)
    grid = ScenarioGrid(
        spoiler_rates=tuple(spoiler_rates),
        attributions=(attribution,),
        base=PolicyScenario(
            thresholds=tuple(thresholds), days=days, lethality=lethality, p_ordered=p_ordered, p_retaliate=p_retaliate, p_counter=p_counter
        ),
        spoiler=Spoiler("spoiler", 0.0, mimicry=spoiler_mimicry, lethality=spoiler_lethality),
    )
    return run_sweep(model, grid, n_sims=n_sims, seed=seed, scheduler=scheduler)


def write_sweep(result: SweepResult, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``policy.json`` (every grid point) and ``tradeoff.png`` (one curve per point) into ``out_dir``."""
    import json

    from ..jsonable import to_jsonable
    from .policy_plot import plot_tradeoff

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scenarios = [{"spoiler_rate": r.spoiler_rate, **r.result.to_dict()} for r in result.rows]
    data = {"seed": result.seed, "n_sims": result.n_sims, "scenarios": scenarios}
    json_path = out / "policy.json"
    json_path.write_text(json.dumps(to_jsonable(data), indent=2) + "\n", encoding="utf-8")
    curves = {f"spoiler rate {r.spoiler_rate:g}/day, {r.attribution}": r.result for r in result.rows}
    png = plot_tradeoff(curves, out / "tradeoff.png")
    return json_path, png


__all__ = ["ScenarioGrid", "SweepResult", "SweepRow", "policy_sweep", "run_sweep", "write_sweep"]
