"""Crash-safe ``tripwire brief``: SIGKILL it while it ingests, merges or checks, run it again, and compare with a clean run.

The real console script briefs 120 generated articles into a store (a SQLite
file, or a PostgreSQL database when a server can be started), writing
documents and extractions 10 per transaction. On one store it
runs once, clean. On another it is killed (SIGKILL to its process group, no clean-up) once a chosen
number of documents, incidents or evaluations are committed, and then run
again. The second store must end up holding what the clean one holds: the same
documents and places, the same live incidents made of the same documents,
nothing superseded that the clean run kept live, the same current red-line
status for every (rule, incident), and the same alerts in the outbox, each
(rule, incident, status change) once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from .corpus import write_corpus
from .harness import Reader, audit, cli_argv, cli_env, rows

N = 120
#: documents and extractions are written this many per transaction (the store_batch_size setting), so a kill can land between batches
BATCH = 10
STARTUP_LIMIT_S = 90.0
KILL_POINTS = {
    "ingesting": ("SELECT count(*) FROM documents", 60),
    "extracting": ("SELECT count(*) FROM extractions", 50),  # merged events are then saved in one transaction: all or none
    "checking": ("SELECT count(*) FROM evaluations", 120),
}
LATEST = (
    "SELECT e.rule_id, e.incident_id, e.status FROM evaluations e "
    "WHERE e.id = (SELECT max(l.id) FROM evaluations l WHERE l.rule_id = e.rule_id AND l.incident_id = e.incident_id)"
)


def start_brief(url: str, folder: Path, out: Path) -> subprocess.Popen[bytes]:
    argv = cli_argv("brief", str(folder), "--db", url, "--out", str(out), "--format", "json")
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env() | {"TRIPWIRE_STORE_BATCH_SIZE": str(BATCH)}, start_new_session=True)


def finish(proc: subprocess.Popen[bytes]) -> None:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()[-800:]


def kill_after(proc: subprocess.Popen[bytes], url: str, sql: str, ready: int) -> int:
    """SIGKILL ``proc`` once ``sql`` counts ``ready`` committed rows; the count seen then."""
    reader = Reader(url)
    deadline = time.monotonic() + STARTUP_LIMIT_S
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"brief ended (status {proc.returncode}) before the kill point: {proc.communicate()[1].decode()[-400:]}")
            seen = reader.number(sql)
            if seen >= ready:
                os.killpg(proc.pid, signal.SIGKILL)  # the main process and any extraction workers at once
                proc.communicate(timeout=30)
                assert proc.returncode == -signal.SIGKILL
                return seen
            time.sleep(0.003)
    finally:
        reader.close()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    pytest.fail(f"brief did not reach {ready} rows within {STARTUP_LIMIT_S:.0f} s")


def outcome(url: str) -> dict[str, object]:
    """What a brief leaves in a store, independent of row ids and times."""
    state = audit(url)
    assert state.integrity == "ok"
    assert set(state.locations.values()) == {1}, "a location was recorded twice"
    live = rows(url, "SELECT i.id, d.document_id FROM incidents i JOIN incident_documents d ON d.incident_id = i.id WHERE i.superseded_by IS NULL")
    return {
        "documents": set(state.texts),
        "locations": set(state.locations),
        "live incidents": {(i, d) for i, d in live},
        "current status": Counter(rows(url, LATEST)),
        "alerts": Counter(rows(url, "SELECT rule_id, incident_id, previous_status, status FROM alerts")),
    }


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", sorted(KILL_POINTS))
def test_a_killed_and_rerun_brief_leaves_what_a_clean_run_leaves(tmp_path: Path, new_db: Callable[[str], str], kill_at: str) -> None:
    folder = tmp_path / "articles"
    write_corpus(folder, N, seed=77)
    clean_db, killed_db = new_db("clean"), new_db("killed")
    finish(start_brief(clean_db, folder, tmp_path / "clean-report"))
    clean = outcome(clean_db)
    assert len(clean["documents"]) == N and clean["live incidents"] and clean["alerts"], "the clean run found nothing to compare"  # type: ignore[arg-type]

    sql, ready = KILL_POINTS[kill_at]
    total = rows(clean_db, sql)[0][0]
    seen = kill_after(start_brief(killed_db, folder, tmp_path / "killed-report"), killed_db, sql, ready)
    assert rows(killed_db, sql)[0][0] < total, f"killed too late: {seen} of {total} rows were already committed"
    finish(start_brief(killed_db, folder, tmp_path / "killed-report"))

    killed = outcome(killed_db)
    for what in clean:
        assert killed[what] == clean[what], f"{what} differ after a kill at {kill_at} and a re-run"
    assert max(killed["alerts"].values()) == 1, "an alert was recorded twice"  # type: ignore[attr-defined]
