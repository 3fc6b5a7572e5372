"""`tripwire ach` through the real CLI: from the store and from a PARC .achz file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.attribute.ach import AchEvidence, AchHypothesis, AchMatrix, Consistency
from tripwire.attribute.parc import write_achz
from tripwire.cli import app
from tripwire.model import AttributionKind, AttributionStatement, Incident, Source

runner = CliRunner()
C = Consistency


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from tripwire.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'ach.db'}"
    incident = Incident(
        id="2021-02-15-erbil-rocket-attack",
        weapon="rocket",
        attributions=(
            AttributionStatement(actor="saraya-awliya-al-dam", kind=AttributionKind.CLAIMED, asserted_by=Source(speaker="statement", speaker_id="militia-telegram", via="Sabereen News")),
            AttributionStatement(actor="iran", kind=AttributionKind.DENIED, asserted_by=Source(speaker="Saeed Khatibzadeh", speaker_id="iran-government")),
        ),
    )
    with Store(url) as store:
        store.save_incident(incident)
    return url


def test_ach_from_store_json(db_url: str) -> None:
    result = runner.invoke(app, ["ach", "2021-02-15-erbil-rocket-attack", "--db", db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["incident_id"] == "2021-02-15-erbil-rocket-attack"
    assert len(data["evidence"]) == 3  # claim, denial, weapon
    assert data["ranking"][0].startswith("kataib-hezbollah")
    assert any("isis" in h["label"] for h in data["hypotheses"])


def test_ach_from_store_table(db_url: str) -> None:
    result = runner.invoke(app, ["ach", "2021-02-15-erbil-rocket-attack", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "weighted inconsistency" in result.stdout


def test_ach_unknown_incident_is_a_clean_error(db_url: str) -> None:
    result = runner.invoke(app, ["ach", "no-such-incident", "--db", db_url])
    assert result.exit_code == 1
    assert "Error:" in result.output and "Traceback" not in result.output


def test_ach_from_achz(tmp_path: Path) -> None:
    m = AchMatrix(
        hypotheses=(AchHypothesis("militia"), AchHypothesis("ISIS")),
        evidence=(AchEvidence("claim on Telegram", (C.CC, C.II), credibility="low"), AchEvidence("rockets", (C.C, C.I))),
        title="Erbil, February 2021",
    )
    path = write_achz(m, tmp_path / "erbil.achz")
    result = runner.invoke(app, ["ach", "--achz", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ranking"] == ["militia", "ISIS"] and data["title"] == "Erbil, February 2021"
    table = runner.invoke(app, ["ach", "--achz", str(path)])
    assert table.exit_code == 0 and "claim on Telegram" in table.stdout


@pytest.mark.parametrize("args", [["ach"], ["ach", "x", "--achz", "y.achz"], ["ach", "--achz", "missing.achz"]])
def test_ach_bad_arguments_are_clean_errors(args: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output and "Traceback" not in result.output


def test_ach_hostile_achz_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "evil.achz"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    result = runner.invoke(app, ["ach", "--achz", str(path)])
    assert result.exit_code == 2 and "Error:" in result.output
