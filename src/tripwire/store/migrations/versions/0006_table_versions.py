"""A change counter per table, raised by triggers, so listing totals can be cached per table version.

``GET /incidents`` answered every page with a ``count(*)`` over the live
incidents: 20-30 ms of a 1,000,000-row index scan per request. A count is
now kept in memory with the version of its table and reused while the
version stands. The counter is raised by triggers in the database, in the
same transaction as the change, so every writer counts: other ``Store``
objects, other processes and plain SQL alike.

SQLite raises it once per changed row (it has only row triggers; writers
are serialised anyway); PostgreSQL once per statement (``FOR EACH
STATEMENT``, ``TRUNCATE`` included), which also holds the counter row's
lock until the writing transaction ends, so two transactions writing the
same table commit one after the other.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: the tables counted by the API (written out here: a migration does not follow later code)
TABLES = ("incidents", "actions")
FUNCTION = "tripwire_bump_table_version"


def upgrade() -> None:
    versions = op.create_table(
        "table_versions",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_table_versions"),
    )
    op.bulk_insert(versions, [{"name": t, "version": 0} for t in TABLES])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN UPDATE table_versions SET version = version + 1 WHERE name = TG_TABLE_NAME; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(f"CREATE TRIGGER trg_{table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"CREATE TRIGGER trg_{table}_version_{event} AFTER {event.upper()} ON {table} "
                           f"BEGIN UPDATE table_versions SET version = version + 1 WHERE name = '{table}'; END")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER trg_{table}_version ON {table}")
        op.execute(f"DROP FUNCTION {FUNCTION}()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER trg_{table}_version_{event}")
    op.drop_table("table_versions")
