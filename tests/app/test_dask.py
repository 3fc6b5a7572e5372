"""``brief`` and ``check`` on a Dask cluster of two workers against PostgreSQL give what the serial path gives, bit for bit.

The corpus is the bundled examples plus articles from the scale benchmark's
generator (``bench/brief_scale.py``, text written for this project), so the
store holds a few dozen incidents and both workers get extraction and
attribution tasks. The cluster is a ``LocalCluster`` of two worker processes
(one thread each), so everything a task needs goes through pickling as it
would to another machine.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import uuid
from pathlib import Path

import pytest

from tripwire.app import jobs
from tripwire.app.context import open_context
from tripwire.knowledge import KnowledgeBase
from tripwire.settings import Settings

NOW = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc)
BENCH = Path(__file__).resolve().parents[2] / "bench" / "brief_scale.py"

pytestmark = pytest.mark.postgres


def _bench_corpus(n: int) -> list[str]:
    spec = importlib.util.spec_from_file_location("brief_scale", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.corpus(n, KnowledgeBase.load(), seed=7)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("articles")
    for k, text in enumerate(_bench_corpus(60)):
        (folder / f"g{k:03d}.md").write_text(text, encoding="utf-8")
    return [*jobs.example_sources(), folder]


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as c, distributed.Client(c) as client:
        yield c, client


def _database(pg_server) -> str:  # type: ignore[no-untyped-def]
    name = "d_" + uuid.uuid4().hex[:16]
    pg_server.admin(f"CREATE DATABASE {name}")
    return pg_server.url(name)


@pytest.fixture(scope="module")
def runs(pg_server, sources, cluster, tmp_path_factory):  # type: ignore[no-untyped-def]
    """(serial brief, Dask brief, serial check, Dask check, tasks per worker), each brief on its own fresh PostgreSQL database."""
    from distributed import get_task_stream

    c, client = cluster
    out = []
    stream = None
    for scheduler in ("", c.scheduler_address):
        tmp = tmp_path_factory.mktemp("brief")
        settings = Settings({"database_url": _database(pg_server), "report_dir": str(tmp / "report"), "progress": False,
                             "dask_scheduler": scheduler}, environ={})
        with get_task_stream(client) as ts:
            result = jobs.run_brief(settings, sources=sources, now=NOW)
            with open_context(settings) as ctx:
                checked = jobs.check(ctx, now=NOW + dt.timedelta(hours=1), on_failure=None)
        if scheduler:
            stream = ts.data
        out.append((result, checked, settings.database_url))
    workers: dict[str, set[str]] = {}
    for task in stream or []:
        workers.setdefault(task["key"].split("-")[0], set()).add(task["worker"])
    return out, workers


def test_the_tasks_ran_on_both_workers(runs, cluster) -> None:  # type: ignore[no-untyped-def]
    _, workers = runs
    _c, client = cluster
    assert len(client.nthreads()) == 2
    assert len(workers.get("_extract_with", set())) == 2, workers
    assert len(workers.get("_attribute_shipped", set())) == 2, workers


def test_brief_on_dask_equals_serial(runs) -> None:  # type: ignore[no-untyped-def]
    ((serial, _, _), (on_dask, _, _)), _ = runs
    assert len(serial.incidents) >= 20
    assert [i.model_dump() for i in on_dask.incidents] == [i.model_dump() for i in serial.incidents]
    assert [a.model_dump() for a in on_dask.actions] == [a.model_dump() for a in serial.actions]
    assert list(on_dask.results) == list(serial.results)
    for iid, result in serial.results.items():
        assert on_dask.results[iid].model_dump() == result.model_dump(), iid  # posteriors, intervals, evidence: exactly equal floats
    assert [e.model_dump() for e in on_dask.evaluations] == [e.model_dump() for e in serial.evaluations]
    assert {e.status.value for e in serial.evaluations} >= {"clear", "tripped"}


def test_check_on_dask_equals_serial(runs) -> None:  # type: ignore[no-untyped-def]
    ((_, serial, _), (_, on_dask, _)), _ = runs
    assert on_dask.unattributed == serial.unattributed
    assert {k: v.model_dump() for k, v in on_dask.results.items()} == {k: v.model_dump() for k, v in serial.results.items()}
    assert [e.model_dump() for e in on_dask.evaluations] == [e.model_dump() for e in serial.evaluations]
    assert all(e.previous_status is not None for e in on_dask.evaluations)  # the second evaluation of each, read from the store


def test_context_opens_the_cluster_once_and_closes_it(cluster) -> None:  # type: ignore[no-untyped-def]
    c, _client = cluster
    settings = Settings({"database_url": "sqlite://", "dask_scheduler": c.scheduler_address}, environ={})
    with open_context(settings) as ctx:
        first = ctx.scheduler()
        assert first is ctx.scheduler() and first.status == "running"
    assert first.status == "closed"
    with open_context(Settings({"database_url": "sqlite://"}, environ={})) as ctx:
        assert ctx.scheduler() is None


def test_the_check_command_reads_the_setting_from_the_environment(runs, cluster) -> None:  # type: ignore[no-untyped-def]
    """``TRIPWIRE_DASK_SCHEDULER=ADDRESS tripwire check`` prints what the serial command prints."""
    import json

    from typer.testing import CliRunner

    from tripwire.cli import app

    ((_, _, url), _), _ = runs
    c, client = cluster
    printed = []
    for scheduler in ("", c.scheduler_address):
        with __import__("distributed").get_task_stream(client) as ts:
            done = CliRunner().invoke(app, ["check", "--db", url, "--no-record", "-f", "json"],
                                      env={"TRIPWIRE_DASK_SCHEDULER": scheduler}, catch_exceptions=False)
        assert done.exit_code == 0, done.output
        assert bool(ts.data) is bool(scheduler)  # tasks ran on the cluster only when the setting named it
        printed.append([{k: v for k, v in e.items() if k != "evaluated_at"} for e in json.loads(done.output)["evaluations"]])  # the one field that is the clock
    assert printed[0] == printed[1] and len(printed[0]) >= 20
