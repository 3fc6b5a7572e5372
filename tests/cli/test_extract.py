"""``tripwire extract`` on files, in both output formats, and its error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.model import Extraction

runner = CliRunner()
TEXT = "Rockets struck the K-1 air base near Kirkuk on Friday, killing an American contractor. US officials blamed Kataib Hezbollah.\n"


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    path = tmp_path / "k1.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_json_output_is_an_extraction(article: Path) -> None:
    result = runner.invoke(app, ["extract", str(article), "--format", "json", "--published", "2019-12-28"])
    assert result.exit_code == 0, result.output
    ex = Extraction.model_validate(json.loads(result.stdout))
    (inc,) = ex.incidents
    assert inc.id.startswith("2019-12-27-k1-air-base-rocket-attack")
    assert inc.killed("US") == 1
    assert [a.actor for a in inc.attributions] == ["kataib-hezbollah"]


def test_table_output(article: Path) -> None:
    result = runner.invoke(app, ["extract", str(article), "--published", "2019-12-28"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "incident" in result.stdout and "K-1 Air Base" in result.stdout


def test_feed_gives_one_extraction_per_item(examples_dir: Path) -> None:
    result = runner.invoke(app, ["extract", str(examples_dir / "feeds" / "theatre-wire.xml"), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--published", "2019-02-31"], "--published must be a real date"),
        (["--format", "yaml"], "'yaml' is not one of 'table', 'json'"),
    ],
)
def test_bad_options(article: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["extract", str(article), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert result.exit_code != 0
    assert "Error:" in result.output and "Traceback" not in result.output
