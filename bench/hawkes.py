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

At equal settings: no penalty, the same feasible start (half the events as
background, adjacency 0.5 / D), the same observation end (the last event), the
same bounds (baselines >= 1e-10, adjacency >= 0), the same number of threads
(stated in the output). The optimisers differ and are timed whole: ours is a
projected Newton method per dimension that first solves the likelihood of a
subsample of the events from that start and polishes on all events until the
Newton decrement is below 1e-10 relative; tick's likelihood is driven by scipy's
L-BFGS-B (ftol 1e-10, gtol 1e-9). Every estimate's exact log-likelihood is printed,
so a faster route that stops short shows. Reported per case, ours (MLE) against:

* tick's fastest exact route: its C++ log-likelihood model
  (``ModelHawkesExpKernLogLik``) driven by scipy's L-BFGS-B;
* tick's likelihood learner (``HawkesExpKern``, accelerated gradient descent,
  the step reaching the best likelihood; its ``penalty='none'`` drops the
  positivity its solvers need, so an l2 penalty of weight 1e-12 stands in);
* tick's least-squares learner ``HawkesSumExpKern`` (one decay; faster than
  ``HawkesExpKern``'s least squares), no penalty;

with the exact log-likelihood of every estimate (ours minus tick's: >= 0 means
ours fits the data at least as well), the adjacency error against the truth,
in-process fit seconds (best of three, JIT warmed), whole-process seconds
(spawn to exit: imports, loading the events, the fit; ours cold with an empty
numba cache and warm, tick's first and best run), and simulation events/s.
Time ratios are ours / tick (< 1: we are faster).
Results also go to bench/results/hawkes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


#: CPU seconds (all threads of the process) of the fastest run of the latest :func:`_best`
LAST_CPU = [0.0]


def _best(fn, repeats: int):  # noqa: ANN001, ANN202
    """``(result, seconds)``: the fastest of ``repeats`` runs (the machine is shared and noisy); its CPU time in LAST_CPU."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best, LAST_CPU[0] = wall, time.process_time() - c0
    return out, best


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def _rel(est: np.ndarray, truth: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(est) - truth) / np.linalg.norm(truth))


# ---------------------------------------------------------------- tick side (no tripwire import)
def start_point(events: list[np.ndarray], end: float) -> np.ndarray:
    """The feasible start both libraries get: half the events as background, adjacency 0.5 / D (ours by default)."""
    d_dims = len(events)
    mu0 = [max(0.5 * len(e) / end, 1e-3) for e in events]
    return np.concatenate([mu0, np.full(d_dims * d_dims, 0.5 / d_dims)])


def tick_lbfgsb(events: list[np.ndarray], end: float, threads: int) -> np.ndarray:
    """tick's fastest exact route: its C++ log-likelihood and gradient driven by scipy's L-BFGS-B, our bounds and tolerances."""
    from scipy.optimize import minimize
    from tick.hawkes import ModelHawkesExpKernLogLik

    d_dims = len(events)
    model = ModelHawkesExpKernLogLik(DECAY, n_threads=threads)
    model.fit(events, end_times=end)
    bounds = [(1e-10, None)] * d_dims + [(0.0, None)] * (d_dims * d_dims)
    res = minimize(lambda x: (model.loss(x), model.grad(x)), start_point(events, end), jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 500, "ftol": 1e-10, "gtol": 1e-9})
    return res.x


def tick_worker(data_path: str, out_path: str) -> None:
    """Fit and simulate with tick on the saved cases; write timings and estimates as JSON."""
    from tick.hawkes import HawkesExpKern, HawkesSumExpKern, SimuHawkesExpKernels

    data = np.load(data_path)
    repeats = int(data["repeats"])
    threads = int(data["threads"])
    results = {}
    for name in data["names"]:
        name = str(name)
        d_dims = int(data[f"{name}_dims"])
        events = [np.ascontiguousarray(data[f"{name}_ev{d}"]) for d in range(d_dims)]
        end = float(data[f"{name}_fit_end"])
        start = start_point(events, end)
        res: dict = {}
        x, secs = _best(lambda events=events, end=end: tick_lbfgsb(events, end, threads), repeats)
        res["tick_lbfgsb"] = {"seconds": secs, "cpu_seconds": LAST_CPU[0], "baseline": x[:d_dims].tolist(), "adjacency": x[d_dims:].reshape(d_dims, d_dims).tolist()}
        # least squares: HawkesSumExpKern (one decay: the same model as HawkesExpKern's, and tick's faster learner), no penalty
        lsq = HawkesSumExpKern([DECAY], penalty="none", max_iter=1000, tol=1e-10, verbose=False)
        _, secs = _best(lambda lsq=lsq, events=events, start=start: lsq.fit(events, start=start), repeats)
        res["tick_lsq_sumexp"] = {"seconds": secs, "cpu_seconds": LAST_CPU[0], "baseline": np.ravel(lsq.baseline).tolist(), "adjacency": np.asarray(lsq.adjacency)[:, :, 0].tolist()}
        # tick's likelihood learner: its penalty='none' drops the positivity its solvers need, so an l2 penalty of weight
        # 1/C = 1e-12 (nothing, in effect) keeps it; accelerated gradient descent, the step that reaches the best likelihood
        candidates = []
        for step in (3e-3, 1e-3, 3e-4):
            mle = HawkesExpKern(DECAY, gofit="likelihood", penalty="l2", C=1e12, solver="agd", step=step, max_iter=1000, tol=1e-10, verbose=False)
            try:
                _, secs = _best(lambda mle=mle, events=events, start=start: mle.fit(events, start=start), repeats)
                score = float(mle.score())
            except Exception:  # noqa: BLE001, S112 - a step that fails is just not a candidate
                continue
            if np.isfinite(score) and np.all(np.isfinite(mle.adjacency)):
                candidates.append((score, {"seconds": secs, "cpu_seconds": LAST_CPU[0], "baseline": mle.baseline.tolist(), "adjacency": mle.adjacency.tolist(), "step": step}))
        res["tick_learner"] = max(candidates, key=lambda c: c[0])[1] if candidates else {"error": "no step size converged"}
        simu = SimuHawkesExpKernels(
            adjacency=data[f"{name}_adj"], decays=DECAY, baseline=data[f"{name}_mu"], end_time=float(data[f"{name}_end"]), seed=7, verbose=False
        )
        _, secs = _best(lambda simu=simu: (simu.reset(), simu.simulate()), repeats)
        res["tick_sim"] = {"seconds": secs, "events": int(sum(len(t) for t in simu.timestamps))}
        results[name] = res
    Path(out_path).write_text(json.dumps(results))


#: whole-process fits, timed from spawn to exit (imports, loading the events, the fit)
OURS_PROCESS = """
import sys, numpy as np
from tripwire.escalate.hawkes import HawkesExp
data = np.load(sys.argv[1]); name = sys.argv[2]
ev = [data[f"{name}_ev{d}"] for d in range(int(data[f"{name}_dims"]))]
HawkesExp(1.0).fit(ev, float(data[f"{name}_fit_end"]))
"""
TICK_PROCESS = """
import sys, numpy as np
sys.path.insert(0, sys.argv[3])
from hawkes import tick_lbfgsb
data = np.load(sys.argv[1]); name = sys.argv[2]
ev = [np.ascontiguousarray(data[f"{name}_ev{d}"]) for d in range(int(data[f"{name}_dims"]))]
tick_lbfgsb(ev, float(data[f"{name}_fit_end"]), int(data["threads"]))
"""


def whole_process(python: str, code: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """``(wall seconds, CPU seconds)`` of one process from spawn to exit."""
    r0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([python, "-c", code, *args], env=env, check=True, capture_output=True)
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


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
    from tripwire.escalate.hawkes.design import choose_engine, sufficient_stats
    from tripwire.escalate.hawkes.kernels import as_events
    from tripwire.escalate.hawkes.likelihood import loglikelihood, loglikelihood_reference

    load_before = _load()
    rng = np.random.default_rng(2020)
    threads = os.cpu_count() or 1
    # D=2: stationary total rate 1.6/day; D=10: chosen to give ~500k events
    sizes = {"D2": (2, 12_500.0 if quick else 125_000.0), "D10": (10, 6_000.0 if quick else 60_000.0)}

    # warm the numba JIT (compile or load from cache) so in-process timings measure the algorithms; with the
    # design kernel compiled, fits in this process build their design with numba (design.choose_engine)
    warm = HawkesExp(DECAY, baseline=[0.5, 0.3], adjacency=[[0.3, 0.1], [0.2, 0.4]])
    for method in ("thinning", "cluster"):
        ev = warm.simulate(200.0, 0, method=method)
    HawkesExp(DECAY).fit(ev, 200.0).score(ev, 200.0)
    sufficient_stats(as_events(ev, end_time=200.0), 200.0, np.full((2, 2, 1), DECAY), engine="numba")

    cases, arrays = {}, {"names": np.array(list(sizes)), "repeats": REPEATS, "threads": threads}
    for name, (d_dims, end) in sizes.items():
        mu, adj = _case(d_dims, rng)
        truth = HawkesExp(DECAY, baseline=mu, adjacency=adj)
        ev, sim_s = _best(lambda truth=truth, end=end: truth.simulate(end, np.random.default_rng(1)), REPEATS)
        n_ev = sum(len(e) for e in ev)
        ev_c, simc_s = _best(lambda truth=truth, end=end: truth.simulate(end, np.random.default_rng(2), method="cluster"), REPEATS)
        fit_end = max(float(e[-1]) for e in ev if e.size)  # tick's learners end observation at the last event: both use it
        fit, fit_s = _best(lambda ev=ev, end=fit_end: HawkesExp(DECAY).fit(ev, end), REPEATS)
        cases[name] = {
            "dims": d_dims,
            "end_time": end,
            "events": n_ev,
            "ours_fit": {"seconds": fit_s, "cpu_seconds": LAST_CPU[0], "engine": choose_engine(n_ev * d_dims), "n_iter": fit.n_iter_,
                         "baseline": fit.baseline_.tolist(), "adjacency": np.asarray(fit.adjacency_).tolist()},
            "ours_sim_thinning": {"seconds": sim_s, "events_per_s": n_ev / sim_s},
            "ours_sim_cluster": {"seconds": simc_s, "events_per_s": sum(len(e) for e in ev_c) / simc_s},
            "_truth": (mu, adj),
            "_events": as_events(ev, end_time=fit_end),
            "_fit_end": fit_end,
        }
        arrays |= {f"{name}_dims": d_dims, f"{name}_end": end, f"{name}_fit_end": fit_end, f"{name}_mu": mu, f"{name}_adj": adj}
        arrays |= {f"{name}_ev{d}": e for d, e in enumerate(ev)}

    def loglik(name: str, est: dict) -> float:
        c = cases[name]
        d = c["dims"]
        alpha = np.asarray(est["adjacency"], dtype=float).reshape(d, d, 1)
        return float(loglikelihood(c["_events"], c["_fit_end"], np.asarray(est["baseline"], dtype=float), alpha, np.full((d, d, 1), DECAY)))

    tick_py = _tick_python()
    out_lines = [f"{'case':6} {'events':>8}  {'what':44} {'ours':>12} {'tick':>12} {'ratio':>8}"]
    if tick_py is not None:
        with tempfile.TemporaryDirectory() as tmp:
            data_path, res_path = Path(tmp) / "cases.npz", Path(tmp) / "tick.json"
            np.savez(data_path, **arrays)
            proc = subprocess.run([tick_py, str(Path(__file__).resolve()), "--tick-worker", str(data_path), str(res_path)], capture_output=True, text=True)
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                raise SystemExit("tick worker failed")
            tick = json.loads(res_path.read_text())
            # whole processes: ours cold (empty numba cache: every kernel compiles) and warm; tick twice (it compiles nothing)
            procs: dict[str, dict[str, float]] = {}
            for name in cases:
                env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / f"numba-{name}")}
                args = [str(data_path), name]
                cold = whole_process(sys.executable, OURS_PROCESS, args, env)
                hot = min(whole_process(sys.executable, OURS_PROCESS, args, env) for _ in range(REPEATS))
                tick_runs = [whole_process(tick_py, TICK_PROCESS, [*args, str(Path(__file__).resolve().parent)], dict(os.environ)) for _ in range(REPEATS + 1)]
                tick_best = min(tick_runs[1:])
                procs[name] = {"ours_cold": cold[0], "ours_cold_cpu": cold[1], "ours_warm": hot[0], "ours_warm_cpu": hot[1],
                               "tick_first": tick_runs[0][0], "tick_first_cpu": tick_runs[0][1], "tick_best": tick_best[0], "tick_best_cpu": tick_best[1]}
        print(f"baseline: tick via {tick_py}; {threads} threads on both sides (ours: one thread per dimension, up to the cores; "
              f"tick's likelihood model: n_threads={threads}); every in-process time is the best of {REPEATS}; "
              f"load average {load_before} before, {_load()} after")
        for name, c in cases.items():
            mu, adj = c.pop("_truth")
            t = tick[name]
            ours = c["ours_fit"]
            ll_ours = loglik(name, ours)
            ours["loglik"] = ll_ours
            ours["err_baseline"], ours["err_adjacency"] = _rel(ours["baseline"], mu), _rel(ours["adjacency"], adj)
            out_lines.append(f"{name:6} {c['events']:>8}  {'log-likelihood of our MLE':44} {ll_ours:12.10g}   (design: {ours['engine']}, {ours['n_iter']} full-data Newton steps)")
            for label, what in (("tick_lbfgsb", "tick likelihood + scipy L-BFGS-B"), ("tick_learner", "tick HawkesExpKern likelihood (agd)"),
                                ("tick_lsq_sumexp", "tick HawkesSumExpKern least squares")):
                if "error" in t[label]:
                    out_lines.append(f"{name:6} {c['events']:>8}  {label} failed: {t[label]['error'][:60]}")
                    continue
                t[label]["loglik"] = loglik(name, t[label])
                t[label]["err_baseline"], t[label]["err_adjacency"] = _rel(t[label]["baseline"], mu), _rel(t[label]["adjacency"], adj)
                out_lines.append(f"{name:6} {c['events']:>8}  {'fit s, ' + what:44} {ours['seconds']:12.4g} {t[label]['seconds']:12.4g} {ours['seconds'] / t[label]['seconds']:8.3f}")
                out_lines.append(f"{name:6} {c['events']:>8}  {'  CPU s of that fit':44} {ours['cpu_seconds']:12.4g} {t[label]['cpu_seconds']:12.4g} "
                                 f"{ours['cpu_seconds'] / t[label]['cpu_seconds']:8.3f}")
                out_lines.append(f"{name:6} {c['events']:>8}  {'  log-lik. of the estimate (ours - tick)':44} {ll_ours:12.10g} {t[label]['loglik']:12.10g} {ll_ours - t[label]['loglik']:8.3g}")
                out_lines.append(f"{name:6} {c['events']:>8}  {'  adjacency rel. error vs truth':44} {ours['err_adjacency']:12.4g} {t[label]['err_adjacency']:12.4g} "
                                 f"{ours['err_adjacency'] / t[label]['err_adjacency']:8.3f}")
            p = procs[name]
            out_lines.append(f"{name:6} {c['events']:>8}  {'whole process s, ours cold vs tick first':44} {p['ours_cold']:12.4g} {p['tick_first']:12.4g} {p['ours_cold'] / p['tick_first']:8.3f}")
            out_lines.append(f"{name:6} {c['events']:>8}  {'  CPU s':44} {p['ours_cold_cpu']:12.4g} {p['tick_first_cpu']:12.4g} {p['ours_cold_cpu'] / p['tick_first_cpu']:8.3f}")
            out_lines.append(f"{name:6} {c['events']:>8}  {'whole process s, ours warm vs tick best':44} {p['ours_warm']:12.4g} {p['tick_best']:12.4g} {p['ours_warm'] / p['tick_best']:8.3f}")
            out_lines.append(f"{name:6} {c['events']:>8}  {'  CPU s':44} {p['ours_warm_cpu']:12.4g} {p['tick_best_cpu']:12.4g} {p['ours_warm_cpu'] / p['tick_best_cpu']:8.3f}")
            tick_rate = t["tick_sim"]["events"] / t["tick_sim"]["seconds"]
            for label in ("thinning", "cluster"):
                rate = c[f"ours_sim_{label}"]["events_per_s"]
                out_lines.append(f"{name:6} {c['events']:>8}  {'sim events/s ' + label + ' vs tick':44} {rate:12.4g} {tick_rate:12.4g} {rate / tick_rate:8.3f}")
            c["tick"] = t
            c["whole_process"] = p
            c.pop("_events"), c.pop("_fit_end")
    else:
        print("baseline: tick is NOT available (no importable tick, no bench/.venv-tick); comparing with the pure-numpy reference likelihood")
        for name, c in cases.items():
            c.pop("_truth"), c.pop("_events"), c.pop("_fit_end")
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
            out_lines.append(f"{name:6} {ev.times.size:>8}  {'log-likelihood seconds vs numpy':44} {fast:12.4g} {slow:12.4g} {fast / slow:8.3f}")
            out_lines.append(f"{name:6} {c['events']:>8}  {'fit seconds (ours only)':44} {c['ours_fit']['seconds']:12.4g}")
    print("\n".join(out_lines))
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "hawkes.json").write_text(json.dumps({"tick_python": tick_py, "threads": threads, "load_average": [load_before, _load()], "cases": cases}, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--tick-worker", nargs=2, metavar=("DATA_NPZ", "OUT_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tick_worker:
        tick_worker(*args.tick_worker)
    else:
        main(args.quick)
