"""Three ``tripwire ingest`` processes writing overlapping folders into one new store at once, on SQLite and on PostgreSQL.

They start together on a store without a schema (a SQLite file that does not
exist yet, or an empty PostgreSQL database), so they also race to create it. Afterwards every distinct article must be stored exactly
once, added by exactly one process, with every place it was seen recorded
exactly once, and the store must pass its integrity check.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .corpus import write_corpus
from .harness import audit, start_ingest


@pytest.mark.slow
def test_three_processes_ingesting_overlapping_folders_store_each_document_once(tmp_path: Path, store_url: str) -> None:
    shared = write_corpus(tmp_path / "shared", 40, seed=7, start=0)
    only_a = write_corpus(tmp_path / "a", 40, seed=8, start=100)
    only_b = write_corpus(tmp_path / "b", 40, seed=9, start=200)
    # byte-identical copies of shared articles under another name: same document, one more location
    copies = tmp_path / "a" / "mirror"
    copies.mkdir()
    for item in shared[:10]:
        shutil.copyfile(tmp_path / "shared" / item.name, copies / f"copy-{item.name}")
    runs = [
        start_ingest(store_url, tmp_path / "shared", tmp_path / "a"),
        start_ingest(store_url, tmp_path / "b", tmp_path / "shared"),
        start_ingest(store_url, tmp_path / "a", tmp_path / "b"),
    ]
    finished = [(proc, *proc.communicate(timeout=120)) for proc in runs]  # every pipe closed before any assertion
    reports = []
    for proc, out, err in finished:
        assert proc.returncode == 0, err.decode()[-2000:]
        reports.append(json.loads(out))

    everything = shared + only_a + only_b
    ids = {a.doc_id for a in everything}
    assert all(r["failed"] == 0 for r in reports)
    added = [doc_id for r in reports for doc_id in r["added_ids"]]
    assert sorted(added) == sorted(ids), "every document is added by exactly one process"
    assert [r["added"] + r["duplicates"] for r in reports] == [90, 80, 90]

    state = audit(store_url)
    assert state.integrity == "ok"
    assert set(state.texts) == ids
    expected = {(a.doc_id, a.url) for a in everything}
    for folder, items in (("shared", shared), ("a", only_a), ("b", only_b)):
        expected |= {(a.doc_id, str((tmp_path / folder / a.name).resolve())) for a in items}
    expected |= {(a.doc_id, str((copies / f"copy-{a.name}").resolve())) for a in shared[:10]}
    assert set(state.locations) == expected
    assert set(state.locations.values()) == {1}, "a location was recorded twice"
