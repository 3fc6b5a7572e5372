"""``tripwire report``: write the self-contained HTML report from the store."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import CONFIG_OPTION, DB_OPTION, RULES_OPTION, clean_errors, context


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""

    @app.command("report")
    @clean_errors
    def report_cmd(
        out: Path = typer.Option(None, "--out", "-o", help="Output folder (default: the report_dir setting)."),
        rules: Path = RULES_OPTION,
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
    ) -> None:
        """Write the HTML report (board, incidents, attribution, timeline, sources, history) to OUT/index.html.

        Example:

        \b
          tripwire report -o report/ && xdg-open report/index.html

        """
        from ..app.outputs import write_report

        with context(config, db, create=False) as ctx:
            path = write_report(ctx, out or Path(ctx.settings.report_dir), rules=ctx.rules(rules))
        typer.echo(str(path))
