"""DuckDB analytics on 100k synthetic events, checked against plain numpy counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tripwire.errors import EstimationError, ParseError
from tripwire.interop import EventFrame, events_table, export_events
from tripwire.interop.analytics import EVENT_SCHEMA
from tripwire.model import Action, Incident

N = 100_000
START = dt.date(2019, 1, 1)
DAYS = 3 * 365
PERPS = np.array(["kataib-hezbollah", "isis", "asaib-ahl-al-haq", "unknown"])
COUNTRIES = np.array(["IQ", "SY", "IR"])


@pytest.fixture(scope="module")
def synthetic() -> dict[str, np.ndarray]:
    """100k events: uniform days over three years, skewed perpetrators, Poisson deaths, 10% actions."""
    rng = np.random.default_rng(20200103)
    return {
        "day": rng.integers(0, DAYS, N),
        "perp": rng.choice(len(PERPS), N, p=[0.4, 0.3, 0.2, 0.1]),
        "country": rng.choice(len(COUNTRIES), N, p=[0.7, 0.2, 0.1]),
        "killed": rng.poisson(1.5, N),
        "action": rng.random(N) < 0.1,
    }


@pytest.fixture(scope="module")
def table(synthetic: dict[str, np.ndarray]) -> pa.Table:
    s = synthetic
    dates = np.datetime64(START.isoformat()) + s["day"].astype("timedelta64[D]")
    return pa.table(
        {
            "id": pa.array([f"e{i}" for i in range(N)]),
            "event": pa.array(np.where(s["action"], "action", "incident")),
            "date": pa.array(dates, pa.date32()),
            "country": pa.array(COUNTRIES[s["country"]]),
            "perpetrator": pa.array(PERPS[s["perp"]]),
            "killed": pa.array(s["killed"], pa.int64()),
        },
        schema=EVENT_SCHEMA,
    )


@pytest.fixture(scope="module")
def frame(table: pa.Table):  # type: ignore[no-untyped-def]
    with EventFrame.from_arrow(table) as f:
        yield f


def test_counts(frame: EventFrame, synthetic: dict[str, np.ndarray]) -> None:
    assert frame.count() == N and frame.count("action") == int(synthetic["action"].sum())


def test_fatalities_by_perpetrator_match_numpy(frame: EventFrame, synthetic: dict[str, np.ndarray]) -> None:
    s = synthetic
    inc = ~s["action"]
    got = {r["perpetrator"]: (r["incidents"], r["killed"]) for r in frame.fatalities_by_perpetrator().to_pylist()}
    want = {p: (int((inc & (s["perp"] == k)).sum()), int(s["killed"][inc & (s["perp"] == k)].sum())) for k, p in enumerate(PERPS)}
    assert got == want
    killed = frame.fatalities_by_perpetrator().column("killed").to_pylist()
    assert killed == sorted(killed, reverse=True)


@pytest.mark.parametrize("by", ["perpetrator", "country", None])
def test_monthly_counts_match_numpy(frame: EventFrame, synthetic: dict[str, np.ndarray], by: str | None) -> None:
    s = synthetic
    inc = ~s["action"]
    dates = np.datetime64(START.isoformat()) + s["day"].astype("timedelta64[D]")
    months = dates.astype("datetime64[M]")
    labels = {"perpetrator": PERPS[s["perp"]], "country": COUNTRIES[s["country"]], None: np.full(N, "all")}[by]
    rows = frame.monthly_counts(by).to_pylist()
    assert len(rows) == len(set(zip(months[inc].tolist(), labels[inc].tolist())))
    for row in rows[:: max(1, len(rows) // 25)]:  # a spread sample of cells, checked exactly
        month = np.datetime64(row["month"].isoformat()[:7])
        mask = inc & (months == month) & (labels == row["key"])
        assert (row["events"], row["killed"]) == (int(mask.sum()), int(s["killed"][mask].sum()))


def test_rolling_30_day_rate_matches_a_convolution(frame: EventFrame, synthetic: dict[str, np.ndarray]) -> None:
    s = synthetic
    mask = ~s["action"] & (s["perp"] == 1)
    daily = np.bincount(s["day"][mask], minlength=DAYS)
    window = np.convolve(daily, np.ones(30, dtype=int))[:DAYS]
    rows = [r for r in frame.rolling_rate(30, by="perpetrator").to_pylist() if r["key"] == "isis"]
    first = min(s["day"][~s["action"]])
    got = np.array([r["window_events"] for r in rows])
    assert len(rows) == DAYS - first and rows[0]["day"] == START + dt.timedelta(days=int(first))
    np.testing.assert_array_equal(got, window[first:])
    assert rows[100]["rate_per_day"] == pytest.approx(window[first + 100] / 30)


def test_rolling_rate_fills_quiet_days_with_zero() -> None:
    incidents = [Incident(id=f"i{d}", date=dt.date(2020, 1, d)) for d in (1, 1, 5)]
    with EventFrame.from_events(incidents) as f:
        rows = f.rolling_rate(3).to_pylist()
    assert [r["events"] for r in rows] == [2, 0, 0, 0, 1]
    assert [r["window_events"] for r in rows] == [2, 2, 2, 0, 1]


def test_rolling_rate_rejects_bad_windows(frame: EventFrame) -> None:
    with pytest.raises(EstimationError):
        frame.rolling_rate(0)


def test_frame_over_exported_parquet_and_csv(tmp_path: Path, k1_incident: Incident) -> None:
    action = Action(id="a1", kind="airstrike", actor="usa", date=dt.date(2019, 12, 29))
    pq_files = export_events(tmp_path / "e.parquet", format="parquet", incidents=[k1_incident], actions=[action])
    csv_files = export_events(tmp_path / "e.csv", format="csv", incidents=[k1_incident], actions=[action])
    for f in (EventFrame.from_parquet(pq_files[0]), EventFrame.from_csv(csv_files[0])):
        with f:
            assert f.fatalities_by_perpetrator().to_pylist() == [{"perpetrator": "kataib-hezbollah", "incidents": 1, "killed": 1}]
    both = events_table([k1_incident], [action])
    assert both.column("event").to_pylist() == ["incident", "action"] and both.column("perpetrator").to_pylist()[1] == "usa"


def test_frame_needs_the_event_columns(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"id": ["x"], "when": [1]}), path)
    with pytest.raises(ParseError, match="lacks column"):
        EventFrame.from_parquet(path)
    with pytest.raises(ParseError, match="no such file"):
        EventFrame.from_csv(tmp_path / "missing.csv")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ParseError, match="cannot be read"):
        EventFrame.from_parquet(tmp_path / "junk.parquet")
