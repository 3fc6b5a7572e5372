"""The CLI a newcomer meets: a board that fits 80 columns, incidents with ids, explain, ingest -> extract -> check, stdin/stdout,
read-only commands that do not create databases, errors as JSON, one --format everywhere, serve's URL and packaged API docs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.cells import cell_len
from typer.testing import CliRunner

from tripwire.app.jobs import example_sources, run_brief
from tripwire.cli import app
from tripwire.settings import Settings

SEED_RULE = "us-american-killed-iran-instructed"


def run(*args: str, columns: int = 200, stdin: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)}, input=stdin)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("usable")
    settings = Settings({"database_url": f"sqlite:///{tmp / 'tw.db'}", "report_dir": str(tmp / "report"), "progress": False}, environ={})
    run_brief(settings)
    return settings.database_url


def test_the_board_fits_80_columns_one_line_per_rule_and_incident(db: str) -> None:
    res = run("check", "--db", db, "--no-record", columns=80)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    rows = [line for line in lines if line.strip().startswith(("TRIPPED", "WATCH", "CLEAR"))]
    evaluations = json.loads(run("check", "--db", db, "--no-record", "-f", "json").stdout)["evaluations"]
    assert len(rows) == len(evaluations) > 0
    order = [r.split()[0] for r in rows]
    rank = {"TRIPPED": 0, "WATCH": 1, "CLEAR": 2}
    assert order == sorted(order, key=rank.__getitem__)  # most serious first
    assert SEED_RULE not in res.stdout and "An American killed" in res.stdout  # titles, not rule ids
    incident_ids = {e["incident_id"] for e in evaluations}
    assert all(any(i in r for i in incident_ids) for r in rows)  # every line names its incident id whole


def test_wide_board_and_explain_give_the_evidence(db: str) -> None:
    wide = run("check", "--db", db, "--no-record", "--wide", columns=250)
    assert wide.exit_code == 0 and "Evidence" in wide.stdout and "log LR" in wide.stdout
    incidents = json.loads(run("incidents", "--db", db, "-f", "json").stdout)["items"]
    tripped = next(i for i in incidents if i["status"] == "tripped")
    res = run("explain", tripped["rule"], tripped["id"], "--db", db)
    assert res.exit_code == 0, res.output
    assert "status: TRIPPED" in res.stdout and "evidence:" in res.stdout and "log LR" in res.stdout
    data = json.loads(run("explain", tripped["rule"], tripped["id"], "--db", db, "-f", "json").stdout)
    assert data["evaluation"]["incident_id"] == tripped["id"] and data["evaluation"]["status"] == "tripped"


def test_incidents_lists_ids_dates_places_and_status_with_filters(db: str) -> None:
    everything = json.loads(run("incidents", "--db", db, "-f", "json").stdout)
    assert everything["total"] == len(everything["items"]) >= 3
    statuses = [i["status"] for i in everything["items"]]
    assert statuses == sorted(statuses, key=["tripped", "watch", "clear", "unchecked"].index)
    assert all(i["id"] and i["place"] for i in everything["items"])
    tripped = json.loads(run("incidents", "--db", db, "--status", "tripped", "-f", "json").stdout)["items"]
    assert tripped and all(i["status"] == "tripped" for i in tripped)
    iraq_2020 = json.loads(run("incidents", "--db", db, "--country", "iq", "--since", "2020-01-01", "--until", "2020-12-31", "-f", "json").stdout)["items"]
    assert iraq_2020 and all(i["country"] == "IQ" and i["date"].startswith("2020") for i in iraq_2020)
    table = run("incidents", "--db", db, columns=80)
    assert table.exit_code == 0 and all(i["id"] in table.stdout for i in everything["items"])


def test_ingest_then_extract_stored_then_check_works_without_brief(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert run("ingest", *map(str, example_sources()), "--db", url, "--no-progress").exit_code == 0
    empty = run("check", "--db", url, "--no-record")
    assert "extract --stored" in empty.stdout  # the board says what to run, not `check` again
    extracted = run("extract", "--stored", "--db", url, "-f", "json")
    assert extracted.exit_code == 0, extracted.output
    summary = json.loads(extracted.stdout)
    assert summary["incidents"] >= 3 and summary["extracted"] == len(example_sources()) - 1 + 3  # the feed holds three items
    again = json.loads(run("extract", "--stored", "--db", url, "-f", "json").stdout)
    assert again["extracted"] == 0 and again["incidents"] == summary["incidents"]  # nothing new: same incidents
    board = run("check", "--db", url, "--no-record")
    assert board.exit_code == 0 and "TRIPPED" in board.stdout


@pytest.mark.parametrize("command", [["check"], ["incidents"], ["history"], ["alerts"], ["report"], ["export", "-f", "geojson", "-o", "x.geojson"],
                                     ["explain", SEED_RULE, "some-incident"], ["attribute", "some-incident"], ["chain"], ["unresolved"],
                                     ["db", "info"]])
def test_read_only_commands_refuse_a_missing_database_file(tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "typo.db"
    res = run(*command, "--db", f"sqlite:///{missing}")
    said = json.loads(res.stdout)["error"]["message"] if command == ["chain"] else res.stderr  # chain prints JSON, so its error is JSON
    assert res.exit_code == 1 and "no database at" in said and "Traceback" not in res.output
    assert not missing.exists()


def test_a_folder_or_a_missing_driver_is_a_clear_error(tmp_path: Path) -> None:
    res = run("ingest", str(example_sources()[0]), "--db", f"sqlite:///{tmp_path}", "--no-progress")
    assert res.exit_code == 1 and "is a folder, not a database file" in res.stderr
    code = ("import sys; sys.modules['psycopg'] = None\n"
            "from tripwire.store.engine import make_engine\nfrom tripwire.errors import StoreError\n"
            "try:\n    make_engine('postgresql+psycopg://u@localhost/db')\nexcept StoreError as e:\n    print(e.message)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'tripwire[postgres]'" in out


@pytest.mark.parametrize("command", [["check"], ["incidents"], ["history"], ["rules"], ["settings"], ["brief"], ["attribute", "x"], ["extract", "x"],
                                     ["unresolved"], ["policy", "--rate", "1", "--lethality", "0.1"], ["hawkes", "fit", "x.csv"], ["db", "info"]])
def test_one_format_option_validated_everywhere(command: list[str]) -> None:
    res = run(*command, "--format", "xml")
    assert res.exit_code == 2 and "xml" in res.output
    short = run(*command, "-f", "xml")
    assert short.exit_code == 2


def test_errors_are_json_under_format_json(db: str) -> None:
    res = run("attribute", "no-such-incident", "--db", db, "-f", "json")
    assert res.exit_code == 1
    body = json.loads(res.stdout)
    assert body["error"]["code"] == "not_found" and "no-such-incident" in body["error"]["message"]
    plain = run("attribute", "no-such-incident", "--db", db)
    assert plain.exit_code == 1 and plain.stderr.startswith("Error:")


def test_standard_input_and_output(tmp_path: Path, db: str) -> None:
    article = example_sources()[0].read_text(encoding="utf-8")
    extracted = run("extract", "-", "-f", "json", stdin=article)
    assert extracted.exit_code == 0, extracted.output
    assert json.loads(extracted.stdout)["incidents"]
    url = f"sqlite:///{tmp_path / 'stdin.db'}"
    ingested = run("ingest", "-", "--db", url, "-f", "json", "--no-progress", stdin=article)
    assert ingested.exit_code == 0 and json.loads(ingested.stdout)["added"] == 1
    from tripwire.store import Store

    with Store(url) as store:
        (doc,) = store.list_documents()
        places = store.document_locations(doc.id)
        assert places[0] == "stdin" and not any("tmp" in p for p in places)  # its provenance (and its front matter's url), not a temporary file
    big = run("ingest", "-", "--db", url, "-f", "json", "--no-progress", stdin="x " * 3_000_000)
    assert big.exit_code == 1 and "over the" in json.loads(big.stdout)["failures"][0]["message"]
    exported = run("export", "-f", "geojson", "-o", "-", "--db", db)
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.stdout)["type"] == "FeatureCollection"


@pytest.mark.parametrize("command", ["brief", "ingest", "extract", "check", "explain", "incidents", "attribute", "report", "import", "export", "serve"])
def test_main_commands_show_examples_in_help(command: str) -> None:
    res = run(command, "--help")
    assert res.exit_code == 0 and "Example" in res.stdout


def test_serve_prints_its_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda app, host, port, log_level: seen.update(host=host, port=port))
    res = run("serve", "--db", f"sqlite:///{tmp_path / 'web.db'}", "--port", "8123")
    assert res.exit_code == 0 and "http://127.0.0.1:8123/" in res.stdout and "/docs" in res.stdout
    assert seen == {"host": "127.0.0.1", "port": 8123}


def test_api_docs_come_from_packaged_assets_under_the_csp(tmp_path: Path) -> None:
    from tripwire.web.app import create_app

    client = TestClient(create_app(Settings({"database_url": f"sqlite:///{tmp_path / 'web.db'}"}, environ={})), base_url="http://localhost")
    page = client.get("/docs")
    assert page.status_code == 200 and "cdn" not in page.text.lower() and "https://" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline script: the CSP would block it
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/static/api-docs.js"):
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 100, asset
    assert client.get("/openapi.json").json()["info"]["title"] == "Tripwire API"
