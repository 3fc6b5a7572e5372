"""``tripwire import`` and ``tripwire export``: move event datasets in and out of the store."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from .options import CONFIG_OPTION, DB_OPTION, clean_errors, context, emit_json, input_path, output_path


class Dataset(str, Enum):
    """The dataset layouts ``tripwire import`` reads."""

    acled = "acled"
    ucdp = "ucdp"
    gdelt = "gdelt"


class ExportFormat(str, Enum):
    """The file formats ``tripwire export`` writes."""

    stix = "stix"
    geojson = "geojson"
    csv = "csv"
    parquet = "parquet"


_SUFFIX = {"stix": ".json", "geojson": ".geojson", "csv": ".csv", "parquet": ".parquet"}


def register(app: typer.Typer) -> None:
    """Add the interop commands to the ``tripwire`` app."""

    @app.command("import")
    @clean_errors
    def import_command(
        file: Path = typer.Argument(..., help="ACLED CSV or API JSON, UCDP GED CSV (also HDX) or API JSON, or GDELT 2.0 event export (.export.CSV); - reads standard input."),
        dataset: Dataset = typer.Option(None, "--dataset", "-t", help="acled | ucdp | gdelt (default: recognised from the file)."),
        root_only: bool = typer.Option(False, "--root-only", help="GDELT: keep only root events (IsRootEvent 1)."),
        min_sources: int = typer.Option(0, "--min-sources", min=0, help="GDELT: keep only events with at least this many NumSources."),
        batch_size: int = typer.Option(2000, "--batch-size", min=1, help="Rows per store transaction (an interruption loses at most one batch)."),
        db: str | None = DB_OPTION,
        config: Path | None = CONFIG_OPTION,
    ) -> None:
        """Import an event dataset: one document and one incident or action per row, stored once per dataset event id.

        Prints a JSON summary (added, duplicates, bad rows with line numbers).

        Examples:

        \b
          tripwire import acled-2024.csv
          tripwire import 20240128.export.CSV --root-only --min-sources 3

        """
        from ..app.outputs import import_dataset
        from ..interop.exchange import report_summary

        with context(config, db) as ctx, input_path(file, suffix=".csv") as path:
            report = import_dataset(ctx, path, format=dataset.value if dataset else None, root_only=root_only, min_sources=min_sources,
                                    batch_size=batch_size)
        emit_json(report_summary(report))

    @app.command("export")
    @clean_errors
    def export_command(
        format: ExportFormat = typer.Option(..., "--format", "-f", help="stix | geojson | csv | parquet."),
        out: Path = typer.Option(..., "--out", "-o", help="File to write, - for standard output (csv/parquet also write NAME.claims.EXT, NAME.actions.EXT and NAME.posteriors.EXT beside a file)."),
        db: str | None = DB_OPTION,
        config: Path | None = CONFIG_OPTION,
    ) -> None:
        """Export stored incidents, actions and attributions as STIX 2.1, GeoJSON, CSV or Parquet.

        Examples:

        \b
          tripwire export -f stix -o bundle.json
          tripwire export -f geojson -o - | jq '.features | length'

        """
        from ..app.outputs import export

        with context(config, db, create=False) as ctx, output_path(out, suffix=_SUFFIX[format.value]) as path:
            written = export(ctx, path, format=format.value)
        if str(out) != "-":
            emit_json({"format": format.value, "written": [str(p) for p in written]})
