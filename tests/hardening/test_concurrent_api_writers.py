"""Two API servers and a ``tripwire ingest`` process writing one store at once, on SQLite and on PostgreSQL.

Two apps, each with a store of its own on the same URL (two servers on one
database), are served by uvicorn on loopback ports; two threads post articles
to each while the real console script ingests a folder that overlaps the
posted ones. Afterwards no request may have failed (no 5xx), every article must
be stored exactly once, added by exactly one writer, with every place it was
seen recorded once; every posted article must be reported by a live incident
(no merge lost one) and no superseded incident may be listed.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tripwire.settings import Settings
from tripwire.store import Store
from tripwire.web.app import create_app

from .corpus import Article, write_corpus
from .harness import audit, start_ingest

TOKEN = "hardening-writers-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(url: str) -> Iterator[str]:
    """One API server (its own app and store on ``url``) on a loopback port; yields its base URL."""
    import uvicorn

    settings = Settings({"database_url": url, "api_token": TOKEN, "allowed_hosts": "127.0.0.1"}, environ={})
    store = Store(url)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(settings, store=store), host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=15)
        store.close()


def post_all(base: str, articles: list[Article], statuses: list[int], added: list[str]) -> None:
    """POST each article to ``base``; collects the status codes and the ids the server says it added."""
    with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        for item in articles:
            response = client.post("/api/v1/documents", json={"text": item.body, "url": item.url, "title": item.name})
            statuses.append(response.status_code)
            if response.status_code == 201 and response.json()["added"]:
                added.append(response.json()["id"])


@pytest.mark.slow
def test_two_servers_and_an_ingest_process_store_each_document_once(tmp_path: Path, store_url: str) -> None:
    posted = write_corpus(tmp_path / "posted", 24, seed=31, start=0)
    ingested = write_corpus(tmp_path / "ingested", 24, seed=32, start=100)
    for item in posted[:8]:  # the ingest process also reads a third of what the servers are sent
        (tmp_path / "ingested" / item.name).write_bytes(item.data)
    Store(store_url).close()  # one schema first: the servers open their stores before they serve
    statuses: list[int] = []
    added: list[str] = []
    with serve(store_url) as one, serve(store_url) as two:
        proc = start_ingest(store_url, tmp_path / "ingested")
        # each server gets half the posted articles from two threads; the halves overlap by four articles
        halves = {one: posted[:14], two: posted[10:]}
        threads = [threading.Thread(target=post_all, args=(base, part[k::2], statuses, added)) for base, part in halves.items() for k in (0, 1)]
        for t in threads:
            t.start()
        out, err = proc.communicate(timeout=300)
        for t in threads:
            t.join(timeout=300)
    assert proc.returncode == 0, err.decode()[-2000:]
    report = json.loads(out)

    assert len(statuses) == 28 and set(statuses) == {201}, f"requests failed: {sorted(statuses)}"
    everything = {a.doc_id for a in posted + ingested}
    writers = added + report["added_ids"]
    assert sorted(writers) == sorted(everything), "every document is added by exactly one writer"

    state = audit(store_url)
    assert state.integrity == "ok"
    assert set(state.texts) == everything
    assert set(state.locations.values()) == {1}, "a location was recorded twice"
    expected = {(a.doc_id, a.url) for a in posted + ingested} | {(a.doc_id, str((tmp_path / "ingested" / a.name).resolve())) for a in ingested + posted[:8]}
    assert set(state.locations) == expected

    with Store(store_url) as store:
        live = store.list_incidents(limit=500)
        assert all(store.superseded_by(i.id) is None for i in live), "a superseded incident is listed"
        reported = {d for i in live for d in i.documents}
        extracted = {a.doc_id for a in posted if store.get_extraction(a.doc_id).incidents}
        assert extracted, "the posted articles describe no attack: the test checks nothing"
        assert extracted <= reported, f"{len(extracted - reported)} posted articles are in no live incident: a concurrent merge lost them"
