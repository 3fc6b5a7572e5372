"""A real, throwaway PostgreSQL server for tests that run on both backends (fixtures ``pg_server`` and ``db_url``).

The PostgreSQL server is started once per session from the local binaries
(``pg_config --bindir`` or ``/usr/lib/postgresql/*/bin``) with ``initdb`` into
a temporary folder, listening on a free loopback port with its socket in that
folder. PostgreSQL refuses to run as root, so when the tests run as root the
server runs as the ``postgres`` user (via ``runuser``, else ``su``). When no
binaries or no such user exist, the PostgreSQL cases are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

PG_USER = "postgres"


def _pg_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True).stdout.strip()
            if (Path(out) / "initdb").exists():
                return Path(out)
        except (OSError, subprocess.SubprocessError):
            pass
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0, reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _PgServer:
    """A PostgreSQL cluster in a temporary folder; ``url(db)`` gives a psycopg URL."""

    def __init__(self) -> None:
        bindir = _pg_bindir()
        if bindir is None:
            raise RuntimeError("no PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin)")
        self.bindir = bindir
        self.prefix: list[str] = []
        self.owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.owner = pwd.getpwnam(PG_USER)
            except KeyError:
                raise RuntimeError(f"running as root and there is no {PG_USER!r} user to run PostgreSQL as") from None
            if shutil.which("runuser"):
                self.prefix = ["runuser", "-u", PG_USER, "--"]
            elif shutil.which("su"):
                self.prefix = ["su", PG_USER, "-s", "/bin/sh", "-c"]
            else:
                raise RuntimeError("running as root and neither runuser nor su is available")
        self.root = Path(tempfile.mkdtemp(prefix="tripwire-pg-"))
        if self.owner is not None:
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)
        self.data = self.root / "data"
        self.port = _free_port()
        self.started = False

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.prefix and self.prefix[0] == "su":
            cmd = [*self.prefix, " ".join(subprocess.list2cmdline([c]) for c in cmd)]
        else:
            cmd = [*self.prefix, *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.root)
        if proc.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-800:]}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")
        self.started = True

    def stop(self) -> None:
        if self.started:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except (RuntimeError, subprocess.SubprocessError):
                pass
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=PG_USER, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[_PgServer]:
    """A running throwaway PostgreSQL server, or a skip saying why there is none."""
    try:
        server = _PgServer()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        pytest.skip(f"PostgreSQL could not be started: {exc}")
    yield server
    server.stop()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server: _PgServer = request.getfixturevalue("pg_server")
    name = "t_" + uuid.uuid4().hex[:16]
    server.admin(f"CREATE DATABASE {name}")
    yield server.url(name)
    server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module", params=BACKENDS)
def reusable_db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database URL for a whole module (hypothesis tests run many examples on it): in-memory SQLite or one PostgreSQL database.

    Open it with :func:`empty_store`, which starts every example from empty tables.
    """
    if request.param == "sqlite":
        yield "sqlite://"
        return
    server: _PgServer = request.getfixturevalue("pg_server")
    name = "m_" + uuid.uuid4().hex[:16]
    server.admin(f"CREATE DATABASE {name}")
    yield server.url(name)
    server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def empty_store(url: str) -> Iterator[Any]:
    """A :class:`~tripwire.store.Store` at ``url`` with every table emptied first (the schema stays)."""
    from sqlalchemy import text

    from tripwire.store import Store
    from tripwire.store.tables import Base

    store = Store(url)
    try:
        if store.dialect == "postgresql":
            names = ", ".join(Base.metadata.tables)
            with store._engine.begin() as conn:  # noqa: SLF001 - test helper resetting the schema's data
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        yield store
    finally:
        store.close()
