"""SQLite's immediate "database is locked" answers are waited out, other errors are not."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from tripwire.store import engine


def _flaky(failures: list[Exception]):  # type: ignore[no-untyped-def]
    calls = []

    def step() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "done"

    return step, calls


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database is locked"),
        OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")),
    ],
)
def test_locked_is_retried_until_it_clears(error: Exception) -> None:
    step, calls = _flaky([error, error])
    engine._retry_while_locked(step)
    assert len(calls) == 3


def test_other_errors_are_not_retried() -> None:
    step, calls = _flaky([sqlite3.OperationalError("no such table: documents")])
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        engine._retry_while_locked(step)
    assert len(calls) == 1


def test_a_lock_that_never_clears_fails_after_the_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_S", 0.05)
    step, calls = _flaky([sqlite3.OperationalError("database is locked")] * 1000)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        engine._retry_while_locked(step)
    assert 1 < len(calls) < 1000
