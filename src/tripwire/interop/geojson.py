"""GeoJSON (RFC 7946) FeatureCollections of incidents and actions.

Each event is a Feature with a Point geometry (``[lon, lat]``) or, when its
place has no coordinates, a ``null`` geometry (allowed by the RFC) so that no
event silently disappears from the map layer. Properties follow the flat
table columns of :mod:`tripwire.interop.tabular`, plus ``event`` ("incident"
or "action").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..model import Action, AttributionResult, Incident
from .tabular import action_rows, incident_rows


def _feature(event: str, row: dict[str, Any]) -> dict[str, Any]:
    lat, lon = row.pop("lat"), row.pop("lon")
    geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
    props = {"event": event, **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}}
    return {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": props}


def to_geojson(
    incidents: Iterable[Incident] = (),
    actions: Iterable[Action] = (),
    results: Mapping[str, AttributionResult] | None = None,
) -> dict[str, Any]:
    """A FeatureCollection (as a dict) of incidents then actions, each sorted by date then id."""
    key = lambda r: (r["date"].isoformat() if r["date"] else "", r["id"])  # noqa: E731
    features = [_feature("incident", r) for r in sorted(incident_rows(incidents, results), key=key)]
    features += [_feature("action", r) for r in sorted(action_rows(actions), key=key)]
    return {"type": "FeatureCollection", "features": features}


def write_geojson(path: str | Path, incidents: Iterable[Incident] = (), actions: Iterable[Action] = (),
                  results: Mapping[str, AttributionResult] | None = None) -> Path:
    """Write :func:`to_geojson` to ``path`` as UTF-8 JSON."""
    path = Path(path)
    path.write_text(json.dumps(to_geojson(incidents, actions, results), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
