"""Crash-safe ingest: SIGKILL ``tripwire ingest`` mid-run, then check nothing is lost, torn or duplicated.

The real console script ingests 400 generated articles into a store (a SQLite
file, or a PostgreSQL database when a server can be started) in batches of 25
documents per transaction (the ``store_batch_size`` setting); the test polls
the committed document count through its own read-only connection and kills
the child (SIGKILL, no chance to clean up) at a chosen point. The store must
then pass its integrity check (``PRAGMA integrity_check``, or ``amcheck`` on
PostgreSQL); it must hold whole batches only, every stored document whole (its
text hashes to its id), present once and committed with every place it was
seen; and a second ``ingest`` must finish the job: exactly 400 documents,
every location recorded once.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tripwire.ingest import ingest
from tripwire.settings import Settings
from tripwire.store import Store

from .corpus import Article, write_corpus
from .harness import DocumentCounter, audit, start_ingest

N = 400
BATCH = 25
POLL_S = 0.004
STARTUP_LIMIT_S = 45.0


def kill_when(proc: subprocess.Popen[bytes], url: str, ready: int) -> int:
    """SIGKILL ``proc`` once ``ready`` documents are committed (``ready=0``: once it migrates the new store); the count seen."""
    deadline = time.monotonic() + STARTUP_LIMIT_S
    counter = DocumentCounter(url)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"ingest ended (status {proc.returncode}) before it could be killed at {ready} documents: {err.decode()[-400:]}")
        seen = counter.count() if ready else int(counter.migrating())
        if (seen >= ready and ready) or (not ready and seen):
            proc.send_signal(signal.SIGKILL)
            counter.close()
            proc.communicate(timeout=30)
            assert proc.returncode == -signal.SIGKILL
            return seen if ready else 0
        time.sleep(POLL_S)
    proc.kill()
    proc.communicate()
    counter.close()
    pytest.fail(f"ingest did not reach {ready} documents within {STARTUP_LIMIT_S:.0f} s")


def check_partial(url: str, articles: list[Article], folder: Path, seen: int) -> int:
    """The state right after the kill: sound store, whole documents, each known, nothing doubled. Returns the count."""
    by_id = {a.doc_id: a for a in articles}
    state = audit(url)
    assert state.integrity == "ok"
    assert seen <= len(state.texts) < N, f"killed too late or lost documents: saw {seen}, {len(state.texts)} stored"
    assert len(state.texts) % BATCH == 0, f"{len(state.texts)} documents stored: a batch was committed in part"
    for doc_id, text in state.texts.items():
        assert doc_id in by_id, "a stored document matches no article written"
        item = by_id[doc_id]
        assert text == item.body
        places = state.locations_of(doc_id)
        assert str((folder / item.name).resolve()) in places, "a document was committed without the place it came from"
        assert item.url in places, "a document was committed without its front-matter URL (same transaction)"
    assert max(state.locations.values(), default=1) == 1
    return len(state.texts)


@pytest.mark.slow
@pytest.mark.parametrize("ready", [0, 150, 340], ids=["during-migration", "early", "late"])
def test_sigkill_mid_ingest_loses_and_duplicates_nothing(tmp_path: Path, store_url: str, ready: int) -> None:
    folder = tmp_path / "articles"
    articles = write_corpus(folder, N, seed=1000 + ready)
    if ready:
        Store(store_url).close()  # schema first, so the poller counts from the first commit
    proc = start_ingest(store_url, folder, batch_size=BATCH)
    seen = kill_when(proc, store_url, ready)

    stored = check_partial(store_url, articles, folder, seen) if ready else len(audit(store_url).texts)

    with Store(store_url) as store:  # reopening migrates whatever the kill left
        assert store.count_documents() == stored
        report = ingest(store, [folder], settings=Settings(environ={}))
        assert report.failed == ()
        assert len(report.added) == N - stored
        assert len(report.added) + len(report.duplicates) == N
        assert store.count_documents() == N

    final = audit(store_url)
    assert final.integrity == "ok"
    assert set(final.texts) == {a.doc_id for a in articles}
    expected = {(a.doc_id, str((folder / a.name).resolve())) for a in articles} | {(a.doc_id, a.url) for a in articles}
    assert set(final.locations) == expected
    assert set(final.locations.values()) == {1}, "a location was recorded twice"
