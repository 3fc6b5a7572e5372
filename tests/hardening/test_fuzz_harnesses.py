"""The atheris harnesses under ``fuzz/`` stay runnable: each replays its seed corpus, and its plain fallback runs.

The harnesses are scripts, not package modules; they are loaded from their
files with instrumentation off (``FUZZ_PLAIN=1``), every seed input is fed to
``test_one_input``, and the plain-Python driver is run for a moment in a child
process to prove the fallback works without atheris.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
HARNESSES = {"fuzz_extract": "extract", "fuzz_ingest_html": "ingest_html", "fuzz_importers": "importers"}


def load(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("FUZZ_PLAIN", "1")
    monkeypatch.syspath_prepend(str(FUZZ))
    spec = importlib.util.spec_from_file_location(f"_hardening_{name}", FUZZ / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_seed_corpus_passes_the_harness(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    harness = load(name, monkeypatch)
    seeds = sorted((FUZZ / "corpus" / HARNESSES[name]).glob("*"))
    assert len(seeds) >= 3, "each harness needs a small seed corpus"
    for seed in seeds:
        harness.test_one_input(seed.read_bytes())
    harness.test_one_input(b"")
    harness.test_one_input(b"\xff\xfe\x00garbage<<<")


def test_plain_fallback_runs_and_reports(tmp_path: Path) -> None:
    env = {**os.environ, "FUZZ_PLAIN": "1"}
    done = subprocess.run(
        [sys.executable, str(FUZZ / "fuzz_extract.py"), "--plain", "--seconds", "1", "--seed", "3", "--max-len", "2000"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "extract:" in done.stdout and "0 distinct crash site(s)" in done.stdout


CRASHES = sorted(p for p in (FUZZ / "crashes").glob("*") if p.is_file() and p.name != ".gitkeep")


@pytest.mark.parametrize("crash", CRASHES, ids=[p.name for p in CRASHES])
def test_saved_crashes_are_fixed(crash: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every reproducer the fuzzers saved must now pass its harness (only Tripwire errors, invariants kept)."""
    monkeypatch.delenv("FUZZ_SKIP_KNOWN", raising=False)
    harness = next(name for name, folder in HARNESSES.items() if crash.name.startswith(folder + "-"))
    load(harness, monkeypatch).test_one_input(crash.read_bytes())
