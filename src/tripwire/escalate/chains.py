"""Action-reaction chains: which event led to which, as a directed graph.

Nodes are :class:`~tripwire.model.Incident` (attacks) and
:class:`~tripwire.model.Action` (strikes, protests, votes, ...). Edges come
from two sources and say which one in ``kind``:

``textual``
    the text itself links them: ``Action.caused_by`` as filled by the
    extractor from "sparked", "led to", "in response to", "retaliated".
    Weight :attr:`ChainConfig.textual_weight`; the evidence is the action's
    supporting span that carries the causal cue.
``temporal``
    timing and actor logic: an event by actor B aimed at actor A, dated within
    ``window_days`` after an event by A aimed at B. Actors count as the same
    side when the knowledge base ties them (state organs to their state, fronts
    to the group they front for, proxies to their sponsor), so a strike on the
    Quds Force can answer a protest by an Iran-backed militia. The weight decays
    with the lag: ``0.5 ** (lag_days / half_life_days)``. Only events dated to
    the day take part (a "December 2019" date is too coarse to time a reaction).

When both apply to one pair, the edge is ``textual`` with ``also_temporal``
set. :func:`build_chain` returns an :class:`EscalationChain`, which exports to
node-link JSON, GraphML and DOT; :mod:`tripwire.escalate.chain_plot` draws it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from ..errors import InputError, UnsupportedFormat
from ..knowledge import KnowledgeBase
from ..model import Action, AttributionKind, Incident, Span

EventKind = Literal["incident", "action"]
EdgeKind = Literal["textual", "temporal"]
FORMATS = ("json", "graphml", "dot")

_CAUSAL_CUE = re.compile(
    r"\b(spark\w*|led to|lead to|leads to|in response|respon\w*|retaliat\w*|after|prompt\w*|trigger\w*|revenge|provok\w*|answer\w*)\b",
    re.IGNORECASE,
)
_POSITIVE = {AttributionKind.CLAIMED, AttributionKind.ALLEGED, AttributionKind.ASSESSED}


@dataclass(frozen=True)
class ChainConfig:
    """How temporal edges are scored.

    ``window_days``: largest lag (days) at which a reaction is linked;
    ``half_life_days``: lag at which a temporal edge's weight halves;
    ``min_weight``: temporal edges lighter than this are dropped;
    ``textual_weight``: weight of an edge the text states;
    ``sponsor_confidence``: a sponsor link in the knowledge base joins a proxy
    to its sponsor's side only at or above this confidence.
    """

    window_days: float = 14.0
    half_life_days: float = 3.0
    min_weight: float = 0.05
    textual_weight: float = 1.0
    sponsor_confidence: float = 0.5

    def __post_init__(self) -> None:
        if not self.window_days >= 0:
            raise InputError(f"window_days must be >= 0, got {self.window_days!r}")
        if not self.half_life_days > 0:
            raise InputError(f"half_life_days must be > 0, got {self.half_life_days!r}")
        if not 0.0 <= self.min_weight <= 1.0 or not 0.0 < self.textual_weight <= 1.0:
            raise InputError("min_weight must be in [0, 1] and textual_weight in (0, 1]")

    def decay(self, lag_days: float) -> float:
        """Weight of a temporal edge with this lag."""
        return 0.5 ** (lag_days / self.half_life_days)


@dataclass(frozen=True)
class ChainNode:
    """One event in the chain. ``date`` is ISO ``YYYY-MM-DD`` or empty; ``actor``/``target`` are actor ids or empty."""

    id: str
    event: EventKind
    kind: str
    date: str
    actor: str
    target: str
    label: str
    killed: int = 0
    #: "day", "month" or "year"; only day-precise events take part in timing links
    date_precision: str = ""


@dataclass(frozen=True)
class ChainEdge:
    """A link ``source -> target`` (cause -> reaction) with its kind, weight and evidence.

    ``lag_days`` is the date difference (NaN when a date is missing; for
    month- or year-precise dates it is measured from the first of the period);
    ``evidence_text`` is the supporting span (textual) or a sentence saying
    why the timing rule linked the pair (temporal); ``evidence_document`` and
    ``evidence_start``/``evidence_end`` locate a textual span (empty / -1 otherwise).
    """

    source: str
    target: str
    kind: EdgeKind
    weight: float
    lag_days: float
    evidence_text: str
    evidence_document: str = ""
    evidence_start: int = -1
    evidence_end: int = -1
    also_temporal: bool = False


@dataclass(frozen=True)
class EscalationChain:
    """The action-reaction graph with its nodes and edges as plain records.

    ``graph`` is a frozen :class:`networkx.DiGraph` whose node and edge
    attributes are the fields of :class:`ChainNode` / :class:`ChainEdge`;
    ``unresolved`` lists ``(action id, cause id)`` pairs whose cause was not
    among the events given.
    """

    nodes: tuple[ChainNode, ...]
    edges: tuple[ChainEdge, ...]
    unresolved: tuple[tuple[str, str], ...] = ()
    config: ChainConfig = field(default_factory=ChainConfig)
    graph: nx.DiGraph = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        ids = {n.id for n in self.nodes}
        for e in self.edges:
            if e.source not in ids or e.target not in ids:
                raise InputError(f"edge {e.source!r} -> {e.target!r} names an event that is not a node")
            if e.kind not in ("textual", "temporal"):
                raise InputError(f"edge kind must be textual or temporal, got {e.kind!r}")
        if self.graph is None:
            object.__setattr__(self, "graph", _graph(self.nodes, self.edges))

    # -- queries -------------------------------------------------------------

    def node(self, node_id: str) -> ChainNode:
        """The node with this id (InputError when absent)."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise InputError(f"no event {node_id!r} in the chain")

    def path(self, source: str, target: str) -> list[str]:
        """The strongest path ``source -> ... -> target`` (largest product of weights); [] when none."""
        self.node(source), self.node(target)
        try:
            return nx.shortest_path(self.graph, source, target, weight=lambda _u, _v, d: -math.log(d["weight"]))
        except nx.NetworkXNoPath:
            return []

    def roots(self) -> list[str]:
        """Events nothing in the chain led to, in date order."""
        return [n.id for n in _by_date(self.nodes) if self.graph.in_degree(n.id) == 0]

    # -- export --------------------------------------------------------------

    def to_node_link(self) -> dict[str, Any]:
        """Node-link data (the layout networkx and d3 read): ``{"directed", "multigraph", "graph", "nodes", "links"}``."""
        return {
            "directed": True,
            "multigraph": False,
            "graph": {"config": asdict(self.config), "unresolved": [list(p) for p in self.unresolved]},
            "nodes": [asdict(n) for n in self.nodes],
            "links": [_json_edge(e) for e in self.edges],
        }

    def to_json(self) -> str:
        """Node-link JSON text (NaN lags written as null)."""
        return json.dumps(self.to_node_link(), indent=2, ensure_ascii=False)

    @classmethod
    def from_node_link(cls, data: Mapping[str, Any]) -> "EscalationChain":
        """Rebuild a chain from :meth:`to_node_link` output (InputError on malformed data)."""
        try:
            nodes = tuple(ChainNode(**n) for n in data["nodes"])
            edges = tuple(
                ChainEdge(**{**e, "lag_days": math.nan if e.get("lag_days") is None else float(e["lag_days"])}) for e in data["links"]
            )
            graph_data = data.get("graph", {})
            config = ChainConfig(**graph_data.get("config", {}))
            unresolved = tuple((str(a), str(b)) for a, b in graph_data.get("unresolved", []))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not an escalation chain in node-link form: {exc}") from exc
        return cls(nodes=nodes, edges=edges, unresolved=unresolved, config=config)

    def to_graphml(self) -> str:
        """GraphML text (every attribute a scalar; NaN lag kept as NaN)."""
        return "\n".join(nx.generate_graphml(self.graph)) + "\n"

    def to_dot(self) -> str:
        """Graphviz DOT text: solid edges textual, dashed temporal, pen width by weight."""
        lines = ["digraph escalation {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
        for n in _by_date(self.nodes):
            label = f"{n.date or 'undated'}\\n{_dot_escape(n.label)}"
            shape = "box" if n.event == "action" else "ellipse"
            lines.append(f'  "{_dot_escape(n.id)}" [label="{label}", shape={shape}];')
        for e in self.edges:
            style = "solid" if e.kind == "textual" else "dashed"
            lines.append(
                f'  "{_dot_escape(e.source)}" -> "{_dot_escape(e.target)}" '
                f'[style={style}, penwidth={0.5 + 2.5 * e.weight:.2f}, label="{e.kind} {e.weight:.2f}"];'
            )
        lines.append("}")
        return "\n".join(lines) + "\n"

    def write(self, out_dir: str | Path, fmt: str = "json") -> Path:
        """Write ``chain.<json|graphml|dot>`` into ``out_dir`` (created if needed); returns the path."""
        if fmt not in FORMATS:
            raise UnsupportedFormat(f"unknown chain format {fmt!r}; choose one of {', '.join(FORMATS)}")
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        text = {"json": self.to_json, "graphml": self.to_graphml, "dot": self.to_dot}[fmt]()
        path = out / f"chain.{fmt}"
        path.write_text(text, encoding="utf-8")
        return path


# ---------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------


def build_chain(
    incidents: Iterable[Incident],
    actions: Iterable[Action],
    *,
    window_days: float = 14.0,
    half_life_days: float = 3.0,
    min_weight: float = 0.05,
    config: ChainConfig | None = None,
    kb: KnowledgeBase,
) -> EscalationChain:
    """Link incidents and actions into an action-reaction graph.

    Textual edges follow ``Action.caused_by``; temporal edges join an event by
    B against A to an earlier event by A against B no more than
    ``window_days`` before it. ``config`` (when given) overrides the three
    keyword settings. Duplicate event ids are an :class:`~tripwire.errors.InputError`.
    """
    cfg = config or ChainConfig(window_days=window_days, half_life_days=half_life_days, min_weight=min_weight)
    events: dict[str, Incident | Action] = {}
    for ev in [*incidents, *actions]:
        if not isinstance(ev, (Incident, Action)):
            raise InputError(f"build_chain takes Incident and Action objects, got {type(ev).__name__}")
        if ev.id in events:
            raise InputError(f"event id {ev.id!r} appears twice; ids must be unique across incidents and actions")
        events[ev.id] = ev
    nodes = tuple(_node(ev, kb) for ev in events.values())
    by_id = {n.id: n for n in nodes}
    sides = {
        ev.id: (frozenset().union(*(_side(a, kb, cfg) for a in event_actors(ev, kb))), _side(by_id[ev.id].target, kb, cfg))
        for ev in events.values()
    }

    edges: dict[tuple[str, str], ChainEdge] = {}
    unresolved: list[tuple[str, str]] = []
    for ev in events.values():
        if not isinstance(ev, Action):
            continue
        for cause in ev.caused_by:
            if cause not in events or cause == ev.id:
                unresolved.append((ev.id, cause))
                continue
            span = _cue_span(ev.evidence)
            edges[(cause, ev.id)] = ChainEdge(
                source=cause,
                target=ev.id,
                kind="textual",
                weight=cfg.textual_weight,
                lag_days=_lag(by_id[cause], by_id[ev.id]),
                evidence_text=span.text if span else (ev.summary or ""),
                evidence_document=span.document_id if span else "",
                evidence_start=span.start if span else -1,
                evidence_end=span.end if span else -1,
            )

    dated = [n for n in _by_date(nodes) if n.date and n.date_precision == "day"]
    for i, first in enumerate(dated):
        a_actor, a_target = sides[first.id]
        if not a_actor or not a_target:
            continue
        for later in dated[i + 1 :]:
            lag = _lag(first, later)
            if lag > cfg.window_days:
                break
            b_actor, b_target = sides[later.id]
            if not (b_actor & a_target and b_target & a_actor):
                continue
            weight = cfg.decay(lag)
            if weight < cfg.min_weight:
                continue
            key = (first.id, later.id)
            if key in edges:
                old = edges[key]
                edges[key] = ChainEdge(**{**asdict(old), "also_temporal": True})
                continue
            edges[key] = ChainEdge(
                source=first.id,
                target=later.id,
                kind="temporal",
                weight=round(weight, 6),
                lag_days=lag,
                evidence_text=(
                    f"{later.actor} acted against {later.target} {lag:g} day(s) after "
                    f"{first.actor} acted against {first.target} ({first.kind} -> {later.kind})"
                ),
            )
    ordered_edges = tuple(sorted(edges.values(), key=lambda e: (by_id[e.source].date, e.source, by_id[e.target].date, e.target)))
    return EscalationChain(nodes=tuple(_by_date(nodes)), edges=ordered_edges, unresolved=tuple(unresolved), config=cfg)


def event_actors(event: Incident | Action, kb: KnowledgeBase) -> tuple[str, ...]:
    """Who acted, best candidate first.

    An action's ``actor``; for an incident every actor positively attributed
    (claimed, alleged or assessed; denials and disputes do not count): a
    claimant first, then by how many statements name it, then in the order
    the text gives them. Empty when nobody is named.
    """
    if isinstance(event, Action):
        actor = _resolve(event.actor, kb)
        return (actor,) if actor else ()
    named: dict[str, list[int]] = {}
    for pos, a in enumerate(event.attributions):
        if a.kind not in _POSITIVE or not a.actor or a.actor == "unknown":
            continue
        actor = _resolve(a.actor, kb)
        if actor:
            claimed = 0 if a.kind == AttributionKind.CLAIMED else 1
            if actor not in named:
                named[actor] = [claimed, 0, pos]
            named[actor][0] = min(named[actor][0], claimed)
            named[actor][1] -= 1
    return tuple(sorted(named, key=lambda k: tuple(named[k])))


def event_actor(event: Incident | Action, kb: KnowledgeBase) -> str:
    """The best candidate of :func:`event_actors` ('' when none)."""
    actors = event_actors(event, kb)
    return actors[0] if actors else ""


def event_target(event: Incident | Action, kb: KnowledgeBase) -> str:
    """Against whom: the actor named by ``target``, else (incidents) the nationality of those harmed ('' when unknown)."""
    found = _resolve(event.target, kb)
    if found:
        return found
    for casualty in event.casualties:
        if casualty.nationality:
            state = _state_of_country(casualty.nationality, kb)
            if state:
                return state
    return ""


def _node(ev: Incident | Action, kb: KnowledgeBase) -> ChainNode:
    if isinstance(ev, Incident):
        kind, event = ev.attack_type or "attack", "incident"
        where = f"{kind} at {ev.place.name}" if ev.place else ev.id
        label = ev.summary or where
    else:
        kind, event = ev.kind, "action"
        label = ev.summary or ev.id
    killed = sum(c.count for c in ev.casualties if c.status == "killed")
    return ChainNode(
        id=ev.id,
        event=event,  # type: ignore[arg-type]
        kind=kind,
        date=ev.date.isoformat() if ev.date else "",
        actor=event_actor(ev, kb),
        target=event_target(ev, kb),
        label=label,
        killed=killed,
        date_precision=(ev.date_precision or "day") if ev.date else "",
    )


def _resolve(name: str | None, kb: KnowledgeBase) -> str:
    if not name:
        return ""
    if name in kb.actors:
        return name
    exact = kb.resolve_actor(name)
    if exact:
        return exact
    found = kb.find_actors(name)
    return found[0][2] if found else ""


def _state_of_country(country: str, kb: KnowledgeBase) -> str:
    for actor in kb.actors.values():
        if actor.kind == "state" and actor.country == country:
            return actor.id
    return ""


def _side(actor_id: str, kb: KnowledgeBase, cfg: ChainConfig) -> frozenset[str]:
    """The actor and everyone it answers to: its state, the group it fronts for, sponsors above the confidence bar."""
    if not actor_id:
        return frozenset()
    seen: set[str] = set()
    todo = [actor_id]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        actor = kb.actors.get(current)
        if actor is None:
            continue
        if actor.part_of:
            todo.append(actor.part_of)
        if actor.front_for:
            todo.append(actor.front_for)
        todo.extend(link.sponsor for link in actor.sponsors if link.confidence >= cfg.sponsor_confidence)
    return frozenset(seen)


def _lag(first: ChainNode, later: ChainNode) -> float:
    if not first.date or not later.date:
        return math.nan
    from datetime import date

    return float((date.fromisoformat(later.date) - date.fromisoformat(first.date)).days)


def _by_date(nodes: Sequence[ChainNode]) -> list[ChainNode]:
    return sorted(nodes, key=lambda n: (n.date or "9999-99-99", n.id))


def _cue_span(spans: Sequence[Span]) -> Span | None:
    for span in spans:
        if _CAUSAL_CUE.search(span.text):
            return span
    return spans[0] if spans else None


def _json_edge(edge: ChainEdge) -> dict[str, Any]:
    data = asdict(edge)
    if math.isnan(edge.lag_days):
        data["lag_days"] = None
    return data


def _graph(nodes: Sequence[ChainNode], edges: Sequence[ChainEdge]) -> nx.DiGraph:
    graph = nx.DiGraph(name="escalation chain")
    for n in nodes:
        graph.add_node(n.id, **{k: v for k, v in asdict(n).items() if k != "id"})
    for e in edges:
        graph.add_edge(e.source, e.target, **{k: v for k, v in asdict(e).items() if k not in ("source", "target")})
    return nx.freeze(graph)


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
