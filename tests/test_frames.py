"""tripwire.frames: DataFrames of incidents, claims, casualties, posteriors, evaluations and history, from objects and from a store."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tripwire import frames
from tripwire.icd203 import icd203_phrase
from tripwire.interop.tabular import CASUALTY_COLUMNS, CLAIM_COLUMNS, EVALUATION_COLUMNS, INCIDENT_COLUMNS, POSTERIOR_COLUMNS
from tripwire.model import Casualty, CasualtyReport, Confidence, RedLineStatus, Source
from tripwire.app.jobs import BriefResult
from tripwire.store import Store

from .store.factories import action, attribution, evaluation, incident

T0 = dt.datetime(2020, 1, 1, 12, tzinfo=dt.timezone.utc)
HOUR = dt.timedelta(hours=1)


def _k1():  # type: ignore[no-untyped-def]
    report = CasualtyReport(document_id="d" * 64, source=Source(outlet="Example Wire"), casualties=(Casualty(status="killed", count=1, nationality="US"),))
    return incident().model_copy(update={"casualty_reports": (report,)})


def test_incidents_frame_is_flat_and_typed() -> None:
    k1 = _k1()
    df = frames.incidents([k1, attribution(k1.id, 0.7)])
    assert tuple(df.columns) == INCIDENT_COLUMNS and len(df) == 1
    row = df.iloc[0]
    assert row["id"] == k1.id and row["place_name"] == "K-1 Air Base" and (row["lat"], row["lon"]) == (35.5, 44.3)
    assert row["date"] == pd.Timestamp("2019-12-27") and df["date"].dtype.kind == "M"
    assert (row["killed"], row["us_killed"], row["injured"], row["us_injured"]) == (1, 1, 6, 4)
    assert df["us_killed"].dtype == "int64"
    assert row["perpetrator"] == "kataib-hezbollah" and row["perpetrator_probability"] == pytest.approx(0.7)
    assert pd.isna(row["redline_status"])  # never checked


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([("a", RedLineStatus.CLEAR)], "clear"),
        ([("a", RedLineStatus.TRIPPED), ("a", RedLineStatus.CLEAR)], "clear"),  # the latest evaluation of a rule counts
        ([("a", RedLineStatus.CLEAR), ("b", RedLineStatus.WATCH)], "watch"),  # the most severe over the rules
        ([("a", RedLineStatus.WATCH), ("b", RedLineStatus.TRIPPED), ("a", RedLineStatus.CLEAR)], "tripped"),
    ],
)
def test_redline_status_is_the_most_severe_latest_status(history: list[tuple[str, RedLineStatus]], expected: str) -> None:
    k1 = _k1()
    evs = [evaluation(rule, k1.id, status, 0.5, T0 + n * HOUR) for n, (rule, status) in enumerate(history)]
    assert frames.incidents([k1, *evs]).iloc[0]["redline_status"] == expected
    assert len(frames.history(evs)) == len(history)
    assert len(frames.evaluations(evs)) == len({rule for rule, _ in history})


def test_posteriors_frame_has_one_ranked_row_per_hypothesis_with_interval_words_and_confidence() -> None:
    result = attribution("x", 0.3)
    entries = tuple(e.model_copy(update={"confidence": Confidence.MODERATE}) for e in result.posterior)
    result = result.model_copy(update={"posterior": entries})
    df = frames.posteriors(result)
    assert tuple(df.columns) == POSTERIOR_COLUMNS
    assert list(df["rank"]) == [1, 2] and list(df["perpetrator"]) == ["isis", "kataib-hezbollah"]  # most probable first
    assert list(df["words"]) == [icd203_phrase(0.7), icd203_phrase(0.3)]
    assert set(df["confidence"]) == {"moderate"}
    kh = df[df["perpetrator"] == "kataib-hezbollah"].iloc[0]
    assert (kh["sponsor"], kh["relation"], kh["lower"], kh["upper"]) == ("iran", "directed", pytest.approx(0.24), pytest.approx(0.33))
    assert pd.isna(df.iloc[0]["lower"])  # no interval on that entry


def test_casualties_and_claims_frames() -> None:
    k1 = _k1()
    cas = frames.casualties(k1)
    assert tuple(cas.columns) == CASUALTY_COLUMNS
    merged, reports = cas[cas["document_id"].isna()], cas[cas["document_id"].notna()]
    assert merged["count"].sum() == 7 and list(reports["outlet"]) == ["Example Wire"]
    claims = frames.claims(k1)
    assert tuple(claims.columns) == CLAIM_COLUMNS and list(claims["kind"]) == ["alleged", "denied"]
    assert frames.actions(action()).iloc[0]["actor"] == "usa"


def test_a_store_and_a_brief_give_the_same_frames(tmp_path: Path) -> None:
    k1, other = _k1(), incident("2020-01-05-k1-rocket-attack", day=dt.date(2020, 1, 5))
    results = {k1.id: attribution(k1.id, 0.8), other.id: attribution(other.id, 0.4)}
    evs = [evaluation("r", k1.id, RedLineStatus.WATCH, 0.5, T0), evaluation("r", k1.id, RedLineStatus.TRIPPED, 0.9, T0 + HOUR)]
    with Store(f"sqlite:///{tmp_path / 'f.db'}") as store:
        for inc in (k1, other):
            store.save_incident(inc)
            store.save_attribution(results[inc.id])
        for ev in evs:
            store.record_evaluation(ev)
        from_store = (frames.incidents(store), frames.posteriors(store), frames.evaluations(store), frames.history(store, rule_id="r"))
    brief = BriefResult(ingested=None, incidents=(k1, other), actions=(), redlines=(), results=results, evaluations=tuple(evs), report_path=None)  # type: ignore[arg-type]
    from_brief = (frames.incidents(brief), frames.posteriors(brief), frames.evaluations(brief), frames.history(brief))
    pd.testing.assert_frame_equal(from_store[0], from_brief[0])
    pd.testing.assert_frame_equal(from_store[1], from_brief[1])
    assert from_store[0]["redline_status"].iloc[0] == "tripped" and pd.isna(from_store[0]["redline_status"].iloc[1])
    assert tuple(from_store[2].columns) == EVALUATION_COLUMNS and list(from_store[2]["status"]) == ["tripped"]
    assert list(from_store[3]["previous_status"].fillna("-")) == ["-", "watch"] and list(from_store[3]["status"]) == ["watch", "tripped"]
    assert list(from_brief[2]["status"]) == ["tripped"] and from_store[3]["evaluated_at"].dt.tz is not None
    assert list(frames.posteriors(brief, incident_id=other.id)["incident_id"].unique()) == [other.id]


def test_repr_html_of_results() -> None:
    k1 = _k1()
    result = attribution(k1.id, 0.6)
    html = result._repr_html_()
    assert html.startswith("<table") and f"<caption>Attribution of {k1.id} (bayes)</caption>" in html and "kataib-hezbollah" in html
    ev = evaluation("rule-<x>", k1.id, RedLineStatus.WATCH, 0.5, T0)
    assert "Red line rule-&lt;x&gt;" in ev._repr_html_()
    brief = BriefResult(ingested=None, incidents=(k1,), actions=(), redlines=(), results={k1.id: result}, evaluations=(ev,), report_path=None)  # type: ignore[arg-type]
    html = brief._repr_html_()
    assert "1 incidents, 0 actions, 1 evaluations" in html and "watch" in html and "0.600" in html


def test_pandas_is_not_imported_when_tripwire_or_its_cli_starts() -> None:
    code = "import sys, tripwire, tripwire.cli, tripwire.interop, tripwire.app.jobs; sys.exit('pandas' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
