"""Crash-safe dataset import: SIGKILL ``tripwire import`` mid-file, then check whole batches, no duplicates, and a clean re-run.

The real console script imports a generated ACLED file (current 31-column
layout, every row a distinct event) into a store (a SQLite file, or a
PostgreSQL database when a server can be started) in batches of 200 rows.
The test polls the committed event count through its own read-only
connection and kills the child (SIGKILL, no chance to clean up) once some
batches are in. The store must then pass its integrity check; it must
hold whole batches only (as many documents as events, each event with its
document and its claims, a multiple of the batch size); and a second import
must complete the file with every event, document, claim and location
stored exactly once.
"""

from __future__ import annotations

import csv
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tripwire.interop import acled, import_file
from tripwire.store import Store

from .harness import Reader, audit, cli_argv, cli_env

from tripwire.knowledge import KnowledgeBase  # noqa: E402

KB = KnowledgeBase.load()

N = 3000
BATCH = 200
POLL_S = 0.004
STARTUP_LIMIT_S = 60.0
COUNTRIES = (("Benin", "204"), ("Nigeria", "566"), ("Iraq", "368"), ("Somalia", "706"))


def write_acled(path: Path, n: int) -> None:
    """``n`` distinct ACLED rows in the current layout, alternating incidents and actions, some with R-style NA."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(acled.COLUMNS)
        for i in range(n):
            country, iso = COUNTRIES[i % len(COUNTRIES)]
            kind, sub, actor = (("Battles", "Armed clash", f"Military Forces of {country} (2016-)") if i % 2 else
                                ("Protests", "Peaceful protest", f"Protesters ({country})"))  # fmt: skip
            day = 1 + i % 28
            row = {c: "NA" for c in acled.COLUMNS}
            row.update(event_id_cnty=f"XTS{i:06d}", event_date=f"{day} March 2021", year="2021", time_precision="1", event_type=kind,
                       sub_event_type=sub, actor1=actor, actor2="Unidentified Armed Group (" + country + ")", iso=iso, country=country,
                       location=f"Town {i % 50}", latitude=f"{5 + (i % 300) / 10:.4f}", longitude=f"{2 + (i % 400) / 10:.4f}",
                       notes=f"Report {i}: an event written for the crash test.", fatalities=str(i % 4), timestamp=str(1_600_000_000 + i))
            writer.writerow([row[c] for c in acled.COLUMNS])


EVENTS = "SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM actions)"


def start_import(url: str, path: Path) -> subprocess.Popen[bytes]:
    argv = cli_argv("import", str(path), "--db", url, "--batch-size", str(BATCH))
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env())


def kill_after(proc: subprocess.Popen[bytes], url: str, ready: int) -> int:
    """SIGKILL ``proc`` once ``ready`` events are committed; the count seen then."""
    conn = Reader(url)
    deadline = time.monotonic() + STARTUP_LIMIT_S
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                _out, err = proc.communicate()
                pytest.fail(f"import ended (status {proc.returncode}) before it could be killed at {ready} events: {err.decode()[-400:]}")
            seen = conn.number(EVENTS)
            if seen >= ready:
                proc.send_signal(signal.SIGKILL)
                proc.communicate(timeout=30)
                assert proc.returncode == -signal.SIGKILL
                return seen
            time.sleep(POLL_S)
    finally:
        conn.close()
    proc.kill()
    proc.communicate()
    pytest.fail(f"import did not reach {ready} events within {STARTUP_LIMIT_S:.0f} s")


def shape(url: str) -> dict[str, int]:
    """Counts of what the store holds, and the links that must be whole."""
    conn = Reader(url)
    try:
        q = {
            "events": EVENTS,
            "incidents": "SELECT count(*) FROM incidents",
            "claims": "SELECT count(*) FROM claims",
            "unlinked": "SELECT count(*) FROM incidents WHERE id NOT IN (SELECT incident_id FROM incident_documents)",
            "orphan_links": "SELECT count(*) FROM incident_documents WHERE document_id NOT IN (SELECT id FROM documents)",
            "double_claims": "SELECT count(*) FROM (SELECT incident_id, position FROM claims GROUP BY 1, 2 HAVING count(*) > 1) AS doubled",
        }
        return {k: conn.number(sql) for k, sql in q.items()}
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.parametrize("ready", [BATCH, 7 * BATCH], ids=["first-batches", "later-batches"])
def test_sigkill_mid_import_keeps_whole_batches_and_a_rerun_duplicates_nothing(tmp_path: Path, store_url: str, ready: int) -> None:
    path = tmp_path / "acled.csv"
    write_acled(path, N)
    Store(store_url).close()  # schema first, so the poller counts from the first commit
    seen = kill_after(start_import(store_url, path), store_url, ready)

    state, counts = audit(store_url), shape(store_url)
    assert state.integrity == "ok"
    assert seen <= counts["events"] < N, f"killed too late: saw {seen}, {counts['events']} stored"
    assert counts["events"] % BATCH == 0, f"{counts['events']} events stored: a batch was torn"
    assert len(state.texts) == counts["events"], "documents and events of a batch were not committed together"
    assert counts["claims"] == counts["incidents"] and counts["unlinked"] == counts["orphan_links"] == 0
    assert max(state.locations.values(), default=1) == 1

    with Store(store_url) as store:
        report = import_file(store, path, kb=KB)
        assert len(report.added) == N - counts["events"] and len(report.duplicates) == counts["events"]
        assert report.bad_rows == ()

    final, after = audit(store_url), shape(store_url)
    assert final.integrity == "ok" and len(final.texts) == N and after["events"] == N
    assert after["claims"] == after["incidents"] == N // 2 and after["double_claims"] == after["unlinked"] == 0
    assert len(final.locations) == N and set(final.locations.values()) == {1}, "a location was recorded twice"
