"""``tripwire chain`` and ``tripwire policy`` through Typer's CliRunner."""

from __future__ import annotations

import json

import networkx as nx
import pytest
import typer
from typer.testing import CliRunner

from tests.escalate.chain_facts import winter_2019_2020
from tripwire.cli.escalate import register


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture()
def db_url(tmp_path) -> str:
    from tripwire.store import Store

    url = f"sqlite:///{tmp_path / 'tripwire.db'}"
    incidents, actions = winter_2019_2020()
    with Store(url) as store:
        for incident in incidents:
            store.save_incident(incident)
        for action in actions:
            store.save_action(action)
    return url


runner = CliRunner()


def test_chain_prints_node_link_json(app, db_url):
    res = runner.invoke(app, ["chain", "--db", db_url])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data["nodes"]) == 7
    links = {(link["source"], link["target"]): link["kind"] for link in data["links"]}
    assert links[("2019-12-27-k1-rocket-attack", "2019-12-29-us-strikes-kh")] == "textual"
    assert links[("2020-01-03-soleimani-strike", "2020-01-08-al-asad-missile-strike")] == "temporal"


@pytest.mark.parametrize(
    ("fmt", "check"), [("graphml", lambda p: nx.read_graphml(p).number_of_nodes() == 7), ("dot", lambda p: "digraph" in p.read_text())]
)
def test_chain_writes_files_and_picture(app, db_url, tmp_path, fmt, check):
    out = tmp_path / "out"
    res = runner.invoke(app, ["chain", "--db", db_url, "--out", str(out), "--format", fmt, "--window-days", "7"])
    assert res.exit_code == 0, res.output
    assert check(out / f"chain.{fmt}")
    assert (out / "chain.png").read_bytes()[:4] == b"\x89PNG"


def test_chain_on_an_empty_store(app, tmp_path):
    from tripwire.store import Store

    Store(f"sqlite:///{tmp_path / 'empty.db'}").close()  # an empty store; a missing file is refused (tests/cli/test_usability.py)
    res = runner.invoke(app, ["chain", "--db", f"sqlite:///{tmp_path / 'empty.db'}"])
    assert res.exit_code == 0 and json.loads(res.stdout)["nodes"] == []


POLICY = ["policy", "--rate", "0.3", "--lethality", "0.1", "--days", "60", "--thresholds", "0.5,0.75,0.9", "--sims", "3000", "--seed", "7"]


def test_policy_json_and_files(app, tmp_path):
    res = runner.invoke(app, [*POLICY, "--spoiler-rate", "0,0.1", "--format", "json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["seed"] == 7 and len(data["records"]) == 6
    by = {(r["spoiler_rate"], r["threshold"]): r for r in data["records"]}
    assert by[(0.1, 0.5)]["p_trip_spoiler"] > 0 == by[(0.0, 0.5)]["p_trip_spoiler"]
    assert all(by[(s, 0.5)]["p_trip"] >= by[(s, 0.9)]["p_trip"] for s in (0.0, 0.1))
    assert (tmp_path / "tradeoff.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((tmp_path / "policy.json").read_text())["scenarios"][1]["spoiler_rate"] == 0.1


def test_policy_table_same_numbers_on_dask(app):
    serial = runner.invoke(app, [*POLICY, "--spoiler-rate", "0.05", "--tpr", "0.9", "--fpr", "0.1", "--format", "json"])
    local = runner.invoke(app, [*POLICY, "--spoiler-rate", "0.05", "--tpr", "0.9", "--fpr", "0.1", "--format", "json", "--dask", "local"])
    assert serial.exit_code == 0 == local.exit_code, serial.output + local.output
    assert json.loads(serial.stdout)["records"] == json.loads(local.stdout)["records"]
    table = runner.invoke(app, [*POLICY, "--branching", "0.5", "--decay", "0.5"])
    assert table.exit_code == 0 and "P(trip)" in table.stdout and "±" in table.stdout


@pytest.mark.parametrize(
    "extra",
    [
        ["--thresholds", "0.5,abc"],
        ["--thresholds", "1.5"],
        ["--lethality", "2"],
        ["--tpr", "0.9"],
        ["--dask", "nowhere"],
        ["--spoiler-rate", "-1"],
    ],
)
def test_policy_bad_input_is_a_clean_error(app, extra):
    res = runner.invoke(app, [*POLICY, *extra])
    assert res.exit_code == 2
    assert "Error:" in res.output and "Traceback" not in res.output
