"""The rich red-line board."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console

from tripwire.model import Evaluation, RedLineStatus
from tripwire.redlines import check, load_rules
from tripwire.report import board_rows, render_board

from tests.redlines.scenarios import NOW, green_zone, hypothetical_killing, kirkuk, militia_result


def _render(table) -> str:
    buf = io.StringIO()
    Console(file=buf, width=260, color_system=None).print(table)
    return buf.getvalue()


def evaluations(kb) -> tuple[list[Evaluation], dict]:
    incidents = [kirkuk(), green_zone(), hypothetical_killing()]
    results = {
        kirkuk().id: militia_result(kirkuk().id, ordered=0.3, supported=0.3, independent=0.05, isis=0.25, unknown=0.1, with_intervals=True),
        green_zone().id: militia_result(green_zone().id, ordered=0.5, supported=0.3, independent=0.05, isis=0.1, unknown=0.05),
        hypothetical_killing().id: militia_result(hypothetical_killing().id, ordered=0.8, supported=0.1, independent=0.02, isis=0.05, unknown=0.03),
    }
    return check(load_rules(kb=kb), incidents, results, now=NOW), {i.id: i for i in incidents}


def test_board_rows_order_and_latest(kb):
    evs, incidents = evaluations(kb)
    older = evs[0].model_copy(update={"evaluated_at": NOW - dt.timedelta(days=3), "status": RedLineStatus.TRIPPED, "probability": 0.99, "words": "almost certain"})
    rows = board_rows([older, *evs], incidents)
    assert len(rows) == len(evs)  # the older record of the same pair is superseded
    seed = [r for r in rows if r.rule_id == "us-american-killed-iran-instructed"]
    assert [r.status for r in seed] == [RedLineStatus.TRIPPED, RedLineStatus.WATCH, RedLineStatus.CLEAR]
    assert seed[0].words == "likely" and seed[0].confidence == "low" and seed[0].judgement == "likely (low confidence)"  # 0.76, no document behind it
    assert seed[1].p_text == "0.28 [0.19, 0.38]" and seed[1].incident == "2019-12-27-k1-air-base-rocket-attack (2019-12-27, K-1 Air Base)"


def test_render_board_shows_status_p_words_threshold_evidence(kb):
    evs, incidents = evaluations(kb)
    table = render_board(evs, incidents, wide=True)
    assert table.row_count == len(evs)
    text = _render(table)
    assert "TRIPPED" in text and "WATCH" in text and "CLEAR" in text
    assert "0.28 [0.19, 0.38]" in text and "0.76" in text  # Kirkuk watch, hypothetical tripped (0.95 x 0.8)
    assert "preponderance (>= 0.50)" in text and "reasonable-suspicion (>= 0.30)" in text
    assert "No proof of IRGC tasking presented" in text
    assert "unlikely (low confidence)" in text  # Kirkuk: the casualty figure rests on one document's report
    assert "no chance (low confidence)" in text  # Green Zone: no American killed (exact 0, outside the ICD 203 scale)
    # status cells carry the colour
    styles = {cell.plain.strip(): str(cell.style) for cell in table.columns[2]._cells}
    assert styles["TRIPPED"] == "bold white on red" and styles["CLEAR"] == "green"


def test_empty_board_says_what_to_do():
    table = render_board([], {})
    assert table.row_count == 0 and "tripwire check" in str(table.caption)
