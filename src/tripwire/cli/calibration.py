"""CLI: ``tripwire evaluate`` (calibration against resolved cases) and ``tripwire ach`` (ACH matrix view)."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import InputError
from .options import CONFIG_OPTION, DB_OPTION, FORMAT_OPTION, Format, clean_errors, context, emit_json, is_json, load_settings
from .options import console as make_console


def register(app: typer.Typer) -> None:
    """Add ``evaluate`` and ``ach`` to ``app``."""

    @app.command()
    @clean_errors
    def evaluate(
        cases: Path = typer.Argument(..., help="Resolved cases file (JSON list; see docs/ach-and-calibration.md)."),
        out: Path = typer.Option(None, "--out", help="Folder for reliability.png and calibration.html."),
        fmt: Format = FORMAT_OPTION,
        min_certainty: str = typer.Option("low", "--min-certainty", help="Leave out cases resolved with less certainty: low, medium or high."),
        config: Path = CONFIG_OPTION,
    ) -> None:
        """Score the attribution engine against resolved cases, beside the prior-only baseline."""
        from ..attribute.calibration import CERTAINTY_ORDER, evaluate_file, render_calibration

        if min_certainty not in CERTAINTY_ORDER:
            raise InputError(f"--min-certainty must be low, medium or high, got {min_certainty!r}")
        from ..app.context import load_knowledge

        settings = load_settings(config)
        report = evaluate_file(cases, out_dir=out, kb=load_knowledge(settings), settings=settings, min_certainty=min_certainty)
        if is_json(fmt):
            emit_json(report)
            return

        console = make_console()
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
        fmt: Format = FORMAT_OPTION,
        config: Path = CONFIG_OPTION,
        db: str = DB_OPTION,
    ) -> None:
        """Show the ACH (Analysis of Competing Hypotheses) matrix for an incident, or for a PARC .achz file."""
        if (incident_id is None) == (achz is None):
            raise InputError("give either an INCIDENT_ID or --achz FILE (not both)")
        if achz is not None:
            from ..attribute.parc import read_achz

            matrix = read_achz(achz)
        else:
            from ..app.outputs import ach as ach_of

            with context(config, db, create=False) as ctx:
                matrix = ach_of(ctx, incident_id)
        if is_json(fmt):
            emit_json(matrix.to_dict())
            return

        from ..attribute.ach import render_ach, render_ach_ranking

        console = make_console()
        console.print(render_ach(matrix))
        console.print(render_ach_ranking(matrix))
