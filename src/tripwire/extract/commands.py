"""CLI: ``tripwire extract FILE [--format json|table] [--published YYYY-MM-DD]``."""

from __future__ import annotations

from pathlib import Path

import typer

from ..clikit import clean_errors, emit_json
from ..clikit import console as clikit_console


def register(app: typer.Typer) -> None:
    """Add ``extract`` to the ``tripwire`` app."""

    @app.command("extract")
    @clean_errors
    def extract_command(
        file: Path = typer.Argument(..., help="Article (.txt, .md, .html) or feed (.xml, .rss, .atom) to read."),
        fmt: str = typer.Option("table", "--format", "-f", help="Output format: table or json."),
        published: str | None = typer.Option(None, "--published", help="Publication date YYYY-MM-DD (overrides the file's; resolves 'Tuesday')."),
    ) -> None:
        """Extract incidents, attribution statements, actions and red lines from one file."""
        from .extractor import extract_file, parse_published

        if fmt not in ("table", "json"):
            raise typer.BadParameter("must be 'table' or 'json'", param_hint="--format")
        extractions = extract_file(str(file), published=parse_published(published))
        if fmt == "json":
            emit_json(extractions[0] if len(extractions) == 1 else extractions)
            return
        _print_tables(extractions)


def _print_tables(extractions: list) -> None:  # type: ignore[type-arg]
    from rich.table import Table

    console = clikit_console()
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
