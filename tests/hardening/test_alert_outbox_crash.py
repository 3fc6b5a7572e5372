"""No lost alerts: SIGKILL ``tripwire check`` while it records or delivers, re-run it, and count what was sent.

A store (a SQLite file, or a PostgreSQL database when a server can be started) holds 300 incidents whose stored attributions trip two red
lines each (600 alerts). A clean ``check --alerts-jsonl`` on one copy is the
reference. On a second copy the real console script is killed (SIGKILL, no
clean-up) once a chosen number of evaluations are committed, or once a chosen
number of alerts have reached the JSONL file, and then run again. The receiver
view must be the same: the same number of distinct idempotency keys, for the
same (rule, incident, status) changes, and no alert left pending. Delivery is at
least once, so the alert in flight at the kill may arrive twice (same key).
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tripwire.store import Store

from ..redlines.scenarios import kirkuk, militia_result
from .harness import cli_argv, cli_env, number

N = 300
STARTUP_LIMIT_S = 60.0


def _prepare(url: str) -> None:
    base = kirkuk()
    with Store(url) as store:
        for i in range(N):
            incident = base.model_copy(update={"id": f"k1-copy-{i:04d}"})
            store.save_incident(incident)
            store.save_attribution(militia_result(incident.id, ordered=0.8, supported=0.1, independent=0.0, isis=0.1, unknown=0.0))


def _check(url: str, out: Path) -> subprocess.Popen[bytes]:
    argv = cli_argv("check", "--db", url, "--stored-attribution", "--alerts-jsonl", str(out), "--format", "json")
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env())


def _finish(proc: subprocess.Popen[bytes]) -> None:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()[-600:]


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.endswith("}")]


def _evaluations(url: str) -> int:
    return number(url, "SELECT count(*) FROM evaluations")


def _pending(url: str) -> int:
    return number(url, "SELECT count(*) FROM alerts WHERE delivered_at IS NULL")


def _kill_when(proc: subprocess.Popen[bytes], reached) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"check ended (status {proc.returncode}) before the kill point: {proc.communicate()[1].decode()[-400:]}")
        if reached():
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            assert proc.returncode == -signal.SIGKILL
            return
        time.sleep(0.005)
    proc.kill()
    proc.communicate()
    pytest.fail("check did not reach the kill point in time")


def _changes(lines: list[dict]) -> Counter[tuple[str, str, str | None, str]]:
    first = {}
    for line in lines:
        first.setdefault(line["idempotency_key"], line)
    return Counter((d["rule_id"], d["incident_id"], d["previous"], d["status"]) for d in first.values())


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["recording-450", "delivering-250"])
def test_a_killed_and_rerun_check_sends_as_many_alerts_as_a_clean_run(tmp_path: Path, new_db: Callable[[str], str], kill_at: str) -> None:
    phase, _, count = kill_at.partition("-")
    clean_db, killed_db = new_db("clean"), new_db("killed")
    _prepare(clean_db)
    _prepare(killed_db)
    clean_out, killed_out = tmp_path / "clean.jsonl", tmp_path / "killed.jsonl"

    _finish(_check(clean_db, clean_out))
    clean = _lines(clean_out)
    assert len(clean) == len({d["idempotency_key"] for d in clean}) == 2 * N

    proc = _check(killed_db, killed_out)
    if phase == "recording":
        _kill_when(proc, lambda: _evaluations(killed_db) >= int(count))
        assert _evaluations(killed_db) < 3 * N, "killed too late: every evaluation was already recorded"
    else:
        _kill_when(proc, lambda: len(_lines(killed_out)) >= int(count))
    sent_before_rerun = len(_lines(killed_out))
    assert sent_before_rerun < 2 * N, "killed too late: every alert was already delivered"
    _finish(_check(killed_db, killed_out))

    killed = _lines(killed_out)
    keys = [d["idempotency_key"] for d in killed]
    assert len(set(keys)) == len(clean), f"{len(set(keys))} distinct alerts after kill and re-run, {len(clean)} in a clean run"
    assert _changes(killed) == _changes(clean)
    assert len(keys) - len(set(keys)) <= 1, "more than the alert in flight at the kill was sent twice"
    assert _pending(killed_db) == 0 and _pending(clean_db) == 0
