"""CLI commands for the whole chain: ``tripwire brief`` (the main job) and ``tripwire settings``."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import CONFIG_OPTION, DB_OPTION, FORMAT_OPTION, RULES_OPTION, Format, clean_errors, context, emit_json, is_json, load_settings
from .options import console as make_console
from .redlines import WIDE_OPTION, show_board


def register(app: typer.Typer) -> None:
    """Add ``brief``, ``evaluate-extraction``, ``unresolved`` and ``settings`` to ``app``."""

    @app.command()
    @clean_errors
    def brief(
        sources: list[Path] = typer.Argument(None, help="Articles, feeds or folders to ingest (default: the bundled examples)."),
        rules: Path = RULES_OPTION,
        out: Path = typer.Option(None, "--out", "-o", help="Folder for the HTML report (default: setting report_dir)."),
        fmt: Format = FORMAT_OPTION,
        wide: bool = WIDE_OPTION,
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
    ) -> None:
        """Ingest, extract, attribute and check every red line; print the board and write the HTML report.

        Examples:

        \b
          tripwire brief                 # the bundled example articles and rules
          tripwire brief news/ -r my-rules.yaml --db sqlite:///news.db
          tripwire brief -f json | jq '.evaluations | length'

        """

        from rich.text import Text

        from ..app.jobs import brief as run_brief

        from ..app import open_context
        from ..app.context import load_knowledge, load_rule_set

        settings = load_settings(config, db)
        kb = load_knowledge(settings)
        rule_list = load_rule_set(settings, kb, rules)  # a bad rule file fails before the store is touched
        with open_context(settings, kb=kb) as ctx:
            result = run_brief(ctx, sources=sources or (), rules=rule_list, out_dir=out, progress=settings.progress and not is_json(fmt))
        if is_json(fmt):
            emit_json(
                {
                    "incidents": result.incidents,
                    "attribution": result.results,
                    "evaluations": result.evaluations,
                    "report": str(result.report_path) if result.report_path else None,
                }
            )
            return
        console = make_console()
        ingested = result.ingested
        console.print(
            f"Ingested {len(ingested.added)} new document(s), {len(ingested.duplicates)} already stored, {len(ingested.failed)} failed."
        )
        for source, message in ingested.failed:  # untrusted names and messages: plain Text, not rich markup
            console.print(Text("  failed ", style="red") + Text(f"{source}: {message}"), highlight=False)
        console.print(f"{len(result.incidents)} incident(s), {len(result.actions)} other action(s), {len(result.redlines)} red-line statement(s) found.")
        show_board(console, result.evaluations, result.incidents, rule_list, wide=wide, documents=len(ingested.added) + len(ingested.duplicates))
        if result.report_path:
            console.print(Text(f"HTML report: {result.report_path}"), highlight=False)

    @app.command("evaluate-extraction")
    @clean_errors
    def evaluate_extraction_command(
        corpus: Path = typer.Argument(..., help="Folder of case folders, each with articles and a gold.json (docs/evaluation.md)."),
        fmt: Format = FORMAT_OPTION,
        out: Path = typer.Option(None, "--out", "-o", help="Folder to write metrics.json and cases.csv into."),
        config: Path = CONFIG_OPTION,
    ) -> None:
        """Score extraction on labelled articles: detection, fields, attributions, red lines, fragments."""
        from ..app.evaluation import evaluate_extraction
        from ..report.evaluation import evaluation_json, render_evaluation, write_evaluation

        result = evaluate_extraction(corpus, load_settings(config))
        if out is not None:
            write_evaluation(result, out)
        if is_json(fmt):
            emit_json(evaluation_json(result))
            return
        render_evaluation(result, make_console())

    @app.command("unresolved")
    @clean_errors
    def unresolved_command(
        fmt: Format = FORMAT_OPTION,
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
    ) -> None:
        """List group names the news uses that the knowledge base does not know yet (add them to actors.yaml)."""
        with context(config, db, create=False) as ctx:
            rows = ctx.store.unresolved_actors()
        if is_json(fmt):
            emit_json(rows)
            return
        from rich.table import Table
        from rich.text import Text

        table = Table("id", "name as written", "live incidents", title="Unresolved actors: add them to your actors.yaml (docs/knowledge.md)")
        for r in rows:
            table.add_row(Text(r["id"]), Text(r["name"]), str(r["incidents"]))  # names come from the news: no markup
        make_console().print(table if rows else "No unresolved actors: every group named in the stored news is in the knowledge base.")

    @app.command("settings")
    @clean_errors
    def show_settings(config: Path = CONFIG_OPTION, fmt: Format = FORMAT_OPTION) -> None:
        """Show every setting with its current value and where to change it."""
        from rich.table import Table
        from rich.text import Text

        from ..settings import SETTINGS, masked

        settings = load_settings(config)
        if is_json(fmt):
            emit_json({s.name: masked(s.name, settings[s.name]) for s in SETTINGS})
            return
        table = Table("name", "value", "environment", "help")
        for s in SETTINGS:
            table.add_row(s.name, Text(repr(masked(s.name, settings[s.name]))), s.env_var, Text(s.help))
        make_console().print(table)
