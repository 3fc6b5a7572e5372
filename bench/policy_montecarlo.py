"""Red-line policy Monte Carlo throughput: vectorised runs vs one run at a time.

    python bench/policy_montecarlo.py [--quick] [--sims N]

Times :func:`tripwire.escalate.simulate_policy` on a 60-day, three-threshold
scenario with a spoiler and Beta-distributed attribution scores, with attacks
from a self-exciting BranchingModel (~0.5 attacks/day). Baseline, measured in
the same run: the same generator driven one run at a time through its plain
``simulate`` method (what any model without ``simulate_batch`` gets, e.g. a
fitted HawkesExp), on a tenth of the runs and scaled. Also times a grid of
6 scenarios serially and on a local Dask cluster (2 threads).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tripwire.escalate import BetaScores, BranchingModel, PolicyScenario, ScenarioGrid, Spoiler, run_sweep, simulate_policy


class OneAtATime:
    """The same process, exposing only ``simulate`` (forces the per-run loop)."""

    def __init__(self, model: BranchingModel) -> None:
        self.model = model

    def simulate(self, end_time: float, rng: np.random.Generator) -> list[np.ndarray]:
        return self.model.simulate(end_time, rng)


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sims", type=int, default=None)
    args = parser.parse_args()
    n = args.sims or (5_000 if args.quick else 50_000)
    model = BranchingModel(0.3, 0.4, 0.5)
    spoilers = (Spoiler("isis", 0.05, 0.7),)
    sc = PolicyScenario(thresholds=(0.5, 0.75, 0.9), days=60, lethality=0.1, attribution=BetaScores(), spoilers=spoilers)

    simulate_policy(model, sc, n_sims=100, rng=0)  # warm-up
    fast, t_fast = timed(lambda: simulate_policy(model, sc, n_sims=n, rng=1))
    n_slow = max(n // 10, 100)
    slow, t_slow = timed(lambda: simulate_policy(OneAtATime(model), sc, n_sims=n_slow, rng=1))
    t_slow_scaled = t_slow * n / n_slow
    print(f"vectorised:      {n:>7} runs in {t_fast:6.2f} s  ({n / t_fast:,.0f} runs/s)")
    print(f"one-at-a-time:   {n_slow:>7} runs in {t_slow:6.2f} s  ({n_slow / t_slow:,.0f} runs/s)")
    print(f"speed-up vs one-at-a-time baseline: {t_slow_scaled / t_fast:.1f}x")
    f0, s0 = fast.points[0], slow.points[0]
    print(f"P(trip) at 0.5: vectorised {f0.p_trip:.3f} ± {f0.se_trip:.3f}, loop {s0.p_trip:.3f} ± {s0.se_trip:.3f}")

    grid = ScenarioGrid(spoiler_rates=(0.0, 0.05, 0.2), attributions=(BetaScores(), BetaScores((4, 2), (2, 4))), base=sc)
    g = max(n // 5, 500)
    serial, t_serial = timed(lambda: run_sweep(model, grid, n_sims=g, seed=3))
    dask, t_dask = timed(lambda: run_sweep(model, grid, n_sims=g, seed=3, scheduler="local"))
    ratio = t_serial / t_dask
    print(f"grid of 6 x {g} runs: serial {t_serial:.2f} s, local Dask {t_dask:.2f} s (ratio {ratio:.2f}x; includes cluster start-up)")
    print(f"identical results serial vs Dask: {serial == dask}")


if __name__ == "__main__":
    main()
