"""The main job end to end: ``tripwire brief`` on the bundled examples, and on the seed story."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.app.jobs import example_sources, run_brief
from tripwire.settings import Settings
from tripwire.store import Store

NOW = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc)
SEED_RULE = "us-american-killed-iran-instructed"


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("brief")
    settings = Settings({"database_url": f"sqlite:///{tmp / 'brief.db'}", "report_dir": str(tmp / "report")}, environ={})
    first = run_brief(settings, now=NOW)
    second = run_brief(settings, now=NOW + dt.timedelta(hours=1))
    return settings, first, second


def _status(result, rule: str, incident_prefix: str) -> str:  # type: ignore[no-untyped-def]
    matches = [e for e in result.evaluations if e.rule_id == rule and e.incident_id.startswith(incident_prefix)]
    assert len(matches) == 1, [e.incident_id for e in result.evaluations]
    return matches[0].status.value


def test_examples_ingest_once_and_merge_into_one_incident_per_event(brief) -> None:  # type: ignore[no-untyped-def]
    _settings, first, second = brief
    assert len(first.ingested.added) == len(example_sources()) + 2  # the feed holds three items
    assert first.ingested.failed == ()
    assert second.ingested.added == () and len(second.ingested.duplicates) == len(first.ingested.added)
    days = sorted(str(i.date) for i in first.incidents)
    assert days == ["2019-12-27", "2020-01-08", "2020-03-11", "2020-11-17", "2021-02-15"]
    assert [i.id for i in first.incidents] == [i.id for i in second.incidents]


@pytest.mark.parametrize(
    ("rule", "incident", "status"),
    [
        (SEED_RULE, "2019-12-27", "watch"),  # an American killed; who ordered it is the open question
        (SEED_RULE, "2020-11-17", "clear"),  # no American killed
        (SEED_RULE, "2020-01-08", "clear"),  # Iran's own strike, but nobody killed
        (SEED_RULE, "2021-02-15", "clear"),  # the contractor killed was not American
        ("iran-state-missile-attack", "2020-01-08", "tripped"),
        ("iran-state-missile-attack", "2020-11-17", "clear"),
    ],
)
def test_statuses_on_the_examples(brief, rule: str, incident: str, status: str) -> None:  # type: ignore[no-untyped-def]
    _settings, first, _second = brief
    assert _status(first, rule, incident) == status


def test_every_number_is_explained_and_probabilities_are_coherent(brief) -> None:  # type: ignore[no-untyped-def]
    _settings, first, _second = brief
    for incident_id, result in first.results.items():
        assert abs(sum(e.probability for e in result.posterior) - 1) < 1e-9, incident_id
        assert result.evidence, incident_id
    for ev in first.evaluations:
        lo, hi = ev.interval or (ev.probability, ev.probability)
        assert lo - 1e-9 <= ev.probability <= hi + 1e-9
        assert ev.evidence


def test_status_history_is_appended_not_rewritten(brief) -> None:  # type: ignore[no-untyped-def]
    settings, first, second = brief
    with Store.from_settings(settings) as store:
        history = store.evaluation_history(rule_id=SEED_RULE)
    k1 = [e for e in history if e.incident_id.startswith("2019-12-27")]
    assert [e.evaluated_at for e in k1] == [NOW, NOW + dt.timedelta(hours=1)]
    assert k1[0].previous_status is None and k1[1].previous_status is not None
    assert len(history) == 2 * len({e.incident_id for e in first.evaluations if e.rule_id == SEED_RULE})
    assert second.evaluations


def test_a_later_check_delivers_the_alerts_brief_tripped(brief, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``brief`` has no alert sinks: its alerts wait in the outbox for the next ``check --alerts-jsonl``."""
    from tripwire.redlines import alerts_for

    settings, first, second = brief
    db = tmp_path / "copy.db"
    shutil.copy(settings.database_url.removeprefix("sqlite:///"), db)
    raised = alerts_for(first.evaluations) + alerts_for(second.evaluations)
    assert any(a.status.value == "tripped" for a in raised)
    out = tmp_path / "alerts.jsonl"
    result = CliRunner().invoke(app, ["check", "--db", f"sqlite:///{db}", "--stored-attribution", "--alerts-jsonl", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(d["rule_id"], d["incident_id"], d["status"]) for d in lines} >= {(a.rule_id, a.incident_id, a.status.value) for a in raised}
    assert sorted(json.loads(result.stdout)["delivered"]) == sorted(d["idempotency_key"] for d in lines)
    with Store(f"sqlite:///{db}") as store:
        assert store.count_alerts(pending=True) == 0 and store.count_alerts() == len(lines)


def test_report_holds_the_board_and_the_red_line_statement(brief) -> None:  # type: ignore[no-untyped-def]
    _settings, first, _second = brief
    html = first.report_path.read_text(encoding="utf-8")
    assert "2019-12-27-k1-air-base-rocket-attack" in html
    assert "traced to orders from Iran" in html  # the red line as stated in the Green Zone example
    assert "http://" not in html.split("<body")[0] and "https://" not in html.split("<body")[0]


def test_brief_command_prints_the_board_and_json(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["brief", "--db", db, "--out", str(tmp_path / "report")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Red-line board" in result.output and "WATCH" in result.output.upper()
    assert (tmp_path / "report" / "index.html").exists()
    result = runner.invoke(app, ["brief", "--db", db, "--out", str(tmp_path / "report"), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {e["status"] for e in payload["evaluations"]} >= {"clear", "watch", "tripped"}


def test_brief_refuses_a_bad_rule_file_before_touching_the_store(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: broken\n    condition: {attribution: {sponsor: atlantis}}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["brief", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--rules", str(rules)])
    assert result.exit_code != 0 and result.output.startswith("Error:")
    assert not (tmp_path / "x.db").exists()


def test_brief_on_the_seed_story(seed_text: str, tmp_path: Path) -> None:
    article = tmp_path / "seed.md"
    article.write_text(f"---\ntitle: seed story\npublished: 2020-11-18\n---\n\n{seed_text}", encoding="utf-8")
    settings = Settings({"database_url": f"sqlite:///{tmp_path / 'seed.db'}", "report_dir": str(tmp_path / "r")}, environ={})
    result = run_brief(settings, sources=[article], now=NOW)
    kirkuk = [i for i in result.incidents if i.place and i.place.name.lower().startswith(("kirkuk", "k-1"))]
    green = [i for i in result.incidents if i.date == dt.date(2020, 11, 17)]
    assert kirkuk and kirkuk[0].killed("US") == 1
    assert green and green[0].killed("US") == 0 and green[0].killed() == 1
    assert result.redlines, "the red line itself must be found"
    assert _status(result, SEED_RULE, green[0].id) == "clear"
    assert _status(result, SEED_RULE, kirkuk[0].id) in {"watch", "tripped"}


def test_examples_folder_can_be_copied_and_ingested_as_a_directory(tmp_path: Path, examples_dir: Path) -> None:
    shutil.copytree(examples_dir / "articles", tmp_path / "articles")
    settings = Settings({"database_url": f"sqlite:///{tmp_path / 'dir.db'}", "report_dir": str(tmp_path / "r")}, environ={})
    result = run_brief(settings, sources=[tmp_path / "articles"], now=NOW)
    assert len(result.ingested.added) == len(list((tmp_path / "articles").iterdir()))


def test_brief_prints_untrusted_names_as_text(tmp_path: Path, examples_dir: Path) -> None:
    """A file name with rich markup in it once crashed ``brief``'s output after everything was stored."""
    (tmp_path / "notes [").mkdir()
    bad = tmp_path / "notes [" / "] [bold]x.md"  # the path reads 'notes [/] [bold]x.md': a closing tag with nothing open
    bad.write_text("  \n", encoding="utf-8")
    article = examples_dir / "articles" / "2019-12-28-k1-rocket-attack.md"
    result = CliRunner().invoke(
        app, ["brief", str(bad), str(article), "--db", f"sqlite:///{tmp_path / 'b.db'}", "--out", str(tmp_path / "notes [" / "]report")], env={"COLUMNS": "400"}
    )
    assert result.exception is None, result.output
    out = " ".join(result.output.split())
    assert "failed" in out and "notes [/] [bold]x.md" in out and "[/]report" in out


def test_the_brief_report_is_the_report_of_the_store(brief, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``brief`` writes its report from the check it just ran; ``tripwire report`` reads the store: the same report."""
    import re

    from tripwire.app.context import open_context
    from tripwire.app.outputs import write_report

    settings, _first, second = brief
    with open_context(settings) as ctx:
        again = write_report(ctx, tmp_path, rules=ctx.rules())
    stamp = re.compile(r"Generated \S+ by")
    assert stamp.sub("", again.read_text(encoding="utf-8")) == stamp.sub("", second.report_path.read_text(encoding="utf-8"))
