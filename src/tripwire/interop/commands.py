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
        file: Path = typer.Argument(..., help="ACLED CSV or API JSON, UCDP GED CSV (also HDX) or API JSON, or GDELT 2.0 event export (.export.CSV)."),
        format: str | None = typer.Option(None, "--format", "-f", help="acled | ucdp | gdelt (default: recognised from the file)."),
        root_only: bool = typer.Option(False, "--root-only", help="GDELT: keep only root events (IsRootEvent 1)."),
        min_sources: int = typer.Option(0, "--min-sources", min=0, help="GDELT: keep only events with at least this many NumSources."),
        batch_size: int = typer.Option(2000, "--batch-size", min=1, help="Rows per store transaction (an interruption loses at most one batch)."),
        db: str | None = DB_OPTION,
        config: Path | None = CONFIG_OPTION,
    ) -> None:
        """Import an event dataset: one document and one incident or action per row, stored once per dataset event id."""
        from .exchange import import_dataset, report_summary

        report = import_dataset(file, format=format, settings=load_settings(config, db), root_only=root_only, min_sources=min_sources, batch_size=batch_size)
        emit_json(report_summary(report))

    @app.command("export")
    @clean_errors
    def export_command(
        format: str = typer.Option(..., "--format", "-f", help="stix | geojson | csv | parquet."),
        out: Path = typer.Option(..., "--out", "-o", help="File to write (csv/parquet also write NAME.claims.EXT, NAME.actions.EXT and NAME.posteriors.EXT)."),
        db: str | None = DB_OPTION,
        config: Path | None = CONFIG_OPTION,
    ) -> None:
        """Export stored incidents, actions and attributions as STIX 2.1, GeoJSON, CSV or Parquet."""
        from .exchange import export_store

        emit_json({"format": format, "written": [str(p) for p in export_store(out, format=format, settings=load_settings(config, db))]})
