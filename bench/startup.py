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
the same run (also best of ``--repeat``), with the ratio to it.

Targets (issue 11): ``--help`` under 0.3 s and ``extract`` of one article
under 0.6 s, warm.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np

TARGETS = {"--help": 0.3, "extract one article": 0.6}


def timed(cmd: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


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
        print(f"python: {sys.version.split()[0]}, cores: {os.cpu_count()}, best of {repeat} runs each")
        print(f"baseline `python -c pass`: {baseline * 1000:.0f} ms")
        print(f"{'command':28} {'cold s':>8} {'warm s':>8} {'cold/pass':>10} {'warm/pass':>10}  target")
        for name, cmd in commands.items():
            cold: list[float] = []
            warm: list[float] = []
            for r in range(repeat):
                env = {**base_env, "TRIPWIRE_CACHE_DIR": str(root / f"cache-{name[:6]}-{r}"), "NUMBA_CACHE_DIR": str(root / f"numba-{name[:6]}-{r}")}
                cold.append(timed(cmd, env, tmp))
                warm.append(timed(cmd, env, tmp))
            best_cold, best_warm = min(cold), min(warm)
            target = TARGETS.get(name)
            verdict = "" if target is None else f"< {target} s warm: {'meets' if best_warm < target else 'MISSES'}"
            print(f"{name:28} {best_cold:8.2f} {best_warm:8.2f} {best_cold / baseline:10.0f}x {best_warm / baseline:9.0f}x  {verdict}")


if __name__ == "__main__":
    main()
