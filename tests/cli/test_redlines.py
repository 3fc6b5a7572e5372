"""The CLI: ``tripwire check``, ``tripwire rules``, ``tripwire history`` on a real SQLite store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.store import Store

from tests.redlines.scenarios import green_zone, kirkuk, militia_result
from tests.app.fakes import FakeAttributor

SEED = "us-american-killed-iran-instructed"


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'tw.db'}"
    with Store(url) as store:
        for inc in (kirkuk(), green_zone()):
            store.save_incident(inc)
        store.save_attribution(militia_result(kirkuk().id, ordered=0.3, supported=0.3, independent=0.05, isis=0.25, unknown=0.1, with_intervals=True))
    return url


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_rules_lists_the_bundled_rules():
    res = invoke("rules", "--format", "json")
    assert res.exit_code == 0
    rules = json.loads(res.stdout)
    seed = next(r for r in rules if r["id"] == SEED)
    assert seed["condition"] == {"all": [{"casualties": {"status": "killed", "nationality": "US", "min_count": 1}}, {"attribution": {"sponsor": "iran", "relation_at_least": "ordered"}}]}
    assert seed["standard"] == "preponderance" and seed["threshold"] == 0.5
    table = CliRunner().invoke(app, ["rules"], env={"COLUMNS": "600"})
    assert "attribution[sponsor iran at executed/ordered]" in table.stdout


def test_bad_rule_file_is_a_clean_error(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - id: x\n    title: t\n    declared_by: {speaker: s}\n    consequence: c\n    condition: {attribution: {sponsor: narnia}}\n    standard: preponderance\n")
    res = invoke("rules", "--rules", str(bad))
    assert res.exit_code == 1
    assert res.stderr.strip() == f"Error: {bad}: rule 'x': field condition.attribution.sponsor: unknown actor 'narnia' (not in the knowledge base)"


def test_check_with_stored_attribution_json(db):
    res = invoke("check", "--db", db, "--stored-attribution", "--format", "json")
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    seed = {e["incident_id"]: e for e in out["evaluations"] if e["rule_id"] == SEED}
    k = seed[kirkuk().id]
    assert k["status"] == "watch" and k["probability"] == pytest.approx(0.285) and k["interval"] == pytest.approx([0.19, 0.38])
    assert k["words"] == "unlikely" and k["standard"] == "preponderance" and k["threshold"] == 0.5
    assert any("log LR" in e for e in k["evidence"])
    assert seed[green_zone().id]["status"] == "clear"
    assert out["unattributed"] == [{"incident_id": green_zone().id, "reason": "no attribution stored"}]
    assert {(a["rule_id"], a["status"]) for a in out["alerts"]} >= {(SEED, "watch")}
    hist = json.loads(invoke("history", "--db", db, "--rule", SEED, "--incident", kirkuk().id, "--format", "json").stdout)
    assert [(h["previous_status"], h["status"]) for h in hist] == [(None, "watch")]


def test_check_table_and_no_record(db, monkeypatch):
    monkeypatch.setattr("tripwire.app.jobs.attributor", lambda ctx: FakeAttributor())
    res = CliRunner().invoke(app, ["check", "--db", db, "--no-record"], env={"COLUMNS": "250"}, catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    assert "Red-line board" in res.stdout and "TRIPPED" in res.stdout and "0.57" in res.stdout  # 0.95 x 0.6
    assert "not recorded" in res.stdout and f"not attributed: {green_zone().id}: no attribution statements" in res.stdout
    assert json.loads(invoke("history", "--db", db, "--format", "json").stdout) == []


def test_check_records_and_alerts_to_jsonl(db, tmp_path, monkeypatch):
    monkeypatch.setattr("tripwire.app.jobs.attributor", lambda ctx: FakeAttributor())
    alerts = tmp_path / "alerts.jsonl"
    runs = [CliRunner().invoke(app, ["check", "--db", db, "--alerts-jsonl", str(alerts)], env={"COLUMNS": "250"}, catch_exceptions=False) for _ in range(2)]
    assert [r.exit_code for r in runs] == [0, 0]
    assert f"ALERT Red line {SEED} for incident {kirkuk().id}: new -> tripped" in " ".join(runs[0].stderr.split())
    assert "ALERT" not in runs[1].stderr  # nothing changed on the second run
    lines = [json.loads(x) for x in alerts.read_text().splitlines()]
    assert {(a["rule_id"], a["previous"], a["status"]) for a in lines} == {(SEED, None, "tripped"), ("us-personnel-killed-iran-aligned", None, "tripped")}
    table = CliRunner().invoke(app, ["history", "--db", db, "--rule", SEED], env={"COLUMNS": "250"})
    assert table.stdout.count("tripped -> tripped") == 1 and table.stdout.count("new -> tripped") == 1


def test_check_bad_webhook_is_a_clean_error(db):
    res = invoke("check", "--db", db, "--stored-attribution", "--webhook", "ftp://x/y")
    assert res.exit_code == 1 and "webhook URL must be http(s)" in res.stderr
