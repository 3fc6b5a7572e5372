"""View helpers for the dashboard: board rows, the timeline, the SVG map and the chain graph.

All drawing is server-side SVG so the dashboard needs no CDN, no tiles and no
JavaScript library; the only script is the live-update listener in
``static/live.js``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..knowledge import KnowledgeBase
from ..model import Action, Evaluation, Incident, RedLineStatus
from ..report.board import BoardRow, board_rows

def board(evaluations: Iterable[Evaluation], incidents: Mapping[str, Incident]) -> list[BoardRow]:
    """The report's board rows (newest evaluation per pair), most serious first across all rules."""
    severity = {RedLineStatus.TRIPPED: 0, RedLineStatus.WATCH: 1, RedLineStatus.CLEAR: 2}
    rows = board_rows(list(evaluations), incidents)
    return sorted(rows, key=lambda r: (severity[r.status], -r.probability, r.rule_id, r.incident_id))


@dataclass(frozen=True)
class TimelineEntry:
    """An incident or action placed on the timeline."""

    date: dt.date | None
    kind: str
    id: str
    label: str
    killed: int
    is_incident: bool


def timeline(incidents: Sequence[Incident], actions: Sequence[Action]) -> list[TimelineEntry]:
    """Incidents and actions in date order (undated last)."""
    entries = [
        TimelineEntry(i.date, i.attack_type or "attack", i.id, i.summary or (i.place.name if i.place else i.id), i.killed(), True) for i in incidents
    ]
    entries += [TimelineEntry(a.date, a.kind, a.id, a.summary or f"{a.actor or '?'} → {a.target or '?'}", sum(c.count for c in a.casualties if c.status == "killed"), False) for a in actions]
    entries.sort(key=lambda e: (e.date is None, e.date or dt.date.min, e.id))
    return entries


@dataclass(frozen=True)
class MapPoint:
    """A dot on the SVG map."""

    x: float
    y: float
    label: str
    href: str | None
    kind: str


def svg_map(incidents: Sequence[Incident], kb: KnowledgeBase, *, width: int = 640, height: int = 480) -> tuple[list[MapPoint], tuple[float, float, float, float]]:
    """Project incidents (and gazetteer cities as landmarks) onto an equirectangular frame.

    Returns the points and the (lon_min, lat_min, lon_max, lat_max) frame, which
    covers every located incident plus a margin (default: Iraq and its borders).
    """
    located = [i for i in incidents if i.place and i.place.lat is not None and i.place.lon is not None]
    lons = [i.place.lon for i in located] or [38.5, 48.5]  # type: ignore[union-attr]
    lats = [i.place.lat for i in located] or [29.0, 37.5]  # type: ignore[union-attr]
    lon_min, lon_max = min(min(lons), 38.5) - 0.5, max(max(lons), 48.5) + 0.5
    lat_min, lat_max = min(min(lats), 29.0) - 0.5, max(max(lats), 37.5) + 0.5

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (lon - lon_min) / (lon_max - lon_min) * width, (lat_max - lat) / (lat_max - lat_min) * height

    points = []
    for place in kb.places.values():
        if place.kind == "city" and lon_min <= place.lon <= lon_max and lat_min <= place.lat <= lat_max:
            x, y = project(place.lat, place.lon)
            points.append(MapPoint(round(x, 1), round(y, 1), place.name, None, "city"))
    for incident in located:
        x, y = project(incident.place.lat, incident.place.lon)  # type: ignore[union-attr, arg-type]
        points.append(MapPoint(round(x, 1), round(y, 1), f"{incident.date or ''} {incident.place.name}", f"/incidents/{incident.id}", "incident"))  # type: ignore[union-attr]
    return points, (lon_min, lat_min, lon_max, lat_max)


@dataclass(frozen=True)
class ChainLayout:
    """The escalation chain laid out left to right by date, one row per event."""

    nodes: list[tuple[str, float, float, str, bool]]  # id, x, y, label, is_incident
    edges: list[tuple[float, float, float, float, str, str]]  # x1, y1, x2, y2, kind, evidence
    width: int
    height: int


def chain_layout(incidents: Sequence[Incident], actions: Sequence[Action], kb: KnowledgeBase, *, width: int = 1100, row_height: int = 40) -> ChainLayout:
    """Place the nodes of :func:`tripwire.escalate.build_chain` by date (x) and order (y).

    Edges are the chain's own: ``textual`` where the reporting states cause and
    effect, ``temporal`` where timing and the actors involved suggest a reaction.
    """
    from ..escalate import build_chain

    chain = build_chain(incidents, actions, kb=kb)
    nodes = sorted(chain.nodes, key=lambda n: (n.date == "", n.date, n.id))
    dated = [dt.date.fromisoformat(n.date[:10]) for n in nodes if n.date]
    start = min(dated) if dated else dt.date(2000, 1, 1)
    span = max((max(dated) - start).days if dated else 1, 1)
    plot_width = width * 0.45  # the rest of the row is left for the label
    pos: dict[str, tuple[float, float]] = {}
    placed = []
    for row, node in enumerate(nodes):
        offset = (dt.date.fromisoformat(node.date[:10]) - start).days / span if node.date else 1.0
        x, y = 20 + offset * plot_width, 30 + row * row_height
        pos[node.id] = (x, y)
        placed.append((node.id, round(x, 1), y, f"{node.date or 'undated'} {node.kind}: {node.label}"[:100], node.event == "incident"))
    edges = [(*map(lambda v: round(v, 1), (*pos[e.source], *pos[e.target])), e.kind, e.evidence_text[:200]) for e in chain.edges]
    return ChainLayout(placed, edges, width, 60 + len(nodes) * row_height)
