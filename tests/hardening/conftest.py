"""Fixtures for the hardening tests: empty stores on SQLite and on a real, throwaway PostgreSQL (``tests/postgres.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ..postgres import BACKENDS


@pytest.fixture(params=BACKENDS)
def new_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes empty stores by name on one backend (a SQLite file that does not exist yet, or a new PostgreSQL database); returns their URLs."""
    made: list[str] = []
    server = request.getfixturevalue("pg_server") if request.param == "postgresql" else None

    def make(name: str) -> str:
        if server is None:
            return f"sqlite:///{tmp_path / name}.db"
        db = f"h_{name}_{uuid.uuid4().hex[:10]}"
        server.admin(f"CREATE DATABASE {db}")
        made.append(db)
        return str(server.url(db))

    yield make
    for db in made:
        server.admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


@pytest.fixture
def store_url(new_db: Callable[[str], str]) -> str:
    """The URL of one empty store on each backend."""
    return new_db("store")
