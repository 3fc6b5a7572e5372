"""Helpers shared by the hardening tests: running the real CLI as a child process and auditing a store, on either backend.

A store under test is named by its URL: ``sqlite:///PATH`` (read with plain
``sqlite3``, which also recovers the WAL) or ``postgresql+psycopg://...`` (read
with ``psycopg`` over a connection of its own, autocommit). The fixtures
``new_db`` and ``store_url`` (``conftest.py``) give empty stores on each backend.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tripwire.model import content_hash
from tripwire.store.engine import MIGRATION_LOCK_KEY


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


def is_sqlite(url: str) -> bool:
    """Whether ``url`` names a SQLite file."""
    return url.startswith("sqlite:///")


def sqlite_path(url: str) -> Path:
    """The file a ``sqlite:///PATH`` URL names."""
    return Path(url.removeprefix("sqlite:///"))


def _pg_connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


class Reader:
    """One read-only connection of its own to a store, kept open between polls; answers one number per query."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = None

    def _connection(self) -> Any:
        if self._conn is None:
            if is_sqlite(self.url):
                if not sqlite_path(self.url).exists():
                    return None
                self._conn = sqlite3.connect(f"file:{sqlite_path(self.url)}?mode=ro", uri=True, timeout=5)
            else:
                self._conn = _pg_connect(self.url)
        return self._conn

    def number(self, sql: str) -> int:
        """The first column of the first row of ``sql``; 0 while the store or the table does not exist yet (the child is migrating)."""
        conn = self._connection()
        if conn is None:
            return 0
        if is_sqlite(self.url):
            try:
                return int(conn.execute(sql).fetchone()[0])
            except sqlite3.OperationalError:
                return 0
        import psycopg

        try:
            return int(conn.execute(sql).fetchone()[0])
        except psycopg.errors.UndefinedTable:
            return 0

    def migrating(self) -> bool:
        """Whether another process is creating or migrating the schema: the SQLite file exists, or the migration lock is held."""
        if is_sqlite(self.url):
            return sqlite_path(self.url).exists()
        key = f"((classid::bigint << 32) | objid::bigint) = {MIGRATION_LOCK_KEY}"
        return self.number(f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND {key} AND pid <> pg_backend_pid()") > 0

    def close(self) -> None:
        """Drop the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Every row of ``sql``, read through a connection of its own."""
    conn: Any = sqlite3.connect(str(sqlite_path(url)), timeout=30) if is_sqlite(url) else _pg_connect(url)
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()


def number(url: str, sql: str) -> int:
    """One number read through a connection of its own (the child may hold write locks)."""
    reader = Reader(url)
    try:
        return reader.number(sql)
    finally:
        reader.close()


def start_ingest(url: str, *sources: Path, batch_size: int | None = None) -> subprocess.Popen[bytes]:
    """``tripwire ingest SOURCES --db URL --format json`` as a child process (``batch_size``: the store_batch_size setting)."""
    argv = cli_argv("ingest", *map(str, sources), "--db", url, "--no-progress", "--format", "json")
    env = cli_env()
    if batch_size is not None:
        env["TRIPWIRE_STORE_BATCH_SIZE"] = str(batch_size)
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


class DocumentCounter(Reader):
    """Counts committed documents through its own read-only connection."""

    def count(self) -> int:
        """Documents committed so far (0 while the store or its schema does not exist yet)."""
        return self.number("SELECT count(*) FROM documents")


@dataclass(frozen=True)
class Audit:
    """What a store holds, checked at the SQL level."""

    integrity: str
    texts: dict[str, str]
    locations: Counter[tuple[str, str]]

    def locations_of(self, doc_id: str) -> set[str]:
        """Every place recorded for one document."""
        return {loc for (d, loc) in self.locations if d == doc_id}


def _sqlite_integrity(conn: sqlite3.Connection) -> tuple[str, set[str]]:
    integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    return integrity, {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _pg_integrity(conn: Any) -> tuple[str, set[str]]:
    """``amcheck`` over every table and index of the schema ("ok" when it finds nothing; skipped when the extension is not installed)."""
    import psycopg

    tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
    except psycopg.Error:
        return "ok", tables
    problems = []
    for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall():
        problems += [f"{table}: {r[3]}" for r in conn.execute("SELECT * FROM verify_heapam(%s::regclass)", (table,)).fetchall()]
    indexes = conn.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND a.amname = 'btree'"
    ).fetchall()
    for (index,) in indexes:
        try:
            conn.execute("SELECT bt_index_check(%s::regclass, true)", (index,))
        except psycopg.Error as exc:
            problems.append(f"{index}: {exc}")
    return ("; ".join(problems) or "ok"), tables


def audit(url: str) -> Audit:
    """Check the store's integrity and read its documents and locations (SQLite: ``PRAGMA integrity_check``; PostgreSQL: ``amcheck``)."""
    conn: Any = sqlite3.connect(str(sqlite_path(url)), timeout=30) if is_sqlite(url) else _pg_connect(url)
    try:
        integrity, tables = _sqlite_integrity(conn) if is_sqlite(url) else _pg_integrity(conn)
        if "documents" not in tables:  # killed while migrating: the schema transaction must have rolled back whole
            assert not tables - {"alembic_version"}, f"a half-created schema survived the kill: {sorted(tables)}"
            return Audit(integrity=integrity, texts={}, locations=Counter())
        rows = conn.execute("SELECT id, text FROM documents").fetchall()
        ids = [r[0] for r in rows]
        assert len(ids) == len(set(ids)), "a document id is stored twice"
        locations = Counter((d, loc) for d, loc in conn.execute("SELECT document_id, location FROM document_locations").fetchall())
        orphans = conn.execute("SELECT count(*) FROM document_locations WHERE document_id NOT IN (SELECT id FROM documents)").fetchone()[0]
        assert orphans == 0, f"{orphans} locations point at no document"
    finally:
        conn.close()
    texts = {doc_id: text for doc_id, text in rows}
    for doc_id, text in texts.items():
        assert content_hash(text) == doc_id, f"document {doc_id[:12]} is stored incomplete: its text no longer hashes to its id"
    return Audit(integrity=integrity, texts=texts, locations=locations)
