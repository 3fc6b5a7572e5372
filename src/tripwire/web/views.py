"""View helpers for the dashboard: board rows, the timeline and its time axis, the SVG map and the chain graph.

All drawing is server-side SVG so the dashboard needs no CDN, no tiles and no
JavaScript library; the only script is the live-update listener in
``static/live.js``. Country borders come from ``data/borders.json`` (Natural
Earth, public domain; built by ``tools/build_borders.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

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


@dataclass(frozen=True)
class Border:
    """One country's outline as an SVG path in the map's frame."""

    iso2: str
    name: str
    path: str
    hit: bool  # an incident in view lies in this country


@lru_cache(maxsize=1)
def country_outlines() -> tuple[tuple[str, str, tuple[tuple[tuple[float, float], ...], ...]], ...]:
    """(ISO-2, name, rings of (lon, lat)) for every country in the packaged borders file."""
    doc = json.loads(resources.files("tripwire.web").joinpath("data/borders.json").read_text(encoding="utf-8"))
    return tuple((c["iso2"], c["name"], tuple(tuple((x, y) for x, y in ring) for ring in c["rings"])) for c in doc["countries"])


def svg_map(
    incidents: Sequence[Incident], kb: KnowledgeBase, *, width: int = 640, height: int = 480, max_cities: int = 40
) -> tuple[list[MapPoint], tuple[float, float, float, float], list[Border]]:
    """Project incidents, up to ``max_cities`` reference cities and country borders onto an equirectangular frame.

    The cities are the gazetteer's hand-written places first, then the most
    populous of the generated ones, so the labels stay readable.

    Returns the points, the (lon_min, lat_min, lon_max, lat_max) frame, which
    covers every located incident plus a margin (default: Iraq and its borders),
    and the borders of the countries that reach into the frame.
    """
    located = [i for i in incidents if i.place and i.place.lat is not None and i.place.lon is not None]
    lons = [i.place.lon for i in located] or [38.5, 48.5]  # type: ignore[union-attr]
    lats = [i.place.lat for i in located] or [29.0, 37.5]  # type: ignore[union-attr]
    lon_min, lon_max = min(min(lons), 38.5) - 0.5, max(max(lons), 48.5) + 0.5
    lat_min, lat_max = min(min(lats), 29.0) - 0.5, max(max(lats), 37.5) + 0.5

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (lon - lon_min) / (lon_max - lon_min) * width, (lat_max - lat) / (lat_max - lat_min) * height

    points = []
    cities = [p for p in kb.places.values() if p.kind == "city" and lon_min <= p.lon <= lon_max and lat_min <= p.lat <= lat_max]
    # the gazetteer's hand-written places of the theatre (no population recorded) first, then the most populous
    for place in sorted(cities, key=lambda p: (p.population is not None, -(p.population or 0), p.id))[:max_cities]:
        x, y = project(place.lat, place.lon)
        points.append(MapPoint(round(x, 1), round(y, 1), place.name, None, "city"))
    for incident in located:
        x, y = project(incident.place.lat, incident.place.lon)  # type: ignore[union-attr, arg-type]
        points.append(MapPoint(round(x, 1), round(y, 1), f"{incident.date or ''} {incident.place.name}", f"/incidents/{incident.id}", "incident"))  # type: ignore[union-attr]
    hit = {i.place.country for i in incidents if i.place and i.place.country}  # type: ignore[union-attr]
    borders = []
    for iso2, name, rings in country_outlines():
        if not any(lon_min <= x <= lon_max and lat_min <= y <= lat_max for ring in rings for x, y in ring) and not any(
            min(x for x, _ in r) <= lon_min and max(x for x, _ in r) >= lon_max and min(y for _, y in r) <= lat_min and max(y for _, y in r) >= lat_max
            for r in rings
        ):
            continue
        parts = []
        for ring in rings:
            xy = [project(y, x) for x, y in ring]
            parts.append("M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in xy) + " Z")
        borders.append(Border(iso2, name, " ".join(parts), iso2 in hit))
    return points, (lon_min, lat_min, lon_max, lat_max), borders


@dataclass(frozen=True)
class AxisMark:
    """One event on the time axis."""

    x: float
    y: float
    lane: str  # incident, action, redline
    label: str
    href: str | None
    css: str  # an extra class: the red-line status, or the action kind


@dataclass(frozen=True)
class TimeAxis:
    """Incidents, actions and red-line status changes on one horizontal time axis (three lanes)."""

    width: int
    height: int
    lanes: list[tuple[str, float]]  # lane title and its y
    ticks: list[tuple[float, str]]  # x and label
    marks: list[AxisMark]
    start: dt.date | None
    end: dt.date | None


def status_changes(history: Iterable[Evaluation]) -> list[Evaluation]:
    """The evaluations where a (rule, incident) pair's status changed (its first one included), oldest first."""
    last: dict[tuple[str, str], RedLineStatus] = {}
    changes = []
    for ev in sorted(history, key=lambda e: e.evaluated_at):
        key = (ev.rule_id, ev.incident_id)
        if last.get(key) != ev.status:
            changes.append(ev)
        last[key] = ev.status
    return changes


def _ticks(start: dt.date, end: dt.date) -> list[dt.date]:
    """Month starts (years when the span is long) from ``start`` to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    step = 1 if months <= 18 else 3 if months <= 48 else 12
    day = dt.date(start.year, 1 if step == 12 else start.month, 1)
    out = []
    while day <= end:
        if day >= start:
            out.append(day)
        month = day.month - 1 + step
        day = dt.date(day.year + month // 12, month % 12 + 1, 1)
    return out


def time_axis(entries: Sequence[TimelineEntry], changes: Sequence[Evaluation], *, width: int = 1100, lane_height: int = 70) -> TimeAxis:
    """Lay the dated ``entries`` and red-line ``changes`` out on a shared time axis (undated entries are left off)."""
    dated = [e for e in entries if e.date is not None]
    days = [e.date for e in dated] + [c.evaluated_at.date() for c in changes]
    lanes = [("Incidents", 40.0), ("Actions", 40.0 + lane_height), ("Red-line status", 40.0 + 2 * lane_height)]
    height = int(40 + 3 * lane_height + 30)
    if not days:
        return TimeAxis(width, height, lanes, [], [], None, None)
    start, end = min(days), max(days)  # type: ignore[type-var]
    start, end = start - dt.timedelta(days=3), end + dt.timedelta(days=3)
    left, right = 130.0, width - 20.0
    span = max((end - start).days, 1)

    def x_of(day: dt.date) -> float:
        return round(left + (day - start).days / span * (right - left), 1)

    stacked: dict[tuple[str, float], int] = {}

    def place(lane: int, x: float) -> float:
        key = (lanes[lane][0], round(x / 6))
        n = stacked[key] = stacked.get(key, -1) + 1
        return lanes[lane][1] + (n % 5) * 9 - 18

    marks = []
    for e in dated:
        x = x_of(e.date)  # type: ignore[arg-type]
        lane = 0 if e.is_incident else 1
        label = f"{e.date} {e.kind}: {e.label}" + (f" ({e.killed} killed)" if e.killed else "")
        marks.append(AxisMark(x, place(lane, x), "incident" if e.is_incident else "action", label, f"/incidents/{e.id}" if e.is_incident else None, e.kind.replace(" ", "-")))
    for c in changes:
        x = x_of(c.evaluated_at.date())
        marks.append(AxisMark(x, place(2, x), "redline", f"{c.evaluated_at:%Y-%m-%d} {c.rule_id} on {c.incident_id}: {c.status.value} (P={c.probability:.2f})",
                              f"/incidents/{c.incident_id}", c.status.value))
    ticks = [(x_of(d), d.strftime("%Y") if d.month == 1 else d.strftime("%b %Y")) for d in _ticks(start, end)]
    return TimeAxis(width, height, lanes, ticks, marks, start, end)


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
