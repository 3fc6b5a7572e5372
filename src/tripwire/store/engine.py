"""Opening databases and bringing their schema up to date.

:func:`make_engine` builds an SQLAlchemy engine for a URL: SQLite files get
write-ahead logging, enforced foreign keys and a busy timeout (so concurrent
writers wait for each other instead of failing), and write transactions start
with ``BEGIN IMMEDIATE`` so two writers never both read-then-write the same
snapshot. :func:`upgrade` runs the bundled Alembic migrations programmatically,
inside one transaction that holds a lock, so two processes opening a fresh
database at once cannot both create it. A store already at the newest
revision is recognised by reading ``alembic_version`` and the migration
files' ``revision`` lines directly, without importing Alembic (a third of a
second on every open).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from ..errors import MigrationError, StoreError
from ..model import without_nul
from .codec import json_serializer

if TYPE_CHECKING:
    from alembic.config import Config

#: Seconds a SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 60.0
#: Execution option marking a connection whose transactions will write.
WRITE_OPTION = "tripwire_write"
#: Key of the PostgreSQL advisory lock held while migrating.
MIGRATION_LOCK_KEY = 7_243_118_001


def redact(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url`` (``sqlite:///PATH`` or ``postgresql+psycopg://...``).

    With ``create=False`` a SQLite file that does not exist is refused
    (read-only commands must not leave an empty database behind a mistyped path).
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} (expected sqlite:///PATH or postgresql+psycopg://USER@HOST/DB)") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = (_sqlite_engine(parsed, create=create) if parsed.get_backend_name() == "sqlite"
                  else create_engine(parsed, pool_pre_ping=True, json_serializer=json_serializer))
    except ImportError as exc:
        if parsed.get_backend_name() == "postgresql":
            raise StoreError(f"cannot open database {redact(url)}: PostgreSQL support is not installed; "
                             "install it with: pip install 'tripwire[postgres]'") from exc
        raise StoreError(f"cannot open database {redact(url)}: {exc}") from exc
    except (ArgumentError, SQLAlchemyError) as exc:
        raise StoreError(f"cannot open database {redact(url)}: {exc}") from exc
    event.listen(engine, "before_cursor_execute", _parameters_without_nul, retval=True)
    return engine


def _clean(params: Any) -> Any:
    if isinstance(params, dict):
        return {k: without_nul(v) for k, v in params.items()} if any(isinstance(v, str) and "\x00" in v for v in params.values()) else params
    if isinstance(params, (list, tuple)):
        return type(params)(without_nul(v) for v in params) if any(isinstance(v, str) and "\x00" in v for v in params) else params
    return params


def _parameters_without_nul(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> tuple[str, Any]:
    """Every string bound to a statement loses its NULs, the rule domain models apply (``model.without_nul``).

    Models arrive clean; this covers the strings a caller passes straight to a
    lookup (an id in a URL, a ``--rule`` option), so ``a\\x00b`` finds what was
    stored as ``ab`` on both backends instead of failing on PostgreSQL.
    """
    if executemany and isinstance(parameters, (list, tuple)):
        if "\\x00" not in repr(parameters):  # one C-speed look over a bulk write: a NUL in any string shows as \x00
            return statement, parameters
        return statement, type(parameters)(_clean(p) for p in parameters)
    return statement, _clean(parameters)


def _enable_wal(cursor: Any) -> None:
    """Switch the file to WAL; the switch needs an exclusive lock, so wait out other openers."""
    _retry_while_locked(lambda: cursor.execute("PRAGMA journal_mode=WAL"))


def _sqlite_engine(url: Any, *, create: bool = True) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser().resolve()
        if not path.parent.is_dir():
            raise StoreError(f"cannot open database {url}: folder {path.parent} does not exist")
        if path.is_dir():
            raise StoreError(f"cannot open database {url}: {path} is a folder, not a database file")
        if not create and not path.exists():
            raise StoreError(f"no database at {path}: run `tripwire ingest` or `tripwire brief` first, or check --db")
    memory = database in ("", ":memory:")
    kwargs: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}, "json_serializer": json_serializer}
    if memory:
        from sqlalchemy.pool import StaticPool

        kwargs["poolclass"] = StaticPool
    else:
        kwargs["poolclass"] = NullPool if database.startswith("file:") else None
        if kwargs["poolclass"] is None:
            del kwargs["poolclass"]
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below (pysqlite's own
        # implicit BEGIN is deferred and skips DDL, which breaks transactional migrations).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            if not memory:
                _enable_wal(cursor)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA recursive_triggers=ON")  # a REPLACE that deletes a row fires its delete triggers (store/counts.py)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration pointing at the migrations bundled in this package."""
    from alembic.config import Config

    cfg = Config()
    location = resources.files("tripwire.store") / "migrations"
    cfg.set_main_option("script_location", str(location).replace("%", "%%"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_REVISION_LINE = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:["']([^"']+)["']|None)\s*$""", re.MULTILINE)


def head_revision() -> str:
    """The newest schema revision these migrations know (read from the migration files, as Alembic would)."""
    return _head_revision()


@lru_cache(maxsize=1)
def _head_revision() -> str:
    revisions: set[str] = set()
    parents: set[str] = set()
    for entry in (resources.files("tripwire.store") / "migrations" / "versions").iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("_"):
            continue
        fields = {m.group(1): m.group(2) for m in _REVISION_LINE.finditer(entry.read_text(encoding="utf-8"))}
        if fields.get("revision"):
            revisions.add(fields["revision"])
            if fields.get("down_revision"):
                parents.add(fields["down_revision"])
    heads = sorted(revisions - parents)
    if len(heads) != 1:  # pragma: no cover - a packaging error, caught by tests/store/test_migrations.py
        raise MigrationError(f"the bundled migrations have {len(heads)} heads: {heads}")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database (None for an empty one)."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the schema revision: {exc}") from exc
    if len(rows) > 1:
        raise StoreError(f"the database records several schema revisions: {', '.join(sorted(rows))}")
    return rows[0] if rows else None


@contextmanager
def locked_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction that excludes other writers/migrators for its whole length."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
            yield conn


def _upgrade_once(engine: Engine, cfg: Config, revision: str) -> None:
    from alembic import command

    with locked_transaction(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _retry_while_locked(step: Callable[[], Any]) -> None:
    """Run ``step``, again after a pause while SQLite answers "database is locked".

    SQLite returns that at once, without waiting on the busy timeout, in a few
    cases (a journal-mode change, a stale snapshot) that arise when several
    processes open a new store together. The steps retried here (the WAL switch,
    the one-transaction migration) are safe to run again; after the busy
    timeout the error stands.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    pause = 0.01
    while True:
        try:
            step()
            return
        except (sqlite3.OperationalError, OperationalError) as exc:  # raw from a connect hook, or wrapped
            if "locked" not in str(getattr(exc, "orig", exc)) or time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Run the migrations up to ``revision``; return the revision the database is now at."""
    if revision == "head":
        try:
            current = current_revision(engine)
        except StoreError:
            current = None  # let Alembic report what is wrong
        if current is not None and current == head_revision():
            return current  # up to date: no Alembic import, no lock
    cfg = alembic_config()
    try:
        _retry_while_locked(lambda: _upgrade_once(engine, cfg, revision))
    except SQLAlchemyError as exc:
        raise MigrationError(f"could not bring the database schema up to date: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - alembic raises its own CommandError and friends
        if isinstance(exc, StoreError):
            raise
        raise MigrationError(f"could not bring the database schema up to date: {exc}") from exc
    return current_revision(engine)
