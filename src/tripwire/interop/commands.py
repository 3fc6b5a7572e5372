"""``tripwire import`` and ``tripwire export``: move event datasets in and out of the store."""

from __future__ import annotations

from pathlib import Path

import typer

from ..clikit import CONFIG_OPTION, DB_OPTION, clean_errors, emit_json, load_settings


def register(app: typer.Typer) -> None:
    """Add the interop commands to the ``tripwire`` app."""

    @app.command("import")
    @clean_errors
    def import_command(
        file: Path = typer.Argument(..., help="ACLED CSV, UCDP GED CSV or GDELT 2.0 event export (.export.CSV)."),
        format: str | None = typer.Option(None, "--format", "-f", help="acled | ucdp | gdelt (default: recognised from the file)."),
        db: str | None = DB_OPTION,
        config: Path | None = CONFIG_OPTION,
    ) -> None:
        """Import an event dataset: one document and one incident or action per row."""
        from .exchange import import_dataset, report_summary

        emit_json(report_summary(import_dataset(file, format=format, settings=load_settings(config, db))))

    @app.command("export")
    @clean_errors
    def export_command(
        format: str = typer.Option(..., "--format", "-f", help="stix | geojson | csv | parquet."),
        out: Path = typer.Option(..., "--out", "-o", help="File to write (csv/parquet also write NAME.claims.EXT and NAME.actions.EXT)."),
        db: str | None = DB_OPTION,
        config: Path | None = CONFIG_OPTION,
    ) -> None:
        """Export stored incidents, actions and attributions as STIX 2.1, GeoJSON, CSV or Parquet."""
        from .exchange import export_store

        emit_json({"format": format, "written": [str(p) for p in export_store(out, format=format, settings=load_settings(config, db))]})
