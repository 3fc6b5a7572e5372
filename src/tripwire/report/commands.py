"""``tripwire report``: write the self-contained HTML report from the store."""

from __future__ import annotations

from pathlib import Path

import typer

from ..clikit import CONFIG_OPTION, DB_OPTION, clean_errors, load_settings


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""

    @app.command("report")
    @clean_errors
    def report_cmd(
        out: Path = typer.Option(None, "--out", "-o", help="Output folder (default: the report_dir setting)."),
        rules: Path = typer.Option(None, "--rules", "-r", help="Rule file to describe in the report (default: the bundled examples)."),
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
    ) -> None:
        """Write the HTML report (board, incidents, attribution, timeline, sources, history) to OUT/index.html."""
        from ..knowledge import KnowledgeBase
        from ..redlines.rules import load_rules
        from ..store import Store
        from .html import build_report

        settings = load_settings(config, db)
        kb = KnowledgeBase.load(settings.knowledge_dir or None)
        rule_list = load_rules(rules, kb=kb)
        with Store.from_settings(settings) as store:
            path = build_report(store, out or Path(settings.report_dir), rules=rule_list, kb=kb)
        typer.echo(str(path))
