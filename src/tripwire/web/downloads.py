"""What a dashboard view holds, and downloads of it as CSV, GeoJSON or STIX 2.1.

:func:`load_view` gives the incidents and actions a :class:`~.filters.ViewFilter`
keeps (with each incident's worst red-line status); the download routes
serve the whole filtered view -- every page of it, not only the page on
screen -- through the exporters of :mod:`tripwire.interop`, so a download
matches ``tripwire export`` for the same events.

``/download/incidents.csv`` and ``/download/actions.csv`` are the flat tables
of ``tripwire export --format csv``; ``/download/events.geojson`` and
``/download/events.stix.json`` hold incidents and actions together.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..model import Action, Incident
from ..store import Store
from .filters import ViewFilter, ViewParam, worst_status

#: how many events a view loads at most (the dashboard is a working view, not a bulk export)
VIEW_CAP = 5000


@dataclass(frozen=True)
class View:
    """The events a filter keeps."""

    incidents: list[Incident]
    actions: list[Action]
    statuses: dict[str, str]  # incident id -> worst latest red-line status


def load_view(store: Store, view: ViewFilter) -> View:
    """The incidents (newest first) and actions (oldest first) in ``view``."""
    statuses = worst_status(store.latest_evaluations())
    incidents = view.incidents(store.list_incidents(limit=VIEW_CAP), statuses)
    actions = [a for a in store.list_actions(limit=VIEW_CAP) if view.action(a)]
    return View(incidents, actions, statuses)


def _csv(rows: Any, columns: Any) -> str:
    from ..interop.tabular import _cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return buffer.getvalue()


def _attachment(body: str, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


router = APIRouter(prefix="/download", include_in_schema=False)


@router.get("/incidents.csv")
def incidents_csv(request: Request, view: ViewParam) -> Response:
    """The incidents of the view as the flat incidents table."""
    from ..interop.tabular import INCIDENT_COLUMNS, incident_rows

    st = request.app.state.tripwire
    events = load_view(st.store, view)
    return _attachment(_csv(incident_rows(events.incidents, st.store.latest_attributions()), INCIDENT_COLUMNS), "text/csv; charset=utf-8", "incidents.csv")


@router.get("/actions.csv")
def actions_csv(request: Request, view: ViewParam) -> Response:
    """The actions of the view as the flat actions table."""
    from ..interop.tabular import ACTION_COLUMNS, action_rows

    events = load_view(request.app.state.tripwire.store, view)
    return _attachment(_csv(action_rows(events.actions), ACTION_COLUMNS), "text/csv; charset=utf-8", "actions.csv")


@router.get("/events.geojson")
def events_geojson(request: Request, view: ViewParam) -> Response:
    """Incidents and actions of the view as a GeoJSON FeatureCollection."""
    from ..interop.geojson import to_geojson

    st = request.app.state.tripwire
    events = load_view(st.store, view)
    body = json.dumps(to_geojson(events.incidents, events.actions, st.store.latest_attributions()), ensure_ascii=False)
    return _attachment(body, "application/geo+json", "events.geojson")


@router.get("/events.stix.json")
def events_stix(request: Request, view: ViewParam) -> Response:
    """Incidents and actions of the view as a STIX 2.1 bundle (times, references and marking as ``tripwire export``)."""
    from ..app.outputs import sources_of
    from ..interop.stix import to_stix_bundle

    st = request.app.state.tripwire
    events = load_view(st.store, view)
    documents, locations = sources_of(st.ctx, [*events.incidents, *events.actions])
    bundle = to_stix_bundle(events.incidents, st.store.latest_attributions(), st.kb, actions=events.actions, documents=documents,
                            locations=locations, settings=st.settings)
    return _attachment(bundle.serialize(pretty=True) + "\n", "application/stix+json;version=2.1", "events.stix.json")


__all__ = ["VIEW_CAP", "View", "load_view", "router"]
