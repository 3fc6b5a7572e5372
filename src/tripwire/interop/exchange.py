"""Export formats and import summaries: what ``tripwire export`` writes and ``tripwire import`` prints.

:func:`export_events` writes incidents, actions and attribution results in
one of four formats; the application layer (:mod:`tripwire.app.outputs`)
reads them from the store and hands them over.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import UnsupportedFormat
from ..knowledge import KnowledgeBase
from ..model import Action, AttributionResult, Document, Evaluation, Incident
from ..settings import Settings
from .common import ImportReport
from .geojson import write_geojson
from .stix import to_stix_bundle
from .tabular import (
    ACTION_COLUMNS,
    CLAIM_COLUMNS,
    INCIDENT_COLUMNS,
    POSTERIOR_COLUMNS,
    action_rows,
    actions_table,
    claim_rows,
    claims_table,
    companion,
    incident_rows,
    incidents_table,
    posterior_rows,
    posteriors_table,
    write_csv,
    write_parquet,
)

EXPORT_FORMATS = ("stix", "geojson", "csv", "parquet")


def export_events(
    out: str | Path,
    *,
    format: str,
    incidents: Iterable[Incident],
    actions: Iterable[Action] = (),
    results: Mapping[str, AttributionResult] | None = None,
    kb: KnowledgeBase | None = None,
    documents: Mapping[str, Document] | None = None,
    locations: Mapping[str, Sequence[str]] | None = None,
    settings: Settings | None = None,
    evaluations: Iterable[Evaluation] = (),
) -> tuple[Path, ...]:
    """Write the events to ``out`` in ``format``; returns every file written.

    ``stix`` and ``geojson`` write one file; STIX takes its times and
    external references from ``documents`` / ``locations`` and its TLP marking
    and attribution floor from ``settings`` (see :func:`~.stix.to_stix_bundle`). ``csv`` and ``parquet`` write the
    incidents table to ``out`` (its ``redline_status`` from ``evaluations``)
    and its companions next to it: ``NAME.claims.EXT``, ``NAME.actions.EXT``
    and ``NAME.posteriors.EXT`` (every hypothesis of every result, not only
    the top perpetrator).
    """
    fmt = format.strip().lower()
    out = Path(out)
    incidents, actions = list(incidents), list(actions)
    if fmt not in EXPORT_FORMATS:
        raise UnsupportedFormat(f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if not out.parent.is_dir():
        raise UnsupportedFormat(f"cannot write {out}: folder {out.parent} does not exist")
    if fmt == "stix":
        bundle = to_stix_bundle(incidents, results or {}, kb, actions=actions, documents=documents, locations=locations, settings=settings)
        out.write_text(bundle.serialize(pretty=True) + "\n", encoding="utf-8")
        return (out,)
    if fmt == "geojson":
        return (write_geojson(out, incidents, actions, results),)
    claims, acts, posts = companion(out, "claims"), companion(out, "actions"), companion(out, "posteriors")
    evaluations = list(evaluations)
    chosen = [results[i.id] for i in incidents if results and i.id in results]
    if fmt == "csv":
        return (
            write_csv(out, incident_rows(incidents, results, evaluations), INCIDENT_COLUMNS),
            write_csv(claims, claim_rows(incidents), CLAIM_COLUMNS),
            write_csv(acts, action_rows(actions), ACTION_COLUMNS),
            write_csv(posts, posterior_rows(chosen), POSTERIOR_COLUMNS),
        )
    return (
        write_parquet(out, incidents_table(incidents, results, evaluations)),
        write_parquet(claims, claims_table(incidents)),
        write_parquet(acts, actions_table(actions)),
        write_parquet(posts, posteriors_table(chosen)),
    )


def report_summary(report: ImportReport, *, max_bad: int = 20) -> dict[str, Any]:
    """A short JSON-able summary of an import: counts and the first ``max_bad`` bad rows."""
    return {
        "path": report.path,
        "format": report.format,
        "added": len(report.added),
        "incidents": report.incidents,
        "actions": report.actions,
        "duplicates": len(report.duplicates),
        "filtered": report.filtered,
        "recoded": report.recoded,
        "merged": dict(sorted(report.merged.items())),
        "bad_rows": len(report.bad_rows),
        "bad_row_samples": [{"line": b.line, "message": b.message} for b in report.bad_rows[:max_bad]],
    }


def dumps_summary(report: ImportReport) -> str:
    """:func:`report_summary` as a JSON string."""
    return json.dumps(report_summary(report), indent=2)
