"""``tripwire incidents``: list the stored incidents with their ids, dates, places, harm and red-line status."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from .options import CONFIG_OPTION, DB_OPTION, FORMAT_OPTION, Format, clean_errors, context, emit_json, is_json
from .options import console as make_console


class Status(str, Enum):
    """Red-line status to filter on (the most serious over every rule)."""

    tripped = "tripped"
    watch = "watch"
    clear = "clear"
    unchecked = "unchecked"


#: a status of no evaluation ranks after every red-line status (RedLineStatus.rank)
_UNCHECKED = 3


def _rank(status: str) -> int:
    from ..model import RedLineStatus  # not at import: `tripwire --help` loads no model (tests/test_init.py)

    return _UNCHECKED if status == "unchecked" else RedLineStatus(status).rank


def _date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    from ..errors import DateError

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DateError(f"{what} must be a date YYYY-MM-DD, got {text!r}") from None


def incident_rows(incidents: list[Any], evaluations: list[Any]) -> list[dict[str, Any]]:
    """One plain row per incident: id, date, place, country, weapon, US harm, the most serious red-line status and its rule."""
    worst: dict[str, tuple[str, str, float]] = {}
    for ev in evaluations:
        status = ev.status.value
        held = worst.get(ev.incident_id)
        if held is None or (_rank(status), -ev.probability) < (_rank(held[0]), -held[2]):
            worst[ev.incident_id] = (status, ev.rule_id, ev.probability)
    rows = []
    for inc in incidents:
        status, rule, p = worst.get(inc.id, ("unchecked", None, None))
        rows.append({
            "id": inc.id,
            "date": inc.date.isoformat() if inc.date else None,
            "place": inc.place.name if inc.place else None,
            "country": inc.place.country if inc.place else None,
            "weapon": inc.weapon or inc.attack_type,
            "us_killed": inc.killed("US"),
            "us_wounded": inc.injured("US"),
            "documents": len(inc.documents),
            "status": status,
            "rule": rule,
            "probability": p,
        })
    return rows


def register(app: typer.Typer) -> None:
    """Add ``incidents`` to ``app``."""

    @app.command("incidents")
    @clean_errors
    def incidents_cmd(
        since: str = typer.Option(None, "--since", help="Only incidents on or after this date (YYYY-MM-DD)."),
        until: str = typer.Option(None, "--until", help="Only incidents on or before this date (YYYY-MM-DD)."),
        country: str = typer.Option(None, "--country", help="Only incidents in this country (ISO 3166 alpha-2, e.g. IQ)."),
        status: Status = typer.Option(None, "--status", help="Only incidents whose most serious red-line status is this."),
        limit: int = typer.Option(100, "--limit", "-n", min=1, help="Show at most this many (most serious first)."),
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
        fmt: Format = FORMAT_OPTION,
    ) -> None:
        """List stored incidents: id, date, place, US harm and red-line status, most serious first.

        Examples:

        \b
          tripwire incidents --status tripped
          tripwire incidents --country IQ --since 2024-01-01 -f json

        """
        filters = {"since": _date(since, "--since"), "until": _date(until, "--until"), "country": country.upper() if country else None}
        with context(config, db, create=False) as ctx:
            incidents = list(ctx.store.iter_incidents(**filters))
            rows = incident_rows(incidents, ctx.store.latest_evaluations())
        if status is not None:
            rows = [r for r in rows if r["status"] == status.value]
        rows.sort(key=lambda r: (_rank(r["status"]), -(r["probability"] or 0.0), r["date"] is None, r["date"] or "", r["id"]))
        shown = rows[:limit]
        if is_json(fmt):
            emit_json({"total": len(rows), "items": shown})
            return
        from rich.table import Table
        from rich.text import Text

        console = make_console()
        table = Table(title=f"Incidents ({len(shown)} of {len(rows)})", box=None, pad_edge=False, header_style="bold")
        # ids stay whole (they are typed into other commands); the place takes what the width leaves
        id_width = max([2, *(len(r["id"]) for r in shown)])
        place_width = max(8, min(30, console.width - 9 - 10 - 6 - id_width - 8))
        table.add_column("Status", no_wrap=True, width=9)
        table.add_column("Date", no_wrap=True, width=10)
        table.add_column("Place", no_wrap=True, overflow="ellipsis", width=place_width)
        table.add_column("US k/w", justify="right", no_wrap=True, width=6)
        table.add_column("Id", overflow="fold", width=max(8, min(id_width, console.width - 9 - 10 - 6 - place_width - 8)))
        for r in shown:
            table.add_row(r["status"], r["date"] or "undated", Text(r["place"] or "-"), f"{r['us_killed']}/{r['us_wounded']}", Text(r["id"]))
        if not rows:
            table.caption = "No incidents match: `tripwire ingest` and `tripwire extract --stored` fill the store."
        console.print(table)
