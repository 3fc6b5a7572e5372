from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tripwire.cli import app

from tests.attribute.cases import KIRKUK, SOLEIMANI, US_STRIKES

runner = CliRunner()


@pytest.fixture()
def db(tmp_path):
    from tripwire.store import Store

    url = f"sqlite:///{tmp_path / 'tw.db'}"
    with Store(url) as store:
        store.save_incident(KIRKUK)
        store.save_incident(KIRKUK.model_copy(update={"id": "later", "date": KIRKUK.date.replace(year=2021)}))
        store.save_action(US_STRIKES)
        store.save_action(SOLEIMANI)
    return url


def test_attribute_json_from_store(db):
    res = runner.invoke(app, ["attribute", KIRKUK.id, "--db", db, "--format", "json", "--seed", "3"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["incident_id"] == KIRKUK.id
    assert sum(e["probability"] for e in data["posterior"]) == pytest.approx(1.0)
    assert {e["kind"] for e in data["evidence"]} >= {"alleged", "assessed", "disputed", "weapon"}
    assert data["basis"] == {"origins": 2, "best_reliability": 0.8, "dissent": 1}
    assert {e["confidence"] for e in data["posterior"]} <= {"low", "moderate"}  # two origins and a dispute: never high
    again = runner.invoke(app, ["attribute", KIRKUK.id, "--db", db, "--format", "json", "--seed", "3"])
    assert again.output == res.output


def test_attribute_table_from_store(db):
    res = runner.invoke(app, ["attribute", KIRKUK.id, "--db", db])
    assert res.exit_code == 0, res.output
    assert "kataib-hezbollah|iran|supported" in res.output and "log likelihood ratio" in res.output
    assert "ICD 203 (confidence)" in res.output and "confidence)" in res.output.split("ICD 203 (confidence)")[1]
    assert "from 2 independent origins, best source reliability 0.80, 1 dissenting" in " ".join(res.output.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["attribute", "no-such-incident"], "no-such-incident"),
        (["attribute"], "INCIDENT_ID or --article"),
        (["attribute", "x", "--format", "xml"], "--format"),
    ],
)
def test_attribute_errors_are_clean(db, args, message):
    res = runner.invoke(app, args + ["--db", db])
    assert res.exit_code != 0
    assert message in res.output and "Traceback" not in res.output


def test_attribute_article(examples_dir, tmp_path):
    art = examples_dir / "articles" / "2020-02-10-kirkuk-attribution-doubts.md"
    res = runner.invoke(app, ["attribute", "--article", str(art), "--format", "json", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert res.exit_code == 0, res.output
    results = json.loads(res.output)
    assert results and all(sum(e["probability"] for e in r["posterior"]) == pytest.approx(1.0) for r in results)
    missing = runner.invoke(app, ["attribute", "--article", str(tmp_path / "none.md")])
    assert missing.exit_code == 2 and "cannot read article" in missing.output
