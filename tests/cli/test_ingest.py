"""The ``tripwire ingest`` and ``tripwire db`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from tripwire.cli.ingest import register
from tripwire.store import head_revision


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    register(app)
    return app


def test_ingest_json_then_db_info(tmp_path: Path, fixtures: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    result = runner.invoke(_app(), ["ingest", str(fixtures / "airport.md"), str(fixtures / "wire.rss"), "--db", url, "--format", "json", "--no-progress"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["added"], out["duplicates"], out["failed"]) == (3, 0, 0)
    again = runner.invoke(_app(), ["ingest", str(fixtures / "airport.md"), "--db", url, "--format", "json", "--no-progress"])
    assert json.loads(again.stdout)["duplicates"] == 1
    info = runner.invoke(_app(), ["db", "info", "--db", url, "--format", "json"])
    assert info.exit_code == 0, info.output
    data = json.loads(info.stdout)
    assert data["up_to_date"] and data["counts"]["documents"] == 3 and data["counts"]["document_locations"] == 6  # each article or item, plus its url or feed


def test_ingest_table_output_and_failure_exit_status(tmp_path: Path, fixtures: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(_app(), ["ingest", str(fixtures / "utf16.txt"), str(fixtures / "binary.txt"), "--db", url, "--no-progress"])
    assert result.exit_code == 1
    assert "added" in result.stdout and "binary data" in result.stdout


def test_db_upgrade_and_bad_url(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(_app(), ["db", "upgrade", "--db", f"sqlite:///{tmp_path / 'new.db'}"])
    assert result.exit_code == 0 and f"revision {head_revision()} (newest {head_revision()})" in result.stdout
    bad = runner.invoke(_app(), ["db", "info", "--db", "sqlite:////no/such/folder/x.db"])
    assert bad.exit_code == 1 and "Error: cannot open database" in bad.output and "Traceback" not in bad.output


def test_bad_format_is_rejected(tmp_path: Path, fixtures: Path) -> None:
    result = CliRunner().invoke(_app(), ["ingest", str(fixtures / "airport.md"), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--format", "xml"])
    assert result.exit_code == 2


MARKUP = ["[/]", "[/bold]", "[bold red]x", "[link=javascript:alert(1)]y[/link]"]


def test_rich_markup_in_file_names_and_feed_links_is_printed_literally(tmp_path: Path) -> None:
    """Names and links are untrusted: the table output must print them as text, not crash on them as markup."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i, mark in enumerate(MARKUP):
        (folder / f"empty {mark.replace('/', '|')} {i}.md").write_text("   \n", encoding="utf-8")  # no text: a failure naming the file
    links = "".join(
        f"<item><title>Rockets {i}</title><link>https://example.org/{m}/{i}</link><description>Rockets hit the base on Monday night, {i}.&#0;</description></item>"
        for i, m in enumerate(MARKUP)
    )
    (folder / "wire [bold].rss").write_text(f"<?xml version='1.0'?><rss version='2.0'><channel><title>W</title>{links}</channel></rss>", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["ingest", str(folder), "--db", f"sqlite:///{tmp_path / 'tw.db'}", "--no-progress"], env={"COLUMNS": "400"})
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    out = " ".join(result.output.split())
    for i, mark in enumerate(MARKUP):
        assert f"empty {mark.replace('/', '|')} {i}.md" in out
    assert "https://example.org/[/]/0: feed is malformed" in out  # the feed's warning names its first item's link
