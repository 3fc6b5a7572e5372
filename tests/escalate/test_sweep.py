"""Scenario sweeps on Dask give exactly the serial results; batch extraction; clean cluster handling."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tripwire.errors import ClusterError, InputError
from tripwire.escalate.attribution_error import BetaScores, ConfusionAttribution
from tripwire.escalate.generators import BranchingModel
from tripwire.escalate.policy import PolicyScenario, simulate_policy
from tripwire.escalate.spoilers import Spoiler
from tripwire.cluster import dask_client
from tripwire.escalate.sweep import ScenarioGrid, run_sweep
from tripwire.extract import extract_many


GRID = ScenarioGrid(
    spoiler_rates=(0.0, 0.05, 0.2),
    attributions=(ConfusionAttribution(0.9, 0.1), BetaScores()),
    base=PolicyScenario(thresholds=(0.5, 0.75, 0.9), days=45, lethality=0.15),
    spoiler=Spoiler("isis", 0.0, mimicry=0.7),
)
MODEL = BranchingModel(0.2, 0.4, 0.7)


@pytest.fixture(scope="module")
def serial():
    return run_sweep(MODEL, GRID, n_sims=2_000, seed=2020)


def test_grid_order_and_seed_streams(serial):
    assert [(r.spoiler_rate, r.attribution.split("(")[0]) for r in serial.rows] == [
        (0.0, "confusion"), (0.0, "beta"), (0.05, "confusion"), (0.05, "beta"), (0.2, "confusion"), (0.2, "beta")
    ]
    # each grid point's stream is the SeedSequence child of the same index
    rate, attribution, scenario = GRID.scenarios()[3]
    child = np.random.SeedSequence(2020).spawn(6)[3]
    assert simulate_policy(MODEL, scenario, n_sims=2_000, rng=child) == serial.rows[3].result
    assert serial.rows[0].result.scenario.spoilers == () and serial.rows[4].result.scenario.spoilers[0].rate == 0.2
    records = serial.records()
    assert len(records) == 6 * 3 and {"spoiler_rate", "attribution", "threshold", "p_trip"} <= set(records[0])


def test_more_spoilers_more_spoiler_trips(serial):
    by_rate = {r.spoiler_rate: r.result.point(0.5) for r in serial.rows if r.attribution.startswith("confusion")}
    assert by_rate[0.0].p_trip_spoiler == 0.0 < by_rate[0.05].p_trip_spoiler < by_rate[0.2].p_trip_spoiler


def test_local_dask_cluster_matches_serial_exactly(serial):
    on_dask = run_sweep(MODEL, GRID, n_sims=2_000, seed=2020, scheduler="local")
    assert on_dask == serial
    assert [r.result.points for r in on_dask.rows] == [r.result.points for r in serial.rows]


def test_caller_owned_client_is_left_open():
    import distributed

    with dask_client("local") as client:
        assert isinstance(client, distributed.Client)
        first = run_sweep(MODEL, GRID, n_sims=500, seed=1, scheduler=client)
        assert client.status == "running"
        second = run_sweep(MODEL, GRID, n_sims=500, seed=1, scheduler=client)
    assert first == second == run_sweep(MODEL, GRID, n_sims=500, seed=1)


@pytest.mark.parametrize(
    ("scheduler", "error"), [("", InputError), ("nonsense", InputError), (42, InputError), ("tcp://127.0.0.1:9", ClusterError)]
)
def test_bad_scheduler(scheduler, error):
    with pytest.raises(error):
        with dask_client(scheduler, timeout=1.0):
            pass


@pytest.mark.parametrize("kwargs", [dict(spoiler_rates=()), dict(attributions=()), dict(spoiler_rates=(-1.0,))])
def test_bad_grid(kwargs):
    with pytest.raises(InputError):
        ScenarioGrid(**kwargs)


def test_bad_seed():
    with pytest.raises(InputError):
        run_sweep(MODEL, GRID, seed=-1)


def _extract_available() -> bool:
    try:
        from tripwire.extract import extract  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _extract_available(), reason="tripwire.extract.extract not present yet")
def test_batch_extraction_serial_and_on_dask(examples_dir, kb):
    from tripwire.model import Document

    docs = [
        Document.from_text(p.read_text(encoding="utf-8"), location=str(p), published=dt.datetime(2020, 1, 1))
        for p in sorted((examples_dir / "articles").glob("*.md"))[:4]
    ]
    serial = extract_many(docs, kb, workers=1)
    assert [e.document_id for e in serial] == [d.id for d in docs]
    assert sum(len(e.incidents) + len(e.actions) for e in serial) >= 4
    assert extract_many(docs, kb, scheduler="local") == serial
