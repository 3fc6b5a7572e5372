"""Benchmark: Tripwire's Hawkes fit and simulation against the ``tick`` library.

Run with one command from the repository root::

    python bench/hawkes.py            # full sizes: D=2 (~200k events), D=10 (~500k events)
    python bench/hawkes.py --quick    # small sizes, a smoke run

Both libraries see the same simulated data in the same run. ``tick`` is used
from the current interpreter when importable, else from the interpreter in
``$TRIPWIRE_TICK_PYTHON`` or ``bench/.venv-tick/bin/python`` (a separate venv:
``python -m venv bench/.venv-tick && bench/.venv-tick/bin/pip install tick numpydoc six``),
driven through a subprocess on the data saved as .npz. When no tick can be run,
the benchmark says so and compares against the pure-numpy reference likelihood instead.

Reported per case: fit seconds and relative parameter error (||est - truth|| / ||truth||
for baseline and adjacency) for ours (MLE, L-BFGS-B) and tick (HawkesExpKern with
log-likelihood -- accelerated gradient descent, step chosen by best log-likelihood, since its
BFGS leaves the positive orthant -- and with least-squares goodness of fit), and simulation events/s.
Every timing is the best of three runs, on both sides (the JIT is warmed up first).
Ratios are ours / tick (time: < 1 means we are faster; error: < 1 means we are closer).
Results also go to bench/results/hawkes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DECAY = 1.0
#: Each timing is the best of this many runs, on both sides.
REPEATS = 3


def _case(d_dims: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if d_dims == 2:
        return np.array([0.5, 0.3]), np.array([[0.3, 0.1], [0.2, 0.4]])
    adj = rng.uniform(0.0, 0.12, (d_dims, d_dims))
    adj[np.diag_indices(d_dims)] += 0.15
    return rng.uniform(0.05, 0.2, d_dims), adj


def _best(fn, repeats: int):  # noqa: ANN001, ANN202
    """``(result, seconds)``: the fastest of ``repeats`` runs (the machine is shared and noisy)."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def _rel(est: np.ndarray, truth: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(est) - truth) / np.linalg.norm(truth))


# ---------------------------------------------------------------- tick side (no tripwire import)
def tick_worker(data_path: str, out_path: str) -> None:
    """Fit and simulate with tick on the saved cases; write timings and estimates as JSON."""
    from tick.hawkes import HawkesExpKern, SimuHawkesExpKernels

    data = np.load(data_path)
    repeats = int(data["repeats"])
    results = {}
    for name in data["names"]:
        name = str(name)
        d_dims = int(data[f"{name}_dims"])
        events = [np.ascontiguousarray(data[f"{name}_ev{d}"]) for d in range(d_dims)]
        end = float(data[f"{name}_end"])
        res: dict = {}
        # tick's learners take the observation end as the last event time (as ours is given below).
        lsq = HawkesExpKern(DECAY, gofit="least-squares", max_iter=1000, tol=1e-8, verbose=False)
        _, lsq_s = _best(lambda lsq=lsq: lsq.fit(events), repeats)
        res["tick_lsq"] = {"seconds": lsq_s, "baseline": lsq.baseline.tolist(), "adjacency": lsq.adjacency.tolist()}
        # tick's likelihood learner needs a step size (BFGS and line search leave the positive
        # orthant); try several with accelerated gradient descent, keep the best log-likelihood.
        candidates = []
        for step in (3e-3, 1e-3, 3e-4):
            mle = HawkesExpKern(DECAY, gofit="likelihood", solver="agd", step=step, max_iter=1000, tol=1e-8, verbose=False)
            try:
                _, secs = _best(lambda mle=mle: mle.fit(events), repeats)
                score = float(mle.score())
            except Exception:  # noqa: BLE001, S112 - a step that fails is just not a candidate
                continue
            if np.isfinite(score) and np.all(np.isfinite(mle.adjacency)):
                candidates.append((score, {"seconds": secs, "baseline": mle.baseline.tolist(), "adjacency": mle.adjacency.tolist(), "step": step}))
        res["tick_loglik"] = max(candidates, key=lambda c: c[0])[1] if candidates else {"error": "no step size converged"}
        simu = SimuHawkesExpKernels(
            adjacency=data[f"{name}_adj"], decays=DECAY, baseline=data[f"{name}_mu"], end_time=end, seed=7, verbose=False
        )
        _, secs = _best(lambda: (simu.reset(), simu.simulate()), repeats)
        res["tick_sim"] = {"seconds": secs, "events": int(sum(len(t) for t in simu.timestamps))}
        results[name] = res
    Path(out_path).write_text(json.dumps(results))


def _tick_python() -> str | None:
    try:
        import tick.hawkes  # noqa: F401

        return sys.executable
    except Exception:  # noqa: BLE001 - any import failure means "not here"
        pass
    for cand in (os.environ.get("TRIPWIRE_TICK_PYTHON"), str(ROOT / "bench" / ".venv-tick" / "bin" / "python")):
        if cand and Path(cand).exists():
            probe = subprocess.run([cand, "-c", "import tick.hawkes"], capture_output=True, text=True)
            if probe.returncode == 0:
                return cand
    return None


# ---------------------------------------------------------------- our side
def main(quick: bool) -> None:
    from tripwire.escalate.hawkes import HawkesExp
    from tripwire.escalate.hawkes.kernels import as_events
    from tripwire.escalate.hawkes.likelihood import loglikelihood, loglikelihood_reference

    rng = np.random.default_rng(2020)
    # D=2: stationary total rate 1.6/day; D=10: chosen to give ~500k events
    sizes = {"D2": (2, 12_500.0 if quick else 125_000.0), "D10": (10, 6_000.0 if quick else 60_000.0)}

    # warm the numba JIT (compile or load from cache) so timings measure the algorithms
    warm = HawkesExp(DECAY, baseline=[0.5, 0.3], adjacency=[[0.3, 0.1], [0.2, 0.4]])
    for method in ("thinning", "cluster"):
        ev = warm.simulate(200.0, 0, method=method)
    HawkesExp(DECAY).fit(ev, 200.0).score(ev, 200.0)

    cases, arrays = {}, {"names": np.array(list(sizes)), "repeats": REPEATS}
    for name, (d_dims, end) in sizes.items():
        mu, adj = _case(d_dims, rng)
        truth = HawkesExp(DECAY, baseline=mu, adjacency=adj)
        ev, sim_s = _best(lambda truth=truth, end=end: truth.simulate(end, np.random.default_rng(1)), REPEATS)
        n_ev = sum(len(e) for e in ev)
        ev_c, simc_s = _best(lambda truth=truth, end=end: truth.simulate(end, np.random.default_rng(2), method="cluster"), REPEATS)
        fit_end = max(float(e[-1]) for e in ev if e.size)  # tick ends observation at the last event
        fit, fit_s = _best(lambda ev=ev, end=fit_end: HawkesExp(DECAY).fit(ev, end), REPEATS)
        cases[name] = {
            "dims": d_dims,
            "end_time": end,
            "events": n_ev,
            "ours_fit": {"seconds": fit_s, "err_baseline": _rel(fit.baseline_, mu), "err_adjacency": _rel(fit.adjacency_, adj)},
            "ours_sim_thinning": {"seconds": sim_s, "events_per_s": n_ev / sim_s},
            "ours_sim_cluster": {"seconds": simc_s, "events_per_s": sum(len(e) for e in ev_c) / simc_s},
            "_truth": (mu, adj),
        }
        arrays |= {f"{name}_dims": d_dims, f"{name}_end": end, f"{name}_mu": mu, f"{name}_adj": adj}
        arrays |= {f"{name}_ev{d}": e for d, e in enumerate(ev)}

    tick_py = _tick_python()
    out_lines = [f"{'case':6} {'events':>8}  {'what':34} {'ours':>12} {'baseline':>12} {'ratio':>8}"]
    if tick_py is not None:
        with tempfile.TemporaryDirectory() as tmp:
            data_path, res_path = Path(tmp) / "cases.npz", Path(tmp) / "tick.json"
            np.savez(data_path, **arrays)
            proc = subprocess.run([tick_py, str(Path(__file__).resolve()), "--tick-worker", str(data_path), str(res_path)], capture_output=True, text=True)
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                raise SystemExit("tick worker failed")
            tick = json.loads(res_path.read_text())
        print(f"baseline: tick via {tick_py}")
        for name, c in cases.items():
            mu, adj = c.pop("_truth")
            t = tick[name]
            ours = c["ours_fit"]
            for label in ("tick_loglik", "tick_lsq"):
                if "error" in t[label]:
                    out_lines.append(f"{name:6} {c['events']:>8}  {label} failed: {t[label]['error'][:60]}")
                    continue
                t[label]["err_baseline"] = _rel(t[label]["baseline"], mu)
                t[label]["err_adjacency"] = _rel(t[label]["adjacency"], adj)
                for what, a, b in (
                    (f"fit seconds vs {label}", ours["seconds"], t[label]["seconds"]),
                    (f"baseline rel. error vs {label}", ours["err_baseline"], t[label]["err_baseline"]),
                    (f"adjacency rel. error vs {label}", ours["err_adjacency"], t[label]["err_adjacency"]),
                ):
                    out_lines.append(f"{name:6} {c['events']:>8}  {what:34} {a:12.4g} {b:12.4g} {a / b:8.3f}")
            tick_rate = t["tick_sim"]["events"] / t["tick_sim"]["seconds"]
            for label in ("thinning", "cluster"):
                rate = c[f"ours_sim_{label}"]["events_per_s"]
                out_lines.append(f"{name:6} {c['events']:>8}  {'sim events/s ' + label + ' vs tick':34} {rate:12.4g} {tick_rate:12.4g} {rate / tick_rate:8.3f}")
            c["tick"] = t
    else:
        print("baseline: tick is NOT available (no importable tick, no bench/.venv-tick); comparing with the pure-numpy reference likelihood")
        for name, c in cases.items():
            c.pop("_truth")
            per_dim = [arrays[f"{name}_ev{d}"][:4000] for d in range(c["dims"])]
            end = float(max(e[-1] for e in per_dim if e.size))
            ev = as_events(per_dim, end_time=end)
            mu, alpha, beta = arrays[f"{name}_mu"], arrays[f"{name}_adj"][:, :, None], np.full((c["dims"], c["dims"], 1), DECAY)
            t0 = time.perf_counter()
            loglikelihood(ev, end, mu, alpha, beta)
            fast = time.perf_counter() - t0
            t0 = time.perf_counter()
            loglikelihood_reference(ev, end, mu, alpha, beta)
            slow = time.perf_counter() - t0
            out_lines.append(f"{name:6} {ev.times.size:>8}  {'log-likelihood seconds vs numpy':34} {fast:12.4g} {slow:12.4g} {fast / slow:8.3f}")
            out_lines.append(f"{name:6} {c['events']:>8}  {'fit seconds (ours only)':34} {c['ours_fit']['seconds']:12.4g}")
    print("\n".join(out_lines))
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "hawkes.json").write_text(json.dumps({"tick_python": tick_py, "cases": cases}, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--tick-worker", nargs=2, metavar=("DATA_NPZ", "OUT_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tick_worker:
        tick_worker(*args.tick_worker)
    else:
        main(args.quick)
