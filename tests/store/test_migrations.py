"""The Alembic migrations build exactly the ORM schema, idempotently, on every backend."""

from __future__ import annotations

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
