"""Fixtures for store tests: every store test runs on SQLite and on a real, throwaway PostgreSQL (``db_url``, from tests/postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tripwire.store import Store


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open store on each backend."""
    with Store(db_url) as s:
        yield s
