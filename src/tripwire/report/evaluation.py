"""The extraction evaluation as people and programs read it: a table, JSON, and files.

:func:`evaluation_json` is the one JSON shape (the CLI's ``--format json``,
``metrics.json`` under ``--out`` and the benchmark all use it);
:func:`render_evaluation` prints the metrics against their targets, then one
row per case with what was missed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..extract.evaluation import ExtractionEvaluation

#: What each metric measures, for the table and the docs.
METRIC_HELP: dict[str, str] = {
    "attack_recall": "attack cases with a matching stored incident",
    "attack_precision": "detected attacks / (detected + incidents in 'none' cases + actions stored as incidents)",
    "action_recall": "labelled actions found (kind, actor, date +-1 day, target)",
    "country": "primary incident in the labelled country",
    "date": "primary incident on the labelled day",
    "place": "primary incident's place (or its parent) among the labelled place words",
    "weapon": "weapon class of the primary incident",
    "us_killed": "Americans killed, exact",
    "us_wounded": "Americans wounded, exact",
    "false_us_killed": "cases with no American killed where one is reported killed (count)",
    "claims": "claims of responsibility found",
    "us_attribution": "US government attributions found",
    "sponsor": "sponsor-state allegations found",
    "denial_dissent": "denials and dissents found",
    "red_lines": "red-line statements found (matched by speaker)",
    "fragments": "stored incidents per detected real attack",
}


def _fmt(value: float | int | None, name: str) -> str:
    if value is None:
        return "-"
    if name in {"false_us_killed"}:
        return str(int(value))
    return f"{value:.2f}"


def evaluation_json(result: ExtractionEvaluation) -> dict[str, Any]:
    """The evaluation as plain JSON data: metrics, timing and one entry per case."""
    return {
        "corpus": result.corpus,
        "articles": result.articles,
        "seconds": round(result.seconds, 3),
        "extract_seconds": round(result.extract_seconds, 3),
        "articles_per_second": round(result.articles_per_second, 2),
        "metrics": result.metrics,
        "cases": [
            {
                "id": c.case_id,
                "kind": c.kind,
                "articles": c.articles,
                "incidents": c.incidents,
                "actions": c.actions,
                "redlines": c.redlines,
                "fragments": c.fragments,
                "primary": c.primary,
                "false_positives": c.false_positives,
                "fields": {k: {"hits": h, "total": t} for k, (h, t) in sorted(c.fields.items())},
                "missed": list(c.missed),
                "seconds": round(c.seconds, 3),
            }
            for c in result.cases
        ],
    }


def render_evaluation(result: ExtractionEvaluation, console: Any) -> None:
    """Print the metrics table and the per-case table."""
    from rich.table import Table

    table = Table(title=f"Extraction on {result.corpus}: {len(result.cases)} cases, {result.articles} articles, {result.seconds:.1f} s")
    for col in ("metric", "value", "hits / total", "target", "met", "what it counts"):
        table.add_column(col)
    for name, m in result.metrics.items():
        target = m["target"]
        met = m["met"]
        table.add_row(
            name,
            _fmt(m["value"], name),
            f"{m['hits']} / {m['total']}",
            "-" if target is None else (("<= " if name in {"fragments", "false_us_killed"} else ">= ") + _fmt(target, name)),
            "-" if met is None else ("yes" if met else "[red]no[/red]"),
            METRIC_HELP.get(name, ""),
        )
    console.print(table)
    cases = Table(title="Per case")
    for col in ("case", "kind", "docs", "incidents", "fragments", "missed"):
        cases.add_column(col, overflow="fold")
    for c in result.cases:
        cases.add_row(c.case_id, c.kind, str(c.articles), str(c.incidents), str(c.fragments), "; ".join(c.missed) or "-")
    console.print(cases)


def write_evaluation(result: ExtractionEvaluation, out: str | Path) -> Path:
    """Write ``metrics.json`` (the JSON shape) and ``cases.csv`` (one row per case) into ``out``."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(json.dumps(evaluation_json(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with (folder / "cases.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["case", "kind", "articles", "incidents", "actions", "redlines", "fragments", "false_positives", "missed"])
        for c in result.cases:
            writer.writerow([c.case_id, c.kind, c.articles, c.incidents, c.actions, c.redlines, c.fragments, c.false_positives, " | ".join(c.missed)])
    return folder
