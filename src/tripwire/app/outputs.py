"""Jobs that read the whole store into an output: HTML report, escalation chain, forecast, ACH, import and export.

Each gathers what a stage function needs from the store (through its typed
iterators, no caps) and hands it over as arguments, so the report, escalate
and interop packages never open the store or load the knowledge base.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .context import Context
from .jobs import CheckRun, merge_and_save, row_windows, store_events

if TYPE_CHECKING:
    from ..attribute.ach import AchMatrix
    from ..escalate.chains import EscalationChain
    from ..interop.common import ImportReport
    from ..model import Action, Document, Incident


def write_report(ctx: Context, out_dir: str | Path, *, rules: Sequence[Any] = (), generated_at: dt.datetime | None = None,
                 run: CheckRun | None = None) -> Path:
    """The HTML report of everything stored: incidents, current attributions, history, actions, red-line statements, sources.

    ``run`` (a :class:`~tripwire.app.jobs.CheckRun` that attributed and
    recorded every live incident just now, as ``brief`` does, none failing) supplies the
    live incidents and current attributions instead of reading them again.
    """
    from ..report import write_html_report
    from ..store.iterators import paged
    from .compact import Sharing

    sharing = Sharing()  # the history and sources read page by page, their equal parts shared: a whole store's worth in less memory
    if run is not None and run.recorded and run.attribution_source == "attributor" and not run.unattributed:
        incidents, actions, results = list(run.incidents), list(ctx.store.iter_actions()), run.results
    else:
        (incidents, actions), results = store_events(ctx), ctx.store.latest_attributions()
    return write_html_report(
        out_dir,
        incidents=incidents,
        results=results,
        evaluations=[sharing.share(ev) for ev in paged(ctx.store.evaluation_history)],
        actions=actions,
        redlines=ctx.store.list_redline_statements(),
        documents=[sharing.share(d.model_copy(update={"text": ""})) for d in ctx.store.iter_documents()],  # the sources table shows no text
        rules=rules,
        generated_at=generated_at,
        kb=ctx.kb,
    )


def chain(ctx: Context, *, window_days: float = 14.0, half_life_days: float = 3.0) -> EscalationChain:
    """The action-reaction chain over every live incident and action in the store."""
    from ..escalate.chains import build_chain

    incidents, actions = store_events(ctx)
    return build_chain(incidents, actions, window_days=window_days, half_life_days=half_life_days, kb=ctx.kb)


def forecast(ctx: Context, *, window_days: float = 30.0, decay_per_day: float = 0.2, n_sims: int = 500, seed: int = 0) -> dict[str, Any]:
    """Attack intensity over the next ``window_days``: a Hawkes model fitted to the stored attacks and US strikes."""
    from ..escalate.store_forecast import forecast_from_events

    incidents, actions = store_events(ctx)
    return forecast_from_events(incidents, actions, window_days=window_days, decay_per_day=decay_per_day, n_sims=n_sims, seed=seed)


def ach(ctx: Context, incident_id: str) -> AchMatrix:
    """The ACH matrix of a stored incident, from its stored attribution when it has one."""
    from ..attribute.ach import ach_matrix
    from ..errors import NotFound

    incident = ctx.store.get_incident(incident_id)
    try:
        result = ctx.store.get_attribution(incident_id)
    except NotFound:
        result = None
    return ach_matrix(incident, None, ctx.kb, result=result)


def sources_of(ctx: Context, events: Sequence[Incident | Action]) -> tuple[dict[str, Document], dict[str, list[str]]]:
    """The stored documents the events cite, and every location each was read from (for STIX times and references)."""
    from ..errors import NotFound

    documents: dict[str, Document] = {}
    locations: dict[str, list[str]] = {}
    for doc_id in sorted({d for e in events for d in e.documents}):
        try:
            documents[doc_id] = ctx.store.get_document(doc_id)
            locations[doc_id] = ctx.store.document_locations(doc_id)
        except NotFound:  # an event citing a document that was never stored
            continue
    return documents, locations


def export(ctx: Context, out: str | Path, *, format: str) -> tuple[Path, ...]:
    """Export every live incident, action and current attribution (see :func:`tripwire.interop.exchange.export_events`)."""
    from ..errors import UnsupportedFormat
    from ..interop.exchange import EXPORT_FORMATS, export_events

    fmt = format.strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise UnsupportedFormat(f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    incidents, actions = store_events(ctx)
    documents, locations = sources_of(ctx, [*incidents, *actions]) if fmt == "stix" else ({}, {})
    return export_events(out, format=fmt, incidents=incidents, actions=actions, results=ctx.store.latest_attributions(), kb=ctx.kb,
                         documents=documents, locations=locations, settings=ctx.settings, evaluations=ctx.store.latest_evaluations())


def import_dataset(ctx: Context, path: str | Path, *, format: str | None = None, **options: Any) -> ImportReport:
    """Import a dataset file (``options``: see :func:`~tripwire.interop.import_file`) and fold new rows into article events.

    A row about an attack the articles describe joins that incident instead of
    standing beside it; ``report.merged`` says which joined which. Run
    ``tripwire check`` afterwards to re-attribute the grown incidents.
    """
    from ..interop import import_file

    report = import_file(ctx.store, path, format=format, kb=ctx.kb, **options)
    if not report.incidents:
        return report
    merged = merge_and_save(ctx)
    added = set(report.added)
    owner = {d: inc.id for inc in merged.incidents for d in inc.documents}
    rows = [r for r in ctx.store.dataset_incidents(row_windows(merged.incidents)) if r.id in added]
    folded = {r.id: owner[d] for r in rows for d in r.documents if d in owner}
    return dataclasses.replace(report, merged=folded)


__all__ = ["ach", "chain", "export", "forecast", "import_dataset", "sources_of", "write_report"]
