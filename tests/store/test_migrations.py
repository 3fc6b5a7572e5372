"""The Alembic migrations build exactly the ORM schema, idempotently, on every backend."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tripwire.store import Store, head_revision
from tripwire.store.engine import make_engine, upgrade
from tripwire.store.tables import Base


def test_migrated_schema_equals_orm_metadata(db_url: str) -> None:
    Store(db_url).close()
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(ctx, Base.metadata)
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diffs == []
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


def test_upgrade_is_idempotent_and_keeps_data(db_url: str) -> None:
    from .factories import document

    with Store(db_url) as store:
        store.add_document(document())
        assert store.upgrade() == head_revision()
    engine = make_engine(db_url)
    try:
        assert upgrade(engine) == head_revision()
        assert upgrade(engine) == head_revision()
    finally:
        engine.dispose()
    with Store(db_url) as store:
        assert store.count_documents() == 1
        info = store.info()
        assert info.up_to_date and info.counts["documents"] == 1 and info.counts["document_locations"] == 1


def test_unmigrated_database_reports_no_revision(db_url: str) -> None:
    with Store(db_url, migrate=False) as store:
        info = store.info()
    assert info.revision is None and not info.up_to_date and info.counts == {}


def test_head_revision_is_what_alembic_reads() -> None:
    from alembic.script import ScriptDirectory

    from tripwire.store.engine import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_opening_a_current_store_does_not_import_alembic(db_url: str) -> None:
    import subprocess
    import sys

    Store(db_url).close()
    code = (f"import sys\nfrom tripwire.store import Store\nwith Store({db_url!r}) as s:\n    info = s.info()\n"
            "assert info.up_to_date, info\nprint('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_an_older_store_is_still_upgraded(db_url: str) -> None:
    from alembic import command

    from tripwire.store.engine import alembic_config, current_revision, locked_transaction

    Store(db_url).close()
    engine = make_engine(db_url)
    try:
        with locked_transaction(engine) as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
        assert current_revision(engine) == "0002"
        with Store(db_url) as store:
            assert store.info().revision == head_revision()
    finally:
        engine.dispose()


def test_several_recorded_revisions_are_a_clear_error(db_url: str) -> None:
    from tripwire.errors import StoreError
    from tripwire.store.engine import current_revision, locked_transaction

    Store(db_url).close()
    engine = make_engine(db_url)
    try:
        with locked_transaction(engine) as conn:
            conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES ('0002')"))
        with pytest.raises(StoreError, match="several schema revisions"):
            current_revision(engine)
    finally:
        engine.dispose()

