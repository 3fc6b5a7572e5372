"""Run every benchmark in this folder, one after another, and print their reports.

    python bench/run.py            # all benchmarks, default sizes
    python bench/run.py --quick    # smaller sizes (a smoke run, minutes -> seconds)
    python bench/run.py hawkes     # only benchmarks whose file name contains 'hawkes'

Each benchmark prints its measurements and the ratio against the baseline it
names, measured in the same run on the same machine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("--")]
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in {"run.py"} and not p.name.startswith("_"))
    if names:
        scripts = [p for p in scripts if any(n in p.stem for n in names)]
    failures = 0
    for script in scripts:
        print(f"\n=== {script.stem} " + "=" * max(0, 60 - len(script.stem)), flush=True)
        start = time.perf_counter()
        cmd = [sys.executable, str(script)] + (["--quick"] if quick else [])
        rc = subprocess.call(cmd)
        print(f"--- {script.stem}: exit {rc}, {time.perf_counter() - start:.1f} s", flush=True)
        failures += rc != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
