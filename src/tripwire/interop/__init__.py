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

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "EventFrame": ".analytics",
    "events_table": ".analytics",
    "BadRow": ".common",
    "ImportReport": ".common",
    "ParsedRow": ".common",
    "countries": ".common",
    "EXPORT_FORMATS": ".exchange",
    "export_events": ".exchange",
    "to_geojson": ".geojson",
    "write_geojson": ".geojson",
    "FORMATS": ".importer",
    "import_file": ".importer",
    "iter_events": ".importer",
    "sniff_format": ".importer",
    "parse_bundle": ".stix",
    "stix_id": ".stix",
    "to_stix_bundle": ".stix",
    "ACTION_COLUMNS": ".tabular",
    "CASUALTY_COLUMNS": ".tabular",
    "CLAIM_COLUMNS": ".tabular",
    "EVALUATION_COLUMNS": ".tabular",
    "POSTERIOR_COLUMNS": ".tabular",
    "INCIDENT_COLUMNS": ".tabular",
    "actions_table": ".tabular",
    "casualties_table": ".tabular",
    "claims_table": ".tabular",
    "evaluations_table": ".tabular",
    "posteriors_table": ".tabular",
    "incidents_table": ".tabular",
    "read_incidents_csv": ".tabular",
    "write_csv": ".tabular",
    "write_parquet": ".tabular",
})
