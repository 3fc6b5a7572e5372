"""Every entry point gives the same answer: CLI, REST API and Python, on the bundled examples and on a user's own knowledge.

1. One incident attributed through ``brief``, ``attribute``, ``check``, the
   REST API and the Python API gets the same posterior (to 1e-12), because
   all of them attribute in the one context ``tripwire.app.jobs`` defines.
2. A ``knowledge_dir`` that adds an actor and an installation, and a rule
   naming both, works end to end through ``brief``, ``check``, ``rules``,
   ``incidents`` and the web app (``serve``'s app).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tripwire.app import attribute_stored, open_context
from tripwire.app.jobs import run_brief
from tripwire.cli import app
from tripwire.settings import Settings
from tripwire.web.app import create_app

NOW = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc)
TOL = 1e-12


def _posterior(result: dict) -> dict[tuple, tuple[float, ...]]:
    """Hypothesis -> (probability, interval bounds) of an attribution result as JSON."""
    return {(e["hypothesis"]["perpetrator"], e["hypothesis"]["sponsor"], e["hypothesis"]["relation"]): (e["probability"], *(e["interval"] or ()))
            for e in result["posterior"]}


def _same(a: dict[tuple, tuple[float, ...]], b: dict[tuple, tuple[float, ...]]) -> bool:
    return bool(a) and a.keys() == b.keys() and all(len(a[k]) == len(b[k]) and all(abs(x - y) <= TOL for x, y in zip(a[k], b[k])) for k in a)


def _cli(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    res = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})}, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture(scope="module")
def briefed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("entry")
    settings = Settings({"database_url": f"sqlite:///{tmp / 'tw.db'}", "report_dir": str(tmp / "report"), "progress": False}, environ={})
    return settings, run_brief(settings, now=NOW)


def test_one_incident_one_posterior_through_every_entry_point(briefed, tmp_path: Path) -> None:
    settings, brief = briefed
    dated = sorted((i for i in brief.incidents if i.date), key=lambda i: i.date)
    assert len(dated) >= 3
    for incident in (dated[0], dated[len(dated) // 2], dated[-1]):  # no context, some context, all of it
        want = _posterior(json.loads(brief.results[incident.id].model_dump_json()))
        db = settings.database_url
        via_attribute = _posterior(json.loads(_cli("attribute", incident.id, "--db", db, "-f", "json").stdout))
        with open_context(settings) as ctx:
            via_python = _posterior(json.loads(attribute_stored(ctx, incident.id).model_dump_json()))
        assert _same(via_attribute, want) and _same(via_python, want)
    # check re-attributes every incident and stores each result: the same numbers again
    check = json.loads(_cli("check", "--db", settings.database_url, "-f", "json").stdout)
    assert {e["incident_id"] for e in check["evaluations"]} == {i.id for i in brief.incidents}
    with open_context(settings) as ctx:
        stored = ctx.store.latest_attributions()
    for incident in brief.incidents:
        assert _same(_posterior(json.loads(stored[incident.id].model_dump_json())), _posterior(json.loads(brief.results[incident.id].model_dump_json())))


def test_the_api_computes_the_same_posterior_when_none_is_stored(briefed, tmp_path: Path) -> None:
    """A store whose incidents were never attributed: the API attributes on request, in the same context as brief."""
    settings, brief = briefed
    fresh = settings.replace(database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    from tripwire.app.jobs import example_sources

    _cli("ingest", *map(str, example_sources()), "--db", fresh.database_url, "--no-progress")
    _cli("extract", "--stored", "--db", fresh.database_url)
    client = TestClient(create_app(fresh), base_url="http://localhost")
    for incident in brief.incidents:
        res = client.get(f"/api/v1/incidents/{incident.id}/attribution")
        assert res.status_code == 200, res.text
        assert _same(_posterior(res.json()), _posterior(json.loads(brief.results[incident.id].model_dump_json())))


# -- a user's own knowledge and rules --------------------------------------------------

ACTORS = """\
actors:
  - id: two-rivers-brigade
    name: Two Rivers Brigade
    kind: militia
    country: IQ
    aliases: [Two Rivers Brigade, Saraya al-Nahrain]
    sponsors:
      - {sponsor: iran, relation: supported, confidence: 0.7}
"""

INSTALLATIONS = """\
id,name,aliases,country,lat,lon,kind,parent,note
camp-heron,Camp Heron,Heron base|Camp Heron base,IQ,34.1000,43.9000,site,Salah ad Din,A base invented for this test
"""

RULES = """\
rules:
  - id: heron-brigade-killing
    title: An American killed at Camp Heron by the Two Rivers Brigade
    declared_by: {speaker: A test analyst}
    consequence: A test consequence.
    condition:
      all:
        - casualties: {status: killed, nationality: US, min_count: 1}
        - attribution: {perpetrators: [two-rivers-brigade]}
        - place: {places: [camp-heron]}
    threshold: 0.05  # a group new to the knowledge base starts from a small prior
"""

ARTICLE = """\
---
title: Rocket attack on Camp Heron
published: 2021-06-02
---

Rockets struck Camp Heron in northern Iraq on Tuesday, killing one American contractor and wounding two Iraqi soldiers, officials said.
The Two Rivers Brigade claimed responsibility for the attack in a statement on Telegram.
"""


@pytest.fixture()
def own(tmp_path: Path) -> dict[str, str]:
    kdir = tmp_path / "knowledge"
    kdir.mkdir()
    (kdir / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    (kdir / "installations.csv").write_text(INSTALLATIONS, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "heron.md").write_text(ARTICLE, encoding="utf-8")
    return {"TRIPWIRE_KNOWLEDGE_DIR": str(kdir), "rules": str(tmp_path / "rules.yaml"), "article": str(tmp_path / "heron.md"),
            "db": f"sqlite:///{tmp_path / 'own.db'}", "report": str(tmp_path / "report")}


def test_own_knowledge_and_rule_through_brief_check_rules_and_incidents(own: dict[str, str]) -> None:
    env = {"TRIPWIRE_KNOWLEDGE_DIR": own["TRIPWIRE_KNOWLEDGE_DIR"]}
    rules = json.loads(_cli("rules", "--rules", own["rules"], "-f", "json", env=env).stdout)
    assert [r["id"] for r in rules] == ["heron-brigade-killing"]
    brief = json.loads(_cli("brief", own["article"], "--rules", own["rules"], "--db", own["db"], "--out", own["report"], "-f", "json", env=env).stdout)
    (incident,) = brief["incidents"]
    assert incident["place"]["gazetteer_id"] == "camp-heron"
    assert any(a["actor"] == "two-rivers-brigade" and a["kind"] == "claimed" for a in incident["attributions"])
    (ev,) = brief["evaluations"]
    assert ev["rule_id"] == "heron-brigade-killing" and ev["status"] == "tripped"
    assert any("two-rivers-brigade" in e for e in ev["evidence"]) and any("Camp Heron" in e for e in ev["evidence"])
    check = json.loads(_cli("check", "--rules", own["rules"], "--db", own["db"], "-f", "json", "--no-record", env=env).stdout)
    assert [(e["rule_id"], e["status"]) for e in check["evaluations"]] == [("heron-brigade-killing", "tripped")]
    listed = json.loads(_cli("incidents", "--db", own["db"], "-f", "json", env=env).stdout)
    assert [(r["id"], r["status"], r["us_killed"]) for r in listed["items"]] == [(incident["id"], "tripped", 1)]


def test_own_knowledge_and_rule_through_the_web_app(own: dict[str, str]) -> None:
    env = {"TRIPWIRE_KNOWLEDGE_DIR": own["TRIPWIRE_KNOWLEDGE_DIR"]}
    _cli("brief", own["article"], "--rules", own["rules"], "--db", own["db"], "--out", own["report"], env=env)
    settings = Settings({"database_url": own["db"], "knowledge_dir": own["TRIPWIRE_KNOWLEDGE_DIR"], "rules_file": own["rules"]}, environ={})
    client = TestClient(create_app(settings), base_url="http://localhost")
    assert [r["id"] for r in client.get("/api/v1/redlines").json()] == ["heron-brigade-killing"]
    (incident,) = client.get("/api/v1/incidents").json()["items"]
    assert incident["place"]["gazetteer_id"] == "camp-heron"
    status = client.get("/api/v1/redlines/status").json()["items"]
    assert [(s["rule_id"], s["status"]) for s in status] == [("heron-brigade-killing", "tripped")]
    page = client.get(f"/incidents/{incident['id']}")
    assert page.status_code == 200 and "Two Rivers Brigade" in page.text
    # an edited rule file is read again on the next request of the running app
    import os

    path = Path(own["rules"])
    path.write_text(RULES.replace("An American killed at Camp Heron", "A US national killed at Camp Heron"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9, path.stat().st_mtime_ns + 10**9))
    assert [r["title"] for r in client.get("/api/v1/redlines").json()] == ["A US national killed at Camp Heron by the Two Rivers Brigade"]


def test_without_the_knowledge_folder_the_rule_is_refused_cleanly(own: dict[str, str]) -> None:
    res = CliRunner().invoke(app, ["rules", "--rules", own["rules"]], env={"TRIPWIRE_KNOWLEDGE_DIR": ""})
    assert res.exit_code == 1 and res.stderr.startswith("Error:") and "two-rivers-brigade" in res.stderr and "Traceback" not in res.output
