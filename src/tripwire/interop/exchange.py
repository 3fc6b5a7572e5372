"""Whole-store import and export: what ``tripwire import`` and ``tripwire export`` call.

:func:`export_events` writes incidents, actions and attribution results in
one of four formats; :func:`export_store` and :func:`import_dataset` open the
store named by the settings around it and :func:`~tripwire.interop.import_file`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import NotFound, UnsupportedFormat
from ..knowledge import KnowledgeBase
from ..model import Action, AttributionResult, Document, Evaluation, Incident
from ..settings import Settings
from .common import ImportReport
from .geojson import write_geojson
from .importer import import_file
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
PAGE = 1000


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


def load_events(store: Any) -> tuple[list[Incident], list[Action], dict[str, AttributionResult]]:
    """Every incident, action and latest attribution result in ``store``."""
    incidents: list[Incident] = []
    while page := store.list_incidents(limit=PAGE, offset=len(incidents)):
        incidents.extend(page)
    actions: list[Action] = []
    while page := store.list_actions(limit=PAGE, offset=len(actions)):
        actions.extend(page)
    results: dict[str, AttributionResult] = {}
    for incident in incidents:
        try:
            results[incident.id] = store.get_attribution(incident.id)
        except NotFound:
            continue
    return incidents, actions, results


def load_sources(store: Any, events: Iterable[Incident | Action]) -> tuple[dict[str, Document], dict[str, list[str]]]:
    """The stored documents the events cite, and every location each was read from (for STIX times and references)."""
    documents: dict[str, Document] = {}
    locations: dict[str, list[str]] = {}
    for doc_id in sorted({d for e in events for d in e.documents}):
        try:
            documents[doc_id] = store.get_document(doc_id)
            locations[doc_id] = store.document_locations(doc_id)
        except NotFound:  # an event citing a document that was never stored (e.g. a dataset row)
            continue
    return documents, locations


def export_store(out: str | Path, *, format: str, settings: Settings | None = None) -> tuple[Path, ...]:
    """Export everything in the store named by ``settings`` (see :func:`export_events`)."""
    from ..store import Store

    settings = settings or Settings()
    if format.strip().lower() not in EXPORT_FORMATS:
        raise UnsupportedFormat(f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    kb = KnowledgeBase.load(settings.knowledge_dir or None)
    with Store.from_settings(settings) as store:
        incidents, actions, results = load_events(store)
        documents, locations = load_sources(store, [*incidents, *actions]) if format.strip().lower() == "stix" else ({}, {})
        evaluations = store.latest_evaluations()
    return export_events(out, format=format, incidents=incidents, actions=actions, results=results, kb=kb, documents=documents, locations=locations,
                         settings=settings, evaluations=evaluations)


def import_dataset(path: str | Path, *, format: str | None = None, settings: Settings | None = None, **options: Any) -> ImportReport:
    """Import a dataset file into the store named by ``settings`` (``options``: see :func:`~tripwire.interop.import_file`).

    New incidents are then folded into the article events already stored
    (:func:`~tripwire.pipeline.merge_and_save`), so a row about an attack the
    articles describe joins that incident instead of standing beside it;
    ``report.merged`` says which joined which. Run ``tripwire brief`` or
    ``tripwire attribute`` afterwards to re-attribute the grown incidents.
    """
    from ..pipeline import merge_and_save, row_windows
    from ..store import Store

    settings = settings or Settings()
    kb = KnowledgeBase.load(settings.knowledge_dir or None)
    with Store.from_settings(settings) as store:
        report = import_file(store, path, format=format, kb=kb, **options)
        if not report.incidents:
            return report
        merged = merge_and_save(store, kb=kb)
        added = set(report.added)
        owner = {d: inc.id for inc in merged.incidents for d in inc.documents}
        rows = [r for r in store.dataset_incidents(row_windows(merged.incidents)) if r.id in added]
        folded = {r.id: owner[d] for r in rows for d in r.documents if d in owner}
        return dataclasses.replace(report, merged=folded)


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
