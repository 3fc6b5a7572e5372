"""`tripwire evaluate` through the real CLI."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from tripwire.cli import app

CASES_FILE = Path(str(resources.files("tripwire") / "examples" / "cases" / "resolved-cases.json"))
runner = CliRunner()


def test_evaluate_json_and_outputs(tmp_path: Path) -> None:
    out = tmp_path / "calib"
    result = runner.invoke(app, ["evaluate", str(CASES_FILE), "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["perpetrator"]["engine"]["n"] >= 15
    assert data["perpetrator"]["engine"]["brier"] < data["perpetrator"]["baseline"]["brier"]
    assert (out / "reliability.png").read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64," in (out / "calibration.html").read_text(encoding="utf-8")


def test_evaluate_table_and_certainty_filter(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(CASES_FILE), "--min-certainty", "high"])
    assert result.exit_code == 0, result.output
    assert "prior only" in result.stdout and "left out" in result.stdout


def test_evaluate_bad_input_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{]", encoding="utf-8")
    for args in (["evaluate", str(bad)], ["evaluate", str(tmp_path / "missing.json")], ["evaluate", str(CASES_FILE), "--format", "xml"], ["evaluate", str(CASES_FILE), "--min-certainty", "sure"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Error:" in result.output and "Traceback" not in result.output
