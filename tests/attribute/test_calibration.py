"""Calibration harness: proper scores against hand computation, reliability bins, cases file, outputs."""

from __future__ import annotations

import datetime as dt
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from tripwire.attribute.calibration import (
    ReliabilityBin,
    ResolvedCase,
    ResolvedOutcome,
    calibration_html,
    evaluate,
    evaluate_file,
    expected_calibration_error,
    load_cases,
    parse_cases,
    perpetrator_group,
    red_line_truth,
    reliability_bins,
    render_calibration,
    write_reliability_png,
)
from tripwire.errors import AttributionError, ParseError
from tripwire.model import AttributionResult, Hypothesis, Incident, PosteriorEntry

CASES_FILE = Path(str(resources.files("tripwire") / "examples" / "cases" / "resolved-cases.json"))

KH_SUP = Hypothesis(perpetrator="kataib-hezbollah", sponsor="iran", relation="supported")
KH_ORD = Hypothesis(perpetrator="kataib-hezbollah", sponsor="iran", relation="ordered")
ISIS = Hypothesis(perpetrator="isis")
IRGC = Hypothesis(perpetrator="irgc", sponsor="iran", relation="executed")
SPACE = (KH_SUP, KH_ORD, ISIS, IRGC)


def _case(cid: str, perpetrator: str, sponsor: str | None = None, relation: str | None = None, certainty: str = "high") -> ResolvedCase:
    return ResolvedCase(
        id=cid,
        incident=Incident(id=cid),
        outcome=ResolvedOutcome(perpetrator=perpetrator, sponsor=sponsor, relation=relation, resolution_source="test", resolved_on=dt.date(2020, 1, 1), certainty=certainty),  # type: ignore[arg-type]
    )


class TableAttributor:
    """A fake engine: a fixed posterior and prior per incident id."""

    def __init__(self, table: dict[str, tuple[tuple[float, ...], tuple[float, ...]]]) -> None:
        self.table = table
        self.calls: list[str] = []

    def attribute(self, incident: Incident) -> AttributionResult:
        self.calls.append(incident.id)
        if incident.id not in self.table:
            raise AttributionError(f"no answer for {incident.id}")
        post, prior = self.table[incident.id]
        return AttributionResult(
            incident_id=incident.id,
            posterior=tuple(PosteriorEntry(hypothesis=h, prior=q, probability=p) for h, p, q in zip(SPACE, post, prior)),
        )


UNIFORM = (0.25, 0.25, 0.25, 0.25)


def test_scores_match_hand_computation(kb) -> None:
    cases = [_case("a", "kataib-hezbollah", "iran", "ordered"), _case("b", "isis", relation="independent")]
    fake = TableAttributor({"a": ((0.2, 0.6, 0.1, 0.1), UNIFORM), "b": ((0.1, 0.1, 0.7, 0.1), UNIFORM)})
    report = evaluate(cases, fake, kb=kb)
    # groups (coarse): KH -> iran-aligned-militia, irgc -> iran
    # a: militia 0.8, isis 0.1, iran 0.1 -> Brier 0.04+0.01+0.01; b: militia 0.2, isis 0.7, iran 0.1 -> 0.04+0.09+0.01
    assert report.perpetrator["engine"].brier == pytest.approx(((0.06) + (0.14)) / 2)
    assert report.perpetrator["engine"].log_score == pytest.approx((-math.log(0.8) - math.log(0.7)) / 2)
    # baseline: militia 0.5, isis 0.25, iran 0.25 for both
    assert report.perpetrator["baseline"].brier == pytest.approx(((0.25 + 0.0625 + 0.0625) + (0.25 + 0.5625 + 0.0625)) / 2)
    assert report.perpetrator["baseline"].log_score == pytest.approx((-math.log(0.5) - math.log(0.25)) / 2)
    # red line: a is ordered by Iran (y=1, p = 0.6 + irgc 0.1), b is not (y=0, p = 0.1 + 0.1)
    assert report.red_line["engine"].brier == pytest.approx(((0.7 - 1) ** 2 + 0.2**2) / 2)
    assert report.red_line["engine"].log_score == pytest.approx((-math.log(0.7) - math.log(0.8)) / 2)
    assert report.red_line["baseline"].brier == pytest.approx(((0.5 - 1) ** 2 + 0.5**2) / 2)
    assert report.skill() == pytest.approx(1 - report.perpetrator["engine"].brier / report.perpetrator["baseline"].brier)
    assert report.skill() > 0 and report.skill("red_line") > 0
    assert [c.case_id for c in report.cases] == ["a", "b"]
    assert report.cases[0].top_group == "iran-aligned-militia"


def test_perfect_forecaster_scores_zero_and_confident_miss_is_bounded(kb) -> None:
    cases = [_case("a", "isis", relation="independent"), _case("b", "irgc", "iran", "executed")]
    perfect = TableAttributor({"a": ((0, 0, 1, 0), UNIFORM), "b": ((0, 0, 0, 1), UNIFORM)})
    report = evaluate(cases, perfect, kb=kb)
    assert report.perpetrator["engine"].brier == pytest.approx(0, abs=1e-12)
    assert report.perpetrator["engine"].log_score == pytest.approx(0, abs=1e-5)
    assert report.perpetrator["engine"].ece == pytest.approx(0, abs=1e-12)
    wrong = TableAttributor({"a": ((0, 0, 0, 1), UNIFORM), "b": ((0, 0, 1, 0), UNIFORM)})
    bad = evaluate(cases, wrong, kb=kb)
    assert bad.perpetrator["engine"].brier == pytest.approx(2.0)
    assert bad.perpetrator["engine"].log_score == pytest.approx(-math.log(1e-6))
    assert bad.skill() < 0


def test_truth_outside_the_hypothesis_space_gets_probability_zero(kb) -> None:
    report = evaluate([_case("a", "israel", relation="independent")], TableAttributor({"a": (UNIFORM, UNIFORM)}), kb=kb)
    assert report.cases[0].p_true == 0.0
    # classes: militia 0.5, isis 0.25, iran 0.25, israel 0 (true)
    assert report.perpetrator["engine"].brier == pytest.approx(0.25 + 0.0625 + 0.0625 + 1)


def test_failures_and_low_certainty_cases_are_listed_not_dropped(kb) -> None:
    cases = [_case("a", "isis"), _case("b", "isis", certainty="low"), _case("c", "isis")]
    fake = TableAttributor({"a": ((0, 0, 1, 0), UNIFORM)})
    report = evaluate(cases, fake, kb=kb, min_certainty="medium")
    assert [c.case_id for c in report.cases] == ["a"]
    assert dict(report.skipped).keys() == {"b", "c"}
    assert "below medium" in dict(report.skipped)["b"] and "no answer" in dict(report.skipped)["c"]
    assert fake.calls == ["a", "c"]


def test_plain_callables_work_as_attributors(kb) -> None:
    fake = TableAttributor({"a": ((0, 0, 1, 0), UNIFORM)})
    report = evaluate([_case("a", "isis")], fake.attribute, kb=kb)
    assert report.perpetrator["engine"].n == 1


@pytest.mark.parametrize(
    ("perpetrator", "sponsor", "relation", "expected"),
    [
        ("irgc", "iran", "executed", True),
        ("iran", None, None, True),
        ("kataib-hezbollah", "iran", "ordered", True),
        ("kataib-hezbollah", "iran", "supported", False),
        ("kataib-hezbollah", "iran", None, None),
        ("isis", None, "independent", False),
    ],
)
def test_red_line_truth(kb, perpetrator: str, sponsor: str | None, relation: str | None, expected: bool | None) -> None:
    outcome = ResolvedOutcome(perpetrator=perpetrator, sponsor=sponsor, relation=relation, resolution_source="t", resolved_on=dt.date(2020, 1, 1))
    assert red_line_truth(outcome, kb) is expected


@pytest.mark.parametrize(
    ("actor", "coarse", "fine"),
    [
        ("irgc", "iran", "iran"),
        ("saraya-awliya-al-dam", "iran-aligned-militia", "kataib-hezbollah"),
        ("asaib-ahl-al-haq", "iran-aligned-militia", "asaib-ahl-al-haq"),
        ("isis", "isis", "isis"),
        ("not-in-kb", "not-in-kb", "not-in-kb"),
    ],
)
def test_perpetrator_groups(kb, actor: str, coarse: str, fine: str) -> None:
    assert perpetrator_group(actor, kb) == coarse
    assert perpetrator_group(actor, kb, grouping="actor") == fine


def test_reliability_bins_and_ece_on_a_calibrated_simulation() -> None:
    rng = np.random.default_rng(20240128)
    p = rng.uniform(0, 1, 20_000)
    y = (rng.uniform(0, 1, p.size) < p).astype(float)
    bins = reliability_bins(list(zip(p, y)), 10)
    assert sum(b.count for b in bins) == p.size
    for b in bins:  # each bin's observed frequency within 0.04 of its mean prediction (n ~ 2000 per bin)
        assert b.observed == pytest.approx(b.mean_predicted, abs=0.04)
    assert expected_calibration_error(bins) < 0.02
    # an overconfident forecaster (probabilities pushed toward 0/1) is measurably miscalibrated
    sharp = np.clip((p - 0.5) * 2 + 0.5, 0, 1)
    assert expected_calibration_error(reliability_bins(list(zip(sharp, y)), 10)) > 0.1


def test_reliability_bin_edges() -> None:
    bins = reliability_bins([(0.0, 0), (0.1, 1), (0.999, 1), (1.0, 1)], 10)
    assert [b.count for b in bins] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert bins[2] == ReliabilityBin(0.2, 0.3, 0, None, None)
    assert math.isnan(expected_calibration_error(reliability_bins([], 5)))


# -- cases file --------------------------------------------------------------------


def test_bundled_cases_file_is_valid_and_uses_known_ids(kb) -> None:
    cases = load_cases(CASES_FILE)
    assert len(cases) >= 15
    assert len({c.id for c in cases}) == len(cases)
    for case in cases:
        assert case.outcome.perpetrator in kb.actors, case.id
        assert case.outcome.relation is None or case.outcome.relation in kb.relations, case.id
        assert case.incident.date is not None and case.incident.date <= case.outcome.resolved_on, case.id
        assert dt.date(2019, 1, 1) <= case.incident.date <= dt.date(2024, 12, 31), case.id
        assert case.incident.attributions, case.id
        for st in case.incident.attributions:
            assert st.actor in kb.actors, (case.id, st.actor)
            assert st.asserted_by.speaker_id is None or st.asserted_by.speaker_id in kb.speakers, (case.id, st.asserted_by.speaker_id)
    # the red-line event is decidable (True or False) for a good share of cases, and both ways
    truths = [red_line_truth(c.outcome, kb) for c in cases]
    assert truths.count(True) >= 3 and truths.count(False) >= 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"a": 1}', "JSON list"),
        ("[1]", "not an object"),
        ('[{"incident": {"id": "x"}}]', "outcome"),
        ('[{"incident": {"id": "x"}, "outcome": {"perpetrator": "isis", "resolution_source": "s", "resolved_on": "2020-13-40"}}]', "resolved_on"),
        ('[{"incident": {"id": "x"}, "outcome": {"perpetrator": "isis", "resolution_source": "s", "resolved_on": "2020-01-01", "certainty": "sure"}}]', "certainty"),
    ],
)
def test_bad_cases_files_are_parse_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "cases.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ParseError, match=message):
        load_cases(path)


def test_duplicate_case_ids_are_refused() -> None:
    item = {"incident": {"id": "x"}, "outcome": {"perpetrator": "isis", "resolution_source": "s", "resolved_on": "2020-01-01"}}
    with pytest.raises(ParseError, match="twice"):
        parse_cases([item, item])


# -- outputs -------------------------------------------------------------------------


def _report(kb):
    cases = [_case("a<b>", "kataib-hezbollah", "iran", "ordered"), _case("b", "isis", relation="independent")]
    fake = TableAttributor({"a<b>": ((0.2, 0.6, 0.1, 0.1), UNIFORM), "b": ((0.1, 0.1, 0.7, 0.1), UNIFORM)})
    return evaluate(cases, fake, kb=kb)


def test_png_is_written(kb, tmp_path: Path) -> None:
    path = write_reliability_png(_report(kb), tmp_path / "r.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_html_is_self_contained_and_escaped(kb) -> None:
    page = calibration_html(_report(kb), b"\x89PNGfake")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>")
    assert "data:image/png;base64," in page
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "a&lt;b&gt;" in page and "a<b>" not in page
    assert "prior only" in page


def test_rich_table_lists_engine_and_baseline(kb) -> None:
    from rich.console import Console

    console = Console(record=True, width=160)
    console.print(render_calibration(_report(kb)))
    text = console.export_text()
    assert text.count("prior only") == 2 and text.count("engine") >= 2


def test_real_engine_on_bundled_cases_beats_the_prior(kb, tmp_path: Path) -> None:
    report = evaluate_file(CASES_FILE, out_dir=tmp_path, kb=kb)
    assert len(report.cases) + len(report.skipped) >= 15
    assert not report.skipped
    assert report.perpetrator["engine"].brier < report.perpetrator["baseline"].brier
    assert report.perpetrator["engine"].log_score < report.perpetrator["baseline"].log_score
    assert report.red_line["engine"].brier < report.red_line["baseline"].brier
    assert {Path(p).name for p in report.outputs} == {"reliability.png", "calibration.html"}
    assert json.dumps(report.perpetrator["engine"].__dict__)
