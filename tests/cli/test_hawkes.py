"""``tripwire hawkes fit|forecast`` on small CSV files, plus the CSV reader."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.errors import InputError, ParseError
from tripwire.escalate.hawkes import HawkesExp, read_events_csv

NAMES = ["militia->US", "US->militia"]


def _write_csv(path: Path, events: list[np.ndarray], names: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["day", "dyad", "note"])
        rows = sorted((float(t), n) for e, n in zip(events, names, strict=True) for t in e)
        for t, n in rows:
            w.writerow([repr(t), n, "x"])
    return path


@pytest.fixture(scope="module")
def events_csv(tmp_path_factory) -> Path:
    truth = HawkesExp(1.0, baseline=[0.3, 0.2], adjacency=np.array([[0.3, 0.2], [0.3, 0.2]]))
    events = truth.simulate(1500.0, np.random.default_rng(77))
    return _write_csv(tmp_path_factory.mktemp("hawkes") / "events.csv", events, NAMES)


def test_fit_json(events_csv):
    res = CliRunner().invoke(app, ["hawkes", "fit", str(events_csv), "--dims", "dyad", "--time", "day", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out["dimensions"]) == set(NAMES)
    assert out["spectral_radius"] < 1
    for name in NAMES:
        d = out["dimensions"][name]
        assert d["baseline"] > 0 and d["baseline_se"] > 0
        assert 0 <= out["goodness_of_fit"][name]["p_value"] <= 1
    pair = next(e for e in out["adjacency"] if e["source"] == "militia->US" and e["target"] == "US->militia")
    assert pair["value"] == pytest.approx(0.3, abs=0.15)


def test_fit_table_and_sumexp(events_csv):
    res = CliRunner().invoke(app, ["hawkes", "fit", str(events_csv), "--dims", "dyad", "--time", "day", "--kernel", "sumexp", "--decay", "0.5,5"])
    assert res.exit_code == 0, res.output
    assert "HawkesSumExp" in res.stdout and "KS p-value" in res.stdout and "militia->US" in res.stdout


def test_forecast_json_is_reproducible(events_csv):
    args = ["hawkes", "forecast", str(events_csv), "--dims", "dyad", "--time", "day", "--window", "30", "--seed", "5", "--n-sims", "300"]
    a = CliRunner().invoke(app, [*args, "--format", "json"])
    b = CliRunner().invoke(app, [*args, "--format", "json"])
    assert a.exit_code == 0, a.output
    assert a.stdout == b.stdout
    out = json.loads(a.stdout)
    assert out["window"] == 30 and out["n_sims"] == 300
    for name in NAMES:
        d = out["dimensions"][name]
        assert d["mean_count"] == pytest.approx(d["expected_count"], rel=0.15)
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0 and "P(any)" in table.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--dims", "actor"], 2, "no column 'actor'"),
        (["--kernel", "gauss"], 2, "unknown kernel"),
        (["--decay", "-1"], 2, "positive"),
        (["--decay", "1,2"], 2, "one decay"),
        (["--format", "xml"], 2, "'xml' is not one of 'table', 'json'"),
        (["--method", "magic"], 1, "unknown fitting method"),
        (["--end", "3"], 2, "before the last event"),
    ],
)
def test_fit_bad_options_give_clean_errors(events_csv, args, code, message):
    res = CliRunner().invoke(app, ["hawkes", "fit", str(events_csv), "--dims", "dyad", "--time", "day", *args])
    assert res.exit_code == code
    assert message in res.stderr and "Traceback" not in res.output


def test_missing_and_malformed_files(tmp_path):
    res = CliRunner().invoke(app, ["hawkes", "fit", str(tmp_path / "nope.csv")])
    assert res.exit_code == 2 and "does not exist" in res.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("time,dim\nyesterday,a\n", encoding="utf-8")
    with pytest.raises(ParseError, match="neither a number"):
        read_events_csv(bad, dims="dim", time="time")
    bad.write_text("time,dim\n1.0,\n", encoding="utf-8")
    with pytest.raises(ParseError, match="empty 'dim'"):
        read_events_csv(bad, dims="dim", time="time")
    bad.write_text("time,dim\n-1.0,a\n", encoding="utf-8")
    with pytest.raises(ParseError, match="negative"):
        read_events_csv(bad, dims="dim", time="time")
    bad.write_text("time,dim\n", encoding="utf-8")
    with pytest.raises(ParseError, match="no event rows"):
        read_events_csv(bad, dims="dim", time="time")
    bad.write_text("time,dim\n0,a\n", encoding="utf-8")
    with pytest.raises(InputError, match="end after time 0"):
        read_events_csv(bad, dims="dim", time="time")


def test_iso_dates_become_days_since_first_midnight(tmp_path):
    p = tmp_path / "dates.csv"
    p.write_text("when,who\n2019-12-27T12:00:00,militia->US\n2019-12-29,US->militia\n2020-01-03,militia->US\n", encoding="utf-8")
    table = read_events_csv(p, dims="who", time="when")
    assert table.origin == "2019-12-27"
    assert table.dim_names == ("US->militia", "militia->US")
    assert table.events[1].tolist() == [0.5, 7.0]
    assert table.events[0].tolist() == [2.0]
    assert table.end_time == 7.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(min_value=0.0, max_value=1e5, allow_nan=False), st.sampled_from(["a->b", "b->a", "ISIS->any"])),
        min_size=1,
        max_size=30,
    )
)
def test_csv_round_trip(rows):
    if max(t for t, _ in rows) == 0.0:
        rows = [*rows, (1.0, rows[0][1])]
    names = sorted({n for _, n in rows})
    events = [np.sort([t for t, n in rows if n == name]) for name in names]
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_csv(Path(tmp) / "ev.csv", events, names)
        table = read_events_csv(path, dims="dyad", time="day")
    assert table.dim_names == tuple(names)
    for got, want in zip(table.events, events, strict=True):
        np.testing.assert_array_equal(got, want)
    assert table.end_time == max(t for t, _ in rows)
