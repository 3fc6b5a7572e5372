"""Import event datasets (ACLED, UCDP GED, GDELT) and export STIX 2.1, GeoJSON, CSV, Parquet.

Importing streams a dataset file row by row: each row becomes a provenance
:class:`~tripwire.model.Document` (``kind="dataset-row"``, content-hashed so a
row imported twice is stored once) and an :class:`~tripwire.model.Incident` or
:class:`~tripwire.model.Action`; the dataset's actor fields become ``alleged``
attribution statements asserted by the dataset. Bad rows are skipped and
reported with their line numbers. Exports write incidents, actions, claims and
attribution results (every hypothesis) in stable, deterministic form, the same
tables :mod:`tripwire.frames` returns as DataFrames; :class:`EventFrame` runs
DuckDB analytics over the exported tables. See ``docs/interop.md``.
"""

from .analytics import EventFrame, events_table
from .common import BadRow, ImportReport, ParsedRow, countries
from .exchange import EXPORT_FORMATS, export_events, export_store, import_dataset, load_events
from .geojson import to_geojson, write_geojson
from .importer import FORMATS, import_file, iter_events, sniff_format
from .stix import parse_bundle, stix_id, to_stix_bundle
from .tabular import (
    ACTION_COLUMNS,
    CASUALTY_COLUMNS,
    CLAIM_COLUMNS,
    EVALUATION_COLUMNS,
    INCIDENT_COLUMNS,
    POSTERIOR_COLUMNS,
    actions_table,
    casualties_table,
    claims_table,
    evaluations_table,
    incidents_table,
    posteriors_table,
    read_incidents_csv,
    write_csv,
    write_parquet,
)

__all__ = [
    "ACTION_COLUMNS",
    "CASUALTY_COLUMNS",
    "CLAIM_COLUMNS",
    "EVALUATION_COLUMNS",
    "EXPORT_FORMATS",
    "FORMATS",
    "INCIDENT_COLUMNS",
    "POSTERIOR_COLUMNS",
    "BadRow",
    "EventFrame",
    "ImportReport",
    "ParsedRow",
    "actions_table",
    "casualties_table",
    "claims_table",
    "countries",
    "evaluations_table",
    "events_table",
    "export_events",
    "export_store",
    "import_dataset",
    "import_file",
    "incidents_table",
    "iter_events",
    "load_events",
    "parse_bundle",
    "posteriors_table",
    "read_incidents_csv",
    "sniff_format",
    "stix_id",
    "to_geojson",
    "to_stix_bundle",
    "write_csv",
    "write_geojson",
    "write_parquet",
]
