"""numba kernels compile once and are loaded from the on-disk cache by later processes (tripwire.jit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SMALL = """
import json, sys
sys.path.insert(0, {folder!r})
import kernel_mod
print(json.dumps({{"value": kernel_mod.total(10), "hits": sum(kernel_mod.total.stats.cache_hits.values()),
                  "misses": sum(kernel_mod.total.stats.cache_misses.values())}}))
"""

ATTRIBUTION = """
import json
import numpy as np
from tripwire.attribute import Attributor, Codebook
from tripwire.model import Source
from tripwire.settings import Settings
from tripwire.attribute.kernel import _posterior
book = Codebook(Attributor(__import__('tripwire.knowledge', fromlist=['KnowledgeBase']).KnowledgeBase.load(), settings=Settings({"interval_draws": 0}, environ={})), actors=["kataib-hezbollah", "isis", "unknown"],
                sources=[Source(speaker_id="pentagon"), Source(outlet_id="reuters")])
post = book.posterior(book.random_batch(50, 4, np.random.default_rng(1)), engine="numba")
print(json.dumps({"sum": float(post.sum()), "hits": sum(_posterior.stats.cache_hits.values()), "misses": sum(_posterior.stats.cache_misses.values())}))
"""


def _run(code: str, cache_dir: Path) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_second_process_loads_the_cached_kernel(tmp_path: Path) -> None:
    (tmp_path / "kernel_mod.py").write_text(
        "from tripwire.jit import jit\n\n@jit\ndef total(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n", encoding="utf-8")
    code = SMALL.format(folder=str(tmp_path))
    first = _run(code, tmp_path / "numba")
    second = _run(code, tmp_path / "numba")
    assert first == {"value": 45, "hits": 0, "misses": 1}
    assert second == {"value": 45, "hits": 1, "misses": 0}
    assert any((tmp_path / "numba").rglob("*.nbi"))


@pytest.mark.slow
def test_attribution_kernel_is_cached_on_disk(tmp_path: Path) -> None:
    first = _run(ATTRIBUTION, tmp_path / "numba")
    second = _run(ATTRIBUTION, tmp_path / "numba")
    assert (first["hits"], first["misses"]) == (0, 1)
    assert (second["hits"], second["misses"]) == (1, 0)
    assert second["sum"] == pytest.approx(first["sum"], abs=1e-12) and first["sum"] == pytest.approx(50.0)
