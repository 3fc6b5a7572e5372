"""Shared CLI helpers: strict JSON out, clean error messages."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from tripwire.cli.options import clean_errors, emit_json, to_jsonable
from tripwire.errors import NotFound, ParseError
from tripwire.model import Casualty


def test_non_finite_numbers_become_null_everywhere() -> None:
    data = {"se": math.nan, "inf": [1.0, math.inf], "np": np.float64("nan"), "n": np.int64(3), "when": dt.date(2020, 1, 8)}
    assert to_jsonable(data) == {"se": None, "inf": [1.0, None], "np": None, "n": 3, "when": "2020-01-08"}
    assert to_jsonable(Casualty(status="killed", count=1, nationality="US")) == {
        "status": "killed",
        "count": 1,
        "nationality": "US",
        "category": None,
        "approximate": False,
    }


def test_emit_json_is_strict(capsys: pytest.CaptureFixture[str]) -> None:
    emit_json({"p": math.nan, "q": (0.25,)})
    assert json.loads(capsys.readouterr().out) == {"p": None, "q": [0.25]}


@pytest.mark.parametrize(("error", "status"), [(ParseError("feed.xml is not a readable RSS/Atom feed"), 2), (NotFound("no incident 'x'"), 1)])
def test_library_errors_become_one_line_and_a_status(error: Exception, status: int) -> None:
    app = typer.Typer()

    @app.command()
    @clean_errors
    def boom() -> None:
        raise error

    result = CliRunner().invoke(app, [])
    assert result.exit_code == status
    assert result.output.strip() == f"Error: {error}"


@pytest.mark.parametrize(("env", "width"), [({}, 160), ({"COLUMNS": "300"}, 300)])
def test_piped_output_is_wide_enough_for_tables(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], width: int) -> None:
    from tripwire.cli.options import console

    monkeypatch.delenv("COLUMNS", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert console().width == width  # pytest captures stdout, so this is never a terminal
