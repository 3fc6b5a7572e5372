"""Draw an :class:`~tripwire.escalate.chains.EscalationChain` as a timeline PNG.

Layout: x is the event date, one row per acting actor (first appearance
order, top to bottom), attacks as circles and other actions as squares;
arrows run cause -> reaction, solid for links the text states and dashed for
links inferred from timing, thicker for heavier weights. Undated events have
no place on a timeline and are listed in the caption instead.

Uses matplotlib's Agg canvas directly (no pyplot, no global figure state), so
it is safe in servers and worker threads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

from ..errors import InputError
from .chains import EscalationChain

_COLOURS = {"incident": "#c0392b", "action": "#2c3e50"}


def plot_chain(chain: EscalationChain, path: str | Path, *, title: str = "Action-reaction chain", dpi: int = 120) -> Path:
    """Render ``chain`` to a PNG at ``path`` (parent folders created); returns the path.

    Raises :class:`~tripwire.errors.InputError` when no event has a date.
    """
    dated = [n for n in chain.nodes if n.date]
    if not dated:
        raise InputError("no dated events to place on a timeline")
    rows: list[str] = []
    for n in dated:
        actor = n.actor or "unknown"
        if actor not in rows:
            rows.append(actor)
    y_of = {actor: len(rows) - 1 - i for i, actor in enumerate(rows)}
    pos = {n.id: (date2num(dt.date.fromisoformat(n.date)), y_of[n.actor or "unknown"]) for n in dated}

    width = 8.0 + 0.25 * len(dated)
    fig = Figure(figsize=(min(width, 18.0), 1.2 + 0.9 * len(rows)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for e in chain.edges:
        if e.source not in pos or e.target not in pos:
            continue
        ax.annotate(
            "",
            xy=pos[e.target],
            xytext=pos[e.source],
            arrowprops={
                "arrowstyle": "-|>",
                "linestyle": "-" if e.kind == "textual" else "--",
                "linewidth": 0.6 + 2.0 * e.weight,
                "color": "#34495e" if e.kind == "textual" else "#7f8c8d",
                "shrinkA": 7,
                "shrinkB": 7,
                "connectionstyle": "arc3,rad=0.15",
            },
        )
    for i, n in enumerate(dated):
        x, y = pos[n.id]
        ax.scatter([x], [y], s=90 + 30 * min(n.killed, 10), marker="o" if n.event == "incident" else "s", color=_COLOURS[n.event], zorder=3)
        ax.annotate(_short(n.label), (x, y), xytext=(0, 10 if i % 2 == 0 else -16), textcoords="offset points", ha="center", fontsize=7)
    ax.set_yticks(range(len(rows)), labels=list(reversed(rows)))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    xs = [p[0] for p in pos.values()]
    pad = max(1.0, 0.06 * (max(xs) - min(xs)))
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title)
    undated = [n.id for n in chain.nodes if not n.date]
    caption = "solid: stated in text; dashed: inferred from timing"
    if undated:
        caption += f"; undated, not shown: {', '.join(undated[:5])}" + (" ..." if len(undated) > 5 else "")
    fig.text(0.01, 0.01, caption, fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi, format="png")
    return out


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
