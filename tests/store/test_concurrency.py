"""Two processes writing to one store at once (a SQLite file, a PostgreSQL database): every document stored exactly once, none lost."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from tripwire.model import Document
from tripwire.store import Store


def _texts(worker: int) -> list[str]:
    shared = [f"Shared wire report {i}: militia rockets hit a logistics base." for i in range(25)]
    own = [f"Worker {worker} exclusive report {i} on a protest outside an embassy." for i in range(25)]
    return [t for pair in zip(shared, own) for t in pair]


def _writer(url: str, worker: int, ready: "mp.synchronize.Barrier", results: "mp.Queue[tuple[int, int]]") -> None:  # type: ignore[name-defined]
    added = 0
    with Store(url) as store:
        ready.wait(timeout=60)
        for text in _texts(worker):
            added += store.add_document(Document.from_text(text, location=f"worker-{worker}"))
    results.put((worker, added))


@pytest.mark.slow
def test_two_processes_write_the_same_store(db_url: str) -> None:
    url = db_url
    ctx = mp.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, w, barrier, queue)) for w in (1, 2)]
    for p in procs:
        p.start()
    added = [queue.get(timeout=120)[1] for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    expected = {Document.from_text(t, location="x").id for w in (1, 2) for t in _texts(w)}
    assert len(expected) == 75
    assert sum(added) == 75  # each shared report counted as new by exactly one writer
    with Store(url) as store:
        assert store.count_documents() == 75
        assert {d.id for d in store.list_documents(limit=200)} == expected
        shared = Document.from_text(_texts(1)[0], location="x").id
        assert sorted(store.document_locations(shared)) == ["worker-1", "worker-2"]
