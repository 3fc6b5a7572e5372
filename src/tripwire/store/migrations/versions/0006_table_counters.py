"""Counters per table, kept by triggers: a version for cached counts and the number of listed rows.

``GET /incidents`` answered every page with a ``count(*)`` over the live
incidents: tens of milliseconds of index scan at 1,000,000 rows. Triggers
now keep, for ``incidents`` and ``actions``, a ``version`` raised by every
insert, update or delete and ``live_rows``, the number of rows a plain
listing shows (incidents not superseded; every action), both changed in the
transaction of the write. Every writer counts: other ``Store`` objects,
other processes and plain SQL alike.

SQLite has only row triggers (writers are serialised anyway). PostgreSQL's
are per statement (``FOR EACH STATEMENT``) with transition tables, and
``TRUNCATE`` empties the count; a write holds the counter row's lock until
its transaction ends, so transactions writing the same table commit one
after the other. The triggers are made first and the rows counted after, in
the migration's transaction: on PostgreSQL the triggers' table locks keep
other writers out until the counts are in.

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

#: each counted table and what makes a row "listed" (written out here: a migration does not follow later code)
TABLES = {"incidents": "superseded_by IS NULL", "actions": "TRUE"}
EVENTS = ("insert", "update", "delete")


def _listed(table: str, prefix: str) -> str:
    """SQLite: 1 when the NEW/OLD row is listed, else 0."""
    condition = TABLES[table]
    return "1" if condition == "TRUE" else f"({prefix}.{condition})"


def _pg_function(table: str) -> str:
    condition = TABLES[table]
    return f"""CREATE FUNCTION tripwire_count_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE delta bigint := 0;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE table_counters SET version = version + 1, live_rows = 0 WHERE name = '{table}';
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        delta := delta + (SELECT count(*) FROM new_rows WHERE {condition});
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        delta := delta - (SELECT count(*) FROM old_rows WHERE {condition});
    END IF;
    UPDATE table_counters SET version = version + 1, live_rows = live_rows + delta WHERE name = '{table}';
    RETURN NULL;
END $$"""


def upgrade() -> None:
    op.create_table(
        "table_counters",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("live_rows", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_table_counters"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, condition in TABLES.items():
        if postgres:
            op.execute(_pg_function(table))
            referencing = {"insert": "NEW TABLE AS new_rows", "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows"}
            for event in EVENTS:
                op.execute(f"CREATE TRIGGER trg_{table}_count_{event} AFTER {event.upper()} ON {table} REFERENCING {referencing[event]} "
                           f"FOR EACH STATEMENT EXECUTE FUNCTION tripwire_count_{table}()")
            op.execute(f"CREATE TRIGGER trg_{table}_count_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION tripwire_count_{table}()")
        else:
            change = {
                "insert": f"+ {_listed(table, 'NEW')}",
                "update": f"+ {_listed(table, 'NEW')} - {_listed(table, 'OLD')}",
                "delete": f"- {_listed(table, 'OLD')}",
            }
            for event in EVENTS:
                op.execute(f"CREATE TRIGGER trg_{table}_count_{event} AFTER {event.upper()} ON {table} BEGIN "
                           f"UPDATE table_counters SET version = version + 1, live_rows = live_rows {change[event]} WHERE name = '{table}'; END")
        listed = condition if postgres else condition.replace("TRUE", "1")
        op.execute(f"INSERT INTO table_counters (name, version, live_rows) SELECT '{table}', 0, count(*) FROM {table} WHERE {listed}")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for event in (*EVENTS, "truncate") if postgres else EVENTS:
            op.execute(f"DROP TRIGGER trg_{table}_count_{event}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION tripwire_count_{table}()")
    op.drop_table("table_counters")
