"""CLI: ``tripwire ingest`` and ``tripwire db upgrade|info``."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import CONFIG_OPTION, DB_OPTION, FORMAT_OPTION, Format, clean_errors, emit_json, is_json, load_settings
from .options import console as make_console


def register(app: typer.Typer) -> None:
    """Add ``ingest`` and the ``db`` group to the ``tripwire`` app."""

    @app.command("ingest")
    @clean_errors
    def ingest_command(
        sources: list[str] = typer.Argument(..., help="Files, folders, .urls lists or http(s) URLs; - reads one article from standard input."),
        db: str | None = DB_OPTION,
        config: Path | None = CONFIG_OPTION,
        fmt: Format = FORMAT_OPTION,
        progress: bool | None = typer.Option(None, "--progress/--no-progress", help="Progress bar on stderr (default: the progress setting)."),
    ) -> None:
        """Read articles and feeds into the store; exit status 1 if any source failed.

        Examples:

        \b
          tripwire ingest news/ feeds.xml          # files and folders
          tripwire ingest https://example.org/feed.rss
          curl -s https://example.org/a.html | tripwire ingest -

        Then run `tripwire extract --stored` and `tripwire check`.
        """
        import sys

        from ..ingest.ingest import Inline, ingest
        from .options import context

        settings = load_settings(config, db)
        # standard input is one article stored with "stdin" as its place (read one byte past the limit, so an oversized one is refused)
        piped = Inline("stdin", sys.stdin.buffer.read(settings.max_document_bytes + 1)) if "-" in sources else None
        with context(config, db) as ctx:
            named = [piped if s == "-" and piped is not None else s for s in sources]
            report = ingest(ctx.store, named, settings=ctx.settings, progress=settings.progress if progress is None else progress)
        if is_json(fmt):
            emit_json({**report.summary(), "added_ids": report.added, "duplicate_ids": report.duplicates, "failures": [{"source": s, "message": m} for s, m in report.failed], "warnings_list": [{"location": s, "message": m} for s, m in report.warnings]})
        else:
            console = make_console()
            from rich.table import Table
            from rich.text import Text

            table = Table(title="ingest")
            table.add_column("outcome")
            table.add_column("count", justify="right")
            for key, value in report.summary().items():
                table.add_row(key, str(value))
            console.print(table)
            # file names, links and parser messages are untrusted: printed as plain Text, never parsed as rich markup
            for source, message in report.failed:
                console.print(Text("failed ", style="red") + Text(message if source in message else f"{source}: {message}"), highlight=False)
            for location, message in report.warnings:
                console.print(Text("warning ", style="yellow") + Text(f"{location}: {message}"), highlight=False)
        if report.failed:
            raise typer.Exit(1)

    db_app = typer.Typer(help="Database schema and contents.", no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade")
    @clean_errors
    def db_upgrade(db: str | None = DB_OPTION, config: Path | None = CONFIG_OPTION) -> None:
        """Create the database if needed and migrate it to the newest schema."""
        from ..store import Store

        settings = load_settings(config, db)
        with Store(settings.database_url) as store:
            info = store.info()
        typer.echo(f"{info.url}: schema at revision {info.revision} (newest {info.head})")

    @db_app.command("info")
    @clean_errors
    def db_info(db: str | None = DB_OPTION, config: Path | None = CONFIG_OPTION, fmt: Format = FORMAT_OPTION) -> None:
        """Schema revision and row counts of every table (does not migrate or create the database)."""
        from ..store import Store

        settings = load_settings(config, db)
        with Store(settings.database_url, migrate=False, create=False) as store:
            info = store.info()
        if is_json(fmt):
            emit_json({"url": info.url, "backend": info.backend, "revision": info.revision, "head": info.head, "up_to_date": info.up_to_date, "counts": info.counts})
            return
        from rich.table import Table

        table = Table(title=f"{info.url} ({info.backend}) revision {info.revision or 'none'}" + ("" if info.up_to_date else f" - run `tripwire db upgrade` (newest {info.head})"))
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, count in info.counts.items():
            table.add_row(name, str(count))
        make_console().print(table)

