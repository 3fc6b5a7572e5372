"""Start-up cost of the command line: whole-process wall time of short commands, cold and warm.

    python bench/startup.py [--quick] [--repeat N]

Each command runs as its own process (``python -m tripwire ...``, the same
interpreter as this script), timed from spawn to exit:

- ``tripwire --help``;
- ``tripwire extract ARTICLE`` of one bundled example article;
- ``tripwire check --no-record`` on a small store (the bundled example
  articles, ingested once before timing);
- ``tripwire hawkes fit EVENTS.csv`` of 2,000 events in two dimensions
  (generated before timing, exponential kernel, MLE).

*Cold* runs start with empty caches: a fresh ``NUMBA_CACHE_DIR`` (so every
numba kernel compiles) and a fresh ``TRIPWIRE_CACHE_DIR`` (so the knowledge
base and the extractor's lexicon are rebuilt); each cold run gets new empty
folders. *Warm* runs reuse the folders a cold run filled. Tripwire's
bytecode is compiled first (``compileall``, as ``pip install`` does) and
``PYTHONDONTWRITEBYTECODE`` is dropped from the commands' environment, so no
run pays for compiling Python sources. The best of
``--repeat`` runs is reported for each, beside ``python -c pass`` measured in
the same run (also best of ``--repeat``), with the ratio to it, and CPU
seconds (user + system of the process) beside the wall time.

Targets (issue 11): ``--help`` under 0.3 s and ``extract`` of one article
under 0.6 s, warm; ``hawkes fit``, cold, no slower than tick's whole-process
fit of the same CSV (its fastest of ``--repeat`` runs: spawn, import tick,
read the CSV, tick's likelihood + scipy L-BFGS-B as in ``bench/hawkes.py``;
it computes no standard errors or KS diagnostics, ours does), when a tick
interpreter is found as in ``bench/hawkes.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np

TARGETS = {"--help": 0.3, "extract one article": 0.6}
BENCH = Path(__file__).resolve().parent
#: tick's whole-process fit of the events CSV (argv: CSV, bench folder)
TICK_FIT = """
import csv, sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from hawkes import tick_lbfgsb
with open(sys.argv[1], newline="") as fh:
    rows = list(csv.DictReader(fh))
names = sorted({r["dim"] for r in rows})
events = [np.sort(np.array([float(r["time"]) for r in rows if r["dim"] == n])) for n in names]
tick_lbfgsb(events, max(float(e[-1]) for e in events), 2)
"""

#: CPU seconds (user + system) of the latest :func:`timed` process
LAST_CPU = [0.0]


def timed(cmd: list[str], env: dict[str, str], cwd: str) -> float:
    r0, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed, r1 = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU[0] = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def best_of(cmd: list[str], env: dict[str, str], cwd: str, repeat: int) -> tuple[float, float]:
    """``(wall, CPU)`` of the fastest of ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        wall = timed(cmd, env, cwd)
        runs.append((wall, LAST_CPU[0]))
    return min(runs)


def hawkes_events(path: Path, n_target: int, rng: np.random.Generator) -> int:
    """A two-dimensional exponential Hawkes sample (cluster method) with about ``n_target`` events."""
    mu = np.array([0.5, 0.3])
    alpha = np.array([[0.3, 0.2], [0.1, 0.4]])
    beta = 1.0
    end = n_target / (np.linalg.solve(np.eye(2) - alpha, mu).sum())
    times: list[float] = []
    dims: list[int] = []
    frontier = [(t, i) for i in range(2) for t in rng.uniform(0, end, rng.poisson(mu[i] * end))]
    while frontier:
        t, i = frontier.pop()
        times.append(t)
        dims.append(i)
        for j in range(2):
            for dt in rng.exponential(1 / beta, rng.poisson(alpha[j, i])):
                if t + dt < end:
                    frontier.append((t + dt, j))
    order = np.argsort(times)
    with path.open("w", encoding="utf-8") as out:
        out.write("time,dim\n")
        for k in order:
            out.write(f"{times[k]:.6f},{'militia->US' if dims[k] == 0 else 'US->militia'}\n")
    return len(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--repeat", type=int, default=None, help="runs per command and state (best is reported)")
    args = ap.parse_args()
    repeat = args.repeat or (2 if args.quick else 5)
    py = sys.executable
    examples = Path(str(resources.files("tripwire") / "examples"))
    article = examples / "articles" / "2020-03-13-camp-taji-attack.md"

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # as installed: bytecode compiled (pip does it at install), so no run pays for compiling Tripwire's sources
        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"TRIPWIRE_PROGRESS": "false"}
        package = Path(str(resources.files("tripwire")))
        subprocess.run([py, "-m", "compileall", "-q", str(package)], env=base_env, check=False, stdout=subprocess.DEVNULL)
        db = f"sqlite:///{root / 'small.db'}"
        setup_env = {**base_env, "TRIPWIRE_CACHE_DIR": str(root / "setup-cache"), "NUMBA_CACHE_DIR": str(root / "setup-numba")}
        subprocess.run([py, "-m", "tripwire", "ingest", str(examples / "articles"), "--db", db], env=setup_env, cwd=tmp,
                       stdout=subprocess.DEVNULL, check=True)
        n_events = hawkes_events(root / "events.csv", 2000, np.random.default_rng(20200105))
        commands = {
            "--help": [py, "-m", "tripwire", "--help"],
            "extract one article": [py, "-m", "tripwire", "extract", str(article)],
            "check, small store": [py, "-m", "tripwire", "check", "--no-record", "--db", db],
            f"hawkes fit, {n_events} events": [py, "-m", "tripwire", "hawkes", "fit", str(root / "events.csv")],
        }
        baseline = min(timed([py, "-c", "pass"], base_env, tmp) for _ in range(repeat))
        print(f"python: {sys.version.split()[0]}, cores: {os.cpu_count()}, best of {repeat} runs each, load average {_load()}")
        print(f"baseline `python -c pass`: {baseline * 1000:.0f} ms")
        print(f"{'command':28} {'cold s':>8} {'cpu':>6} {'warm s':>8} {'cpu':>6} {'cold/pass':>10} {'warm/pass':>10}  target")
        results: dict[str, tuple[float, float]] = {}
        for name, cmd in commands.items():
            cold: list[tuple[float, float]] = []
            warm: list[tuple[float, float]] = []
            for r in range(repeat):
                env = {**base_env, "TRIPWIRE_CACHE_DIR": str(root / f"cache-{name[:6]}-{r}"), "NUMBA_CACHE_DIR": str(root / f"numba-{name[:6]}-{r}")}
                cold.append((timed(cmd, env, tmp), LAST_CPU[0]))
                warm.append((timed(cmd, env, tmp), LAST_CPU[0]))
            (best_cold, cold_cpu), (best_warm, warm_cpu) = min(cold), min(warm)
            results[name] = (best_cold, best_warm)
            target = TARGETS.get(name)
            verdict = "" if target is None else f"< {target} s warm: {'meets' if best_warm < target else 'MISSES'}"
            print(f"{name:28} {best_cold:8.2f} {cold_cpu:6.2f} {best_warm:8.2f} {warm_cpu:6.2f} {best_cold / baseline:10.0f}x {best_warm / baseline:9.0f}x  {verdict}")
        tick_py = _tick_python()
        hawkes_name = f"hawkes fit, {n_events} events"
        if tick_py is None:
            print("tick: not available (no bench/.venv-tick, no TRIPWIRE_TICK_PYTHON): the hawkes target is not checked")
        else:
            tick_wall, tick_cpu = best_of([tick_py, "-c", TICK_FIT, str(root / "events.csv"), str(BENCH)], dict(os.environ), tmp, repeat)
            cold = results[hawkes_name][0]
            print(f"{'tick fit of the same CSV':28} {tick_wall:8.2f} {tick_cpu:6.2f}   (whole process, its best of {repeat}; via {tick_py})")
            print(f"hawkes fit cold / tick: {cold / tick_wall:.2f}  target <= 1: {'meets' if cold <= tick_wall else 'MISSES'}")
        print(f"load average after: {_load()}")


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def _tick_python() -> str | None:
    sys.path.insert(0, str(BENCH))
    from hawkes import _tick_python as find

    return find()

if __name__ == "__main__":
    main()
