"""CLI: ``tripwire evaluate`` (calibration against resolved cases) and ``tripwire ach`` (ACH matrix view)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..clikit import CONFIG_OPTION, DB_OPTION, clean_errors, emit_json, load_settings
from ..clikit import console as clikit_console
from ..errors import InputError


def _check_format(fmt: str) -> None:
    if fmt not in {"json", "table"}:
        raise InputError(f"--format must be json or table, got {fmt!r}")


def register(app: typer.Typer) -> None:
    """Add ``evaluate`` and ``ach`` to ``app``."""

    @app.command()
    @clean_errors
    def evaluate(
        cases: Path = typer.Argument(..., help="Resolved cases file (JSON list; see docs/ach-and-calibration.md)."),
        out: Path = typer.Option(None, "--out", help="Folder for reliability.png and calibration.html."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
        min_certainty: str = typer.Option("low", "--min-certainty", help="Leave out cases resolved with less certainty: low, medium or high."),
        config: Path = CONFIG_OPTION,
    ) -> None:
        """Score the attribution engine against resolved cases, beside the prior-only baseline."""
        from .calibration import CERTAINTY_ORDER, evaluate_file, render_calibration

        _check_format(fmt)
        if min_certainty not in CERTAINTY_ORDER:
            raise InputError(f"--min-certainty must be low, medium or high, got {min_certainty!r}")
        settings = load_settings(config)
        report = evaluate_file(cases, out_dir=out, settings=settings, min_certainty=min_certainty)
        if fmt == "json":
            emit_json(report)
            return

        console = clikit_console()
        console.print(render_calibration(report))
        for case_id, why in report.skipped:
            console.print(f"  left out {case_id}: {why}")
        for path in report.outputs:
            console.print(f"wrote {path}")

    @app.command()
    @clean_errors
    def ach(
        incident_id: str = typer.Argument(None, help="Incident id in the store."),
        achz: Path = typer.Option(None, "--achz", help="Show a PARC ACH .achz project instead of a stored incident."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
    ) -> None:
        """Show the ACH (Analysis of Competing Hypotheses) matrix for an incident, or for a PARC .achz file."""
        _check_format(fmt)
        if (incident_id is None) == (achz is None):
            raise InputError("give either an INCIDENT_ID or --achz FILE (not both)")
        if achz is not None:
            from .parc import read_achz

            matrix = read_achz(achz)
        else:
            from ..knowledge import KnowledgeBase
            from ..store import Store  # type: ignore[attr-defined]
            from .ach import ach_for_stored_incident

            settings = load_settings(config, db)
            kb = KnowledgeBase.load(settings.knowledge_dir or None)
            with Store.from_settings(settings) as store:
                matrix = ach_for_stored_incident(store, incident_id, kb)
        if fmt == "json":
            emit_json(matrix.to_dict())
            return

        from .ach import render_ach, render_ach_ranking

        console = clikit_console()
        console.print(render_ach(matrix))
        console.print(render_ach_ranking(matrix))
