"""attribute_many: the same results here and on Dask, in order; a refused incident raised or listed, as asked."""

from __future__ import annotations

import dataclasses

import pytest

from tests.app.fakes import FakeAttributor
from tests.redlines.scenarios import green_zone, kirkuk
from tripwire.attribute import Attributor, attribute_many
from tripwire.attribute.batch import MIN_CHUNK, chunk_size
from tripwire.errors import AttributionError
from tripwire.knowledge import KnowledgeBase
from tripwire.model import Incident
from tripwire.settings import Settings

from .test_context import corpus


@pytest.fixture(scope="module")
def job():  # type: ignore[no-untyped-def]
    kb = KnowledgeBase.load()
    engine = Attributor(kb, settings=Settings({"interval_draws": 100}, environ={}))
    incidents, actions = corpus(3, n=60)
    return engine, incidents, engine.context_index(incidents, actions, undated_sees_dated=False)


def test_worker_processes_give_the_serial_results_exactly(job) -> None:  # type: ignore[no-untyped-def]
    engine, incidents, index = job
    serial = attribute_many(engine, incidents, index, rng=11)
    parallel = attribute_many(engine, incidents, index, rng=11, workers=2, min_parallel=1)
    assert list(parallel.results) == list(serial.results) and parallel.failures == ()
    assert [r.model_dump() for r in parallel.results.values()] == [r.model_dump() for r in serial.results.values()]
    few = attribute_many(engine, incidents[:3], index, rng=11, workers=2)  # under min_parallel: here, in one loop
    assert [r.model_dump() for r in few.results.values()] == [serial.results[i.id].model_dump() for i in incidents[:3]]


def test_dask_chunks_give_the_serial_results_exactly(job) -> None:  # type: ignore[no-untyped-def]
    engine, incidents, index = job
    serial = attribute_many(engine, incidents, index, rng=11)
    assert list(serial.results) == [i.id for i in incidents] and serial.failures == ()
    assert serial.results == {i.id: engine.attribute(i, context=index, rng=11) for i in incidents}
    on_dask = attribute_many(engine, incidents, index, rng=11, scheduler="local", size=7)  # nine tasks on two threads
    assert list(on_dask.results) == list(serial.results)
    assert [r.model_dump() for r in on_dask.results.values()] == [r.model_dump() for r in serial.results.values()]
    other_seed = attribute_many(engine, incidents[:5], index, rng=12)
    assert any(other_seed.results[k].model_dump() != serial.results[k].model_dump() for k in other_seed.results)  # the seed matters


def _three() -> list[Incident]:
    """Kirkuk, the Green Zone (which the fake engine refuses) and a second Kirkuk."""
    return [kirkuk(), green_zone(), kirkuk().model_copy(update={"id": "2019-12-28-kirkuk-again"})]


@pytest.mark.parametrize("scheduler", [None, "local"])
def test_a_refused_incident_is_listed_with_collect(scheduler) -> None:  # type: ignore[no-untyped-def]
    incidents = _three()
    engine = FakeAttributor()
    index = engine.context_index(incidents, [])
    done = attribute_many(engine, incidents, index, rng=1, scheduler=scheduler, collect=True, size=1)
    assert list(done.results) == [incidents[0].id, incidents[2].id]
    assert done.failures == ((incidents[1].id, "no attribution statements"),)


@pytest.mark.parametrize("scheduler", [None, "local"])
def test_a_refused_incident_raises_without_collect(scheduler) -> None:  # type: ignore[no-untyped-def]
    incidents = _three()
    engine = FakeAttributor()
    with pytest.raises(AttributionError, match="no attribution statements"):
        attribute_many(engine, incidents, engine.context_index(incidents, []), rng=1, scheduler=scheduler, size=1)


def test_chunk_size() -> None:
    assert chunk_size(10, 4) == MIN_CHUNK
    assert chunk_size(100_000, 8) == 3125  # four tasks per thread
    assert chunk_size(0, 0) == MIN_CHUNK


def test_a_shipped_object_is_unpickled_once_per_process_and_old_ones_dropped() -> None:
    from tripwire import cluster

    first = cluster.Shipped("k-first", cluster.pack({"kb": [1, 2, 3]})[0])
    value = first.value()
    assert value == {"kb": [1, 2, 3]} and first.value() is value  # cached: the second task on a worker does not unpickle again
    for k in range(cluster.KEEP_SHIPPED):
        cluster.Shipped(f"k-{k}", cluster.pack(k)[0]).value()
    assert "k-first" not in cluster._UNPICKLED and len(cluster._UNPICKLED) <= cluster.KEEP_SHIPPED
    assert first.value() == value and first.value() is not value  # unpickled afresh once dropped


def test_a_shipped_object_refers_to_one_shipped_before_instead_of_copying_it() -> None:
    import pickle

    import pytest

    from tripwire import cluster
    from tripwire.errors import ClusterError

    kb = {"places": [f"place {k}" for k in range(2000)]}
    context = {"kb": kb, "incidents": ["a", "b"], "again": kb}
    blob, used = cluster.pack(context, {id(kb): "k-kb"})
    assert used == ("k-kb",) and len(blob) < len(pickle.dumps(context)) / 10  # the knowledge base is a key, and the rest is compressed
    shipped_kb = cluster.Shipped("k-kb", cluster.pack(kb)[0])
    value = cluster.Shipped("k-context", blob, used).value([shipped_kb])
    assert value == context and value["kb"] is value["again"] is shipped_kb.value()  # one knowledge base on the worker, shared
    with pytest.raises(ClusterError, match="k-kb"):
        cluster.Shipped("k-context-alone", blob, used).value()


class Box:
    """Weakly referable, as the knowledge base and the job's context are."""

    def __init__(self, **items: object) -> None:
        self.__dict__.update(items)


def _read_shipped(shared, deps):  # type: ignore[no-untyped-def]
    value = shared.value(deps)
    return len(value.kb.names), value.kb is deps[0].value()


def test_shipping_again_on_one_client_sends_nothing_and_a_holder_refers_to_it() -> None:
    from tripwire import cluster

    kb = Box(names=[f"name {k}" for k in range(5000)])
    with cluster.dask_client("local") as client:
        first = cluster.ship(client, kb)
        sent, reused = cluster.SHIPPED.sent, cluster.SHIPPED.reused
        assert cluster.ship(client, kb) is first and cluster.SHIPPED.sent == sent and cluster.SHIPPED.reused == reused + 1
        future, deps = cluster.ship_with(client, Box(kb=kb, incidents=[1, 2, 3]))  # the holder itself dropped at once, as attribute_many's is
        assert cluster.SHIPPED.sent - sent < 1000  # the holder went without the knowledge base
        assert deps == [first]
        assert client.submit(_read_shipped, future, deps, pure=False).result() == (5000, True)


def test_the_context_refers_to_the_knowledge_base_shipped_before(job) -> None:  # type: ignore[no-untyped-def]
    """As in ``brief``: the extraction tasks got the knowledge base on this client; the attribution context goes without a copy."""
    from tripwire import cluster

    engine, incidents, index = job
    serial = attribute_many(engine, incidents, index, rng=5)
    with cluster.dask_client("local") as client:
        cluster.ship(client, index.kb)
        alone = len(cluster.pack(index.kb)[0])
        before = dataclasses.replace(cluster.SHIPPED)
        on_dask = attribute_many(engine, incidents, index, rng=5, scheduler=client, size=9)
    assert cluster.SHIPPED.objects == before.objects + 1 and cluster.SHIPPED.reused == before.reused + 1  # the context only
    assert cluster.SHIPPED.sent - before.sent < alone  # without the knowledge base: less than the knowledge base alone
    assert cluster.SHIPPED.returned > before.returned
    assert {k: r.model_dump() for k, r in on_dask.results.items()} == {k: r.model_dump() for k, r in serial.results.items()}


def _top(incident: Incident, result) -> tuple[str, str, float]:  # type: ignore[no-untyped-def]
    """A finish function: picklable (module level), as worker processes and Dask need."""
    best = result.posterior[0]
    return incident.id, best.hypothesis.key, best.probability


@pytest.mark.parametrize("where", [{}, {"workers": 2, "min_parallel": 1}, {"scheduler": "local", "size": 9}],
                         ids=["serial", "processes", "dask"])
def test_finish_runs_where_each_incident_was_attributed_and_comes_back_instead(job, where) -> None:  # type: ignore[no-untyped-def]
    engine, incidents, index = job
    serial = attribute_many(engine, incidents, index, rng=11)
    done = attribute_many(engine, incidents, index, rng=11, finish=_top, **where)
    assert done.results == {} and done.failures == ()
    assert list(done.finished) == list(serial.results)
    assert done.finished == {i.id: _top(i, serial.results[i.id]) for i in incidents}


def test_finish_leaves_a_refused_incident_among_the_failures() -> None:
    incidents = _three()
    engine = FakeAttributor()
    done = attribute_many(engine, incidents, engine.context_index(incidents, []), rng=1, collect=True, finish=_top)
    assert list(done.finished) == [incidents[0].id, incidents[2].id]
    assert done.failures == ((incidents[1].id, "no attribution statements"),)


def test_an_engine_remembers_the_marginal_of_what_it_compiled_as_a_fresh_compile_gives_it(job) -> None:  # type: ignore[no-untyped-def]
    """Pattern evidence weighs an earlier incident by its context-free marginal; compiling it in context must leave the same one."""
    import pickle

    from tripwire.attribute.hypotheses import perpetrator_marginal

    _engine, incidents, index = job
    engine = Attributor(KnowledgeBase.load(), settings=Settings({"interval_draws": 100}, environ={}))
    for incident in incidents[:12]:
        engine.compile(incident, context=index)
        fresh = engine.compile(incident.model_copy())  # another object: not the remembered one
        assert engine._marginal(incident) == perpetrator_marginal(fresh.space, fresh.posterior())
    assert pickle.loads(pickle.dumps(engine))._known == {}  # object identities mean nothing in another process
