"""CLI: ``tripwire extract FILE|- [--format table|json] [--published YYYY-MM-DD]`` and ``tripwire extract --stored``."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import CONFIG_OPTION, DB_OPTION, FORMAT_OPTION, Format, clean_errors, context, emit_json, input_path, is_json
from .options import console as make_console


def register(app: typer.Typer) -> None:
    """Add ``extract`` to the ``tripwire`` app."""

    @app.command("extract")
    @clean_errors
    def extract_command(
        file: Path = typer.Argument(None, help="Article (.txt, .md, .html) or feed (.xml, .rss, .atom) to read; - reads an article from standard input."),
        fmt: Format = FORMAT_OPTION,
        published: str | None = typer.Option(None, "--published", help="Publication date YYYY-MM-DD (overrides the file's; resolves 'Tuesday')."),
        stored: bool = typer.Option(False, "--stored", help="Extract the articles in the store that have no extraction yet and merge them into its incidents."),
        all_stored: bool = typer.Option(False, "--all", help="With --stored: re-extract every stored article, not only new ones."),
        db: str | None = DB_OPTION,
        config: Path | None = CONFIG_OPTION,
    ) -> None:
        """Extract incidents, attribution statements, actions and red lines from one file, or from the stored articles.

        Examples:

        \b
          tripwire extract article.html
          tripwire extract - --published 2024-01-28 -f json < article.txt
          tripwire ingest news/ && tripwire extract --stored && tripwire check

        """
        if stored:
            if file is not None:
                raise typer.BadParameter("give a FILE or --stored, not both", param_hint="--stored")
            from ..app.jobs import extract_stored

            with context(config, db) as ctx:
                new = len(ctx.store.article_ids(only_new=True)) if not all_stored else None
                merged = extract_stored(ctx, only_new=not all_stored)
                live = ctx.store.count_incidents()
            summary = {"extracted": new if new is not None else "all", "incidents": live, "actions": len(merged.actions), "redlines": len(merged.redlines)}
            if is_json(fmt):
                emit_json(summary)
            else:
                what = "every stored article" if new is None else f"{new} new article(s)"
                make_console().print(f"Extracted {what}; the store now has {live} live incident(s). Next: tripwire check")
            return
        if file is None:
            raise typer.BadParameter("give a FILE (or - for standard input), or --stored", param_hint="FILE")
        from ..app.context import load_knowledge
        from ..extract.extractor import extract_file, parse_published
        from .options import load_settings

        settings = load_settings(config, db)
        with input_path(file) as path:
            extractions = extract_file(str(path), kb=load_knowledge(settings), published=parse_published(published))
        if is_json(fmt):
            emit_json(extractions[0] if len(extractions) == 1 else extractions)
            return
        _print_tables(extractions)


def _print_tables(extractions: list) -> None:  # type: ignore[type-arg]
    from rich.table import Table

    console = make_console()
    for ex in extractions:
        table = Table(title=f"document {ex.document_id[:12]} (published {ex.published or 'unknown'})")
        for col in ("type", "id", "date", "place", "what", "harm / attribution"):
            table.add_column(col)
        for inc in ex.incidents:
            attributions = "; ".join(f"{a.kind.value} {a.actor}" + (f" ({', '.join(a.hedges)})" if a.hedges else "") for a in inc.attributions)
            harm = ", ".join(f"{c.count} {c.status}" + (f" {c.nationality}" if c.nationality else "") + (f" {c.category}" if c.category else "") for c in inc.casualties)
            table.add_row("incident", inc.id, str(inc.date or ""), inc.place.name if inc.place else "", inc.attack_type or "", "; ".join(x for x in (harm, attributions) if x))
        for act in ex.actions:
            harm = ", ".join(f"{c.count} {c.status}" for c in act.casualties)
            caused = f"caused by {', '.join(act.caused_by)}" if act.caused_by else ""
            table.add_row("action", act.id, str(act.date or ""), act.place.name if act.place else "", act.summary or act.kind, "; ".join(x for x in (harm, caused) if x))
        for rl in ex.redlines:
            who = rl.speaker.speaker or rl.speaker.role or "unknown"
            table.add_row("red line", who, str(rl.date or ""), "", f"if {rl.condition}", rl.consequence)
        console.print(table)
