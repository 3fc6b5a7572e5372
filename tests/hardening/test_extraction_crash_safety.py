"""Crash-safe extraction saving: SIGKILL ``tripwire brief`` while it saves extractions in batches, then re-run.

The store already holds 400 generated articles, one in ten of them with a
declared red line. The real console script runs
``brief`` on them with ``store_batch_size`` 25: worker processes extract and
the main process saves each batch of 25 extractions in one transaction as the
workers return them. The test polls the committed extraction count through
its own read-only connection and kills the whole process group (SIGKILL: the
main process and its workers, no chance to clean up) once some batches are
in. The store (a SQLite file, or a PostgreSQL database when a server can be
started) must then pass its integrity check and hold whole batches only, each extraction with exactly its red-line statements; extracting again
must leave one extraction per article and no statement twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tripwire.ingest import ingest
from tripwire.app.context import open_context
from tripwire.app.jobs import extract_documents
from tripwire.settings import Settings
from tripwire.store import Store

from .corpus import write_corpus
from .harness import Reader, audit, cli_argv, cli_env, rows

N = 400
BATCH = 25
READY = 100
POLL_S = 0.004
STARTUP_LIMIT_S = 90.0


def _write_articles(folder: Path, n: int) -> None:
    """``n`` generated articles in ``folder``, every tenth with a declared red line added (a sentence written for this test)."""
    articles = write_corpus(folder, n, seed=4242)
    for serial, item in enumerate(articles[::10]):
        line = f"\n\nThe Secretary of State said that if any American is harmed at the site again, the United States will respond decisively (note {serial}).\n"
        (folder / item.name).write_bytes(item.data.rstrip(b"\n") + line.encode("utf-8"))


def _counts(url: str) -> tuple[str, dict[str, int], dict[str, int]]:
    """Integrity, and per stored extraction the red lines its payload holds and the statement rows stored for it."""
    integrity = audit(url).integrity
    payloads = rows(url, "SELECT document_id, payload FROM extractions")  # JSON text on SQLite, a dict from JSONB on PostgreSQL
    expected = {doc: len((payload if isinstance(payload, dict) else json.loads(payload))["redlines"]) for doc, payload in payloads}
    stored = {doc: int(n) for doc, n in rows(url, "SELECT document_id, count(*) FROM redline_statements GROUP BY document_id")}
    return integrity, expected, stored


def _kill_when_saved(proc: subprocess.Popen[bytes], url: str, ready: int) -> int:
    conn = Reader(url)
    deadline = time.monotonic() + STARTUP_LIMIT_S
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                _out, err = proc.communicate()
                pytest.fail(f"brief ended (status {proc.returncode}) before {ready} extractions were saved: {err.decode()[-600:]}")
            seen = conn.number("SELECT count(*) FROM extractions")
            if seen >= ready:
                os.killpg(proc.pid, signal.SIGKILL)  # the main process and its extraction workers at once
                proc.communicate(timeout=30)
                assert proc.returncode == -signal.SIGKILL
                return seen
            time.sleep(POLL_S)
    finally:
        conn.close()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    pytest.fail(f"brief did not save {ready} extractions within {STARTUP_LIMIT_S:.0f} s")


@pytest.mark.slow
def test_sigkill_while_saving_extractions_keeps_whole_batches_and_a_rerun_duplicates_nothing(tmp_path: Path, store_url: str) -> None:
    folder = tmp_path / "articles"
    _write_articles(folder, N)
    settings = Settings({"database_url": store_url, "store_batch_size": BATCH}, environ={})
    with Store.from_settings(settings) as store:
        ids = set(ingest(store, [folder], settings=settings).added)
    assert len(ids) == N

    env = cli_env() | {"TRIPWIRE_STORE_BATCH_SIZE": str(BATCH)}
    argv = cli_argv("brief", str(folder), "--db", store_url, "--out", str(tmp_path / "report"), "--format", "json")
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    seen = _kill_when_saved(proc, store_url, READY)

    integrity, expected, stored = _counts(store_url)
    assert integrity == "ok"
    assert seen <= len(expected) < N, f"killed too late or lost extractions: saw {seen}, {len(expected)} stored"
    assert len(expected) % BATCH == 0, f"{len(expected)} extractions stored: a batch was committed in part"
    assert {d: n for d, n in expected.items() if n} == stored, "an extraction was committed without its red-line statements"
    assert set(expected) <= ids

    with open_context(settings.replace(store_batch_size=BATCH)) as ctx:
        store = ctx.store
        extractions = extract_documents(ctx)
        assert len(extractions) == N
        assert {e.document_id for e in extractions} == ids
        assert sum(len(e.redlines) for e in extractions) == N // 10
        assert all(store.get_extraction(e.document_id) == e for e in extractions[:: N // 20])

    integrity, expected, stored = _counts(store_url)
    assert integrity == "ok" and len(expected) == N and sum(stored.values()) == N // 10
    assert {d: n for d, n in expected.items() if n} == stored, "a red-line statement was stored twice or lost"
