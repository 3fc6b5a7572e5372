"""CLI commands for the whole chain: ``tripwire brief`` (the main job) and ``tripwire settings``."""

from __future__ import annotations

from pathlib import Path

import typer

from .clikit import CONFIG_OPTION, DB_OPTION, clean_errors, emit_json, load_settings
from .clikit import console as clikit_console


def register(app: typer.Typer) -> None:
    """Add ``brief``, ``evaluate-extraction``, ``unresolved`` and ``settings`` to ``app``."""

    @app.command()
    @clean_errors
    def brief(
        sources: list[Path] = typer.Argument(None, help="Articles, feeds or folders to ingest (default: the bundled examples)."),
        rules: Path = typer.Option(None, "--rules", help="Red-line rule file (default: the bundled example rules)."),
        out: Path = typer.Option(None, "--out", help="Folder for the HTML report (default: setting report_dir)."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
    ) -> None:
        """Ingest, extract, attribute and check every red line; print the board and write the HTML report."""

        from rich.text import Text

        from .pipeline import run_brief
        from .report import render_board

        settings = load_settings(config, db)
        result = run_brief(settings, sources=sources or (), rules_path=rules, out_dir=out, progress=settings.progress and fmt == "table")
        if fmt == "json":
            emit_json(
                {
                    "incidents": result.incidents,
                    "attribution": result.results,
                    "evaluations": result.evaluations,
                    "report": str(result.report_path) if result.report_path else None,
                }
            )
            return
        console = clikit_console()
        ingested = result.ingested
        console.print(
            f"Ingested {len(ingested.added)} new document(s), {len(ingested.duplicates)} already stored, {len(ingested.failed)} failed."
        )
        for source, message in ingested.failed:  # untrusted names and messages: plain Text, not rich markup
            console.print(Text("  failed ", style="red") + Text(f"{source}: {message}"), highlight=False)
        console.print(f"{len(result.incidents)} incident(s), {len(result.actions)} other action(s), {len(result.redlines)} red-line statement(s) found.")
        console.print(render_board(result.evaluations, {i.id: i for i in result.incidents}))
        if result.report_path:
            console.print(Text(f"HTML report: {result.report_path}"), highlight=False)

    @app.command("evaluate-extraction")
    @clean_errors
    def evaluate_extraction_command(
        corpus: Path = typer.Argument(..., help="Folder of case folders, each with articles and a gold.json (docs/evaluation.md)."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
        out: Path = typer.Option(None, "--out", help="Folder to write metrics.json and cases.csv into."),
        config: Path = CONFIG_OPTION,
    ) -> None:
        """Score extraction on labelled articles: detection, fields, attributions, red lines, fragments."""
        from .pipeline import evaluate_extraction
        from .report.evaluation import evaluation_json, render_evaluation, write_evaluation

        if fmt not in ("table", "json"):
            raise typer.BadParameter("must be 'table' or 'json'", param_hint="--format")
        result = evaluate_extraction(corpus, load_settings(config))
        if out is not None:
            write_evaluation(result, out)
        if fmt == "json":
            emit_json(evaluation_json(result))
            return
        render_evaluation(result, clikit_console())

    @app.command("unresolved")
    @clean_errors
    def unresolved_command(
        fmt: str = typer.Option("table", "--format", help="table or json."),
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
    ) -> None:
        """List group names the news uses that the knowledge base does not know yet (add them to actors.yaml)."""
        from .store import Store

        if fmt not in ("table", "json"):
            raise typer.BadParameter("must be 'table' or 'json'", param_hint="--format")
        with Store.from_settings(load_settings(config, db)) as store:
            rows = store.unresolved_actors()
        if fmt == "json":
            emit_json(rows)
            return
        from rich.table import Table
        from rich.text import Text

        table = Table("id", "name as written", "live incidents", title="Unresolved actors: add them to your actors.yaml (docs/knowledge.md)")
        for r in rows:
            table.add_row(Text(r["id"]), Text(r["name"]), str(r["incidents"]))  # names come from the news: no markup
        clikit_console().print(table if rows else "No unresolved actors: every group named in the stored news is in the knowledge base.")

    @app.command("settings")
    @clean_errors
    def show_settings(config: Path = CONFIG_OPTION, fmt: str = typer.Option("table", "--format", help="table or json.")) -> None:
        """Show every setting with its current value and where to change it."""
        from rich.table import Table
        from rich.text import Text

        from .settings import SETTINGS, masked

        settings = load_settings(config)
        if fmt == "json":
            emit_json({s.name: masked(s.name, settings[s.name]) for s in SETTINGS})
            return
        table = Table("name", "value", "environment", "help")
        for s in SETTINGS:
            table.add_row(s.name, Text(repr(masked(s.name, settings[s.name]))), s.env_var, Text(s.help))
        clikit_console().print(table)
