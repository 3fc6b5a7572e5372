"""Shared fixtures: the knowledge base, the seed story (when ../shared is present), example files, both store backends."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

import pytest

# tables derived from the knowledge files are cached on disk (tripwire.cache): in a folder of this run, not the user's
if not os.environ.get("TRIPWIRE_CACHE_DIR"):
    os.environ["TRIPWIRE_CACHE_DIR"] = _CACHE = tempfile.mkdtemp(prefix="tripwire-test-cache-")
    atexit.register(shutil.rmtree, _CACHE, True)

from tripwire.knowledge import KnowledgeBase

from .postgres import BACKENDS, db_url, pg_server, reusable_db_url  # noqa: F401 - fixtures shared by every test package

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "tripwire-article.txt"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The bundled knowledge base."""
    return KnowledgeBase.load()


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The seed news story, read at run time from ../shared; skipped when absent."""
    if not SEED.exists():
        pytest.skip("seed story not present at ../shared/seed/tripwire-article.txt")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The bundled example articles, feeds and rules."""
    return Path(str(resources.files("tripwire") / "examples"))
