"""Helpers shared by the hardening tests: running the real CLI as a child process and auditing a SQLite store file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tripwire.model import content_hash


def cli_argv(*args: str) -> list[str]:
    """The ``tripwire`` console script of this interpreter's environment, with ``args``."""
    script = Path(sys.executable).with_name("tripwire")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from tripwire.cli import main; main()", *args]


def cli_env() -> dict[str, str]:
    """The environment for CLI subprocesses: no progress bar, no inherited store setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIPWIRE_")}
    env["TRIPWIRE_PROGRESS"] = "false"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def start_ingest(db: Path, *sources: Path, batch_size: int | None = None) -> subprocess.Popen[bytes]:
    """``tripwire ingest SOURCES --db sqlite:///DB --format json`` as a child process (``batch_size``: the store_batch_size setting)."""
    argv = cli_argv("ingest", *map(str, sources), "--db", f"sqlite:///{db}", "--no-progress", "--format", "json")
    env = cli_env()
    if batch_size is not None:
        env["TRIPWIRE_STORE_BATCH_SIZE"] = str(batch_size)
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


class DocumentCounter:
    """Counts committed documents through its own read-only connection, kept open between polls."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._conn: sqlite3.Connection | None = None

    def count(self) -> int:
        """Documents committed so far (0 while the file or its schema does not exist yet)."""
        if self._conn is None:
            if not self.db.exists():
                return 0
            self._conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
        try:
            return int(self._conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        except sqlite3.OperationalError:  # no schema yet: the child is still migrating
            return 0

    def close(self) -> None:
        """Drop the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass(frozen=True)
class Audit:
    """What a store file holds, checked at the SQL level."""

    integrity: str
    texts: dict[str, str]
    locations: Counter[tuple[str, str]]

    def locations_of(self, doc_id: str) -> set[str]:
        """Every place recorded for one document."""
        return {loc for (d, loc) in self.locations if d == doc_id}


def audit(db: Path) -> Audit:
    """Open the file with plain sqlite3 (recovering its WAL), check integrity and read documents and locations."""
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "documents" not in tables:  # killed while migrating: the schema transaction must have rolled back whole
            assert not tables - {"alembic_version"}, f"a half-created schema survived the kill: {sorted(tables)}"
            return Audit(integrity=integrity, texts={}, locations=Counter())
        rows = conn.execute("SELECT id, text FROM documents").fetchall()
        ids = [r[0] for r in rows]
        assert len(ids) == len(set(ids)), "a document id is stored twice"
        locations = Counter((d, loc) for d, loc in conn.execute("SELECT document_id, location FROM document_locations"))
        orphans = conn.execute("SELECT count(*) FROM document_locations WHERE document_id NOT IN (SELECT id FROM documents)").fetchone()[0]
        assert orphans == 0, f"{orphans} locations point at no document"
    finally:
        conn.close()
    texts = {doc_id: text for doc_id, text in rows}
    for doc_id, text in texts.items():
        assert content_hash(text) == doc_id, f"document {doc_id[:12]} is stored incomplete: its text no longer hashes to its id"
    return Audit(integrity=integrity, texts=texts, locations=locations)
