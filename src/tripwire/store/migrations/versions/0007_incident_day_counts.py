"""Live incidents counted per (country, day) by triggers: a filtered total is a sum over a small table.

After 0006 a filtered ``GET /incidents`` total was cached per table version,
so the first page after any write counted its rows again: about 150,000
index entries for one country over six years at 1,000,000 incidents,
30-60 ms. ``incident_day_counts`` holds, per ``country_key`` and day, how
many live (not superseded) incidents there are, changed by the incident
triggers in the transaction of every write, from any process:

- ``country_key`` is ``'='`` followed by the country, ``''`` for incidents
  without one, and ``'*'`` for every country together (so a date-only filter
  sums one row per day, not one per country and day);
- ``dated`` is false for undated incidents, whose ``day`` is then the
  placeholder ``0001-01-01`` (a key column cannot be NULL); a date filter
  reads only dated rows, as the listing does.

An insert adds one to its two rows (its country's and ``'*'``), a delete
takes one away, and an update that changes the country, the date or whether
the incident is superseded moves it; a row can reach zero and stays. On
SQLite that is a row trigger ``AFTER ... OF country, date, superseded_by``
(writers are serialised by the database lock). On PostgreSQL the per-statement
function of 0006 (``tripwire_count_incidents``) is replaced by one that first
updates the ``table_counters`` row, as before, and then adds the statement's
changes grouped by key: every writer takes that one row lock first, so two
transactions never wait on each other's day rows in opposite orders.
``TRUNCATE`` empties the table.

Existing incidents are counted in the migration's transaction after the
triggers are in place; on PostgreSQL ``LOCK TABLE`` first waits for writers
in flight and keeps new ones out until the counts are in.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UNDATED = "0001-01-01"
EVENTS = ("insert", "update", "delete")


def _keyed(source: str, sign: int, *, postgres: bool) -> str:
    """Rows (country_key, dated, day, n) for the live incidents of ``source``: their country's and the all-countries one.

    ``source`` is ``NEW`` or ``OLD`` (one row, in a SQLite row trigger) or a table
    (a PostgreSQL transition table, or ``incidents`` itself for the backfill).
    """
    row = source in ("NEW", "OLD")
    prefix = f"{source}." if row else ""
    tail = f" WHERE {prefix}superseded_by IS NULL" if row else f" FROM {source} WHERE superseded_by IS NULL"
    undated = f"DATE '{UNDATED}'" if postgres else f"'{UNDATED}'"
    dated = f"{prefix}date IS NOT NULL"
    day = f"coalesce({prefix}date, {undated})"
    country = f"SELECT coalesce('=' || {prefix}country, '') AS country_key, {dated} AS dated, {day} AS day, {sign} AS n{tail}"
    every = f"SELECT '*', {dated}, {day}, {sign}{tail}"
    return f"{country} UNION ALL {every}"


def _add(parts: list[str]) -> str:
    """One upsert adding the grouped changes of ``parts`` (rows of ``_keyed``) to ``incident_day_counts``."""
    rows = " UNION ALL ".join(parts)
    return (
        "INSERT INTO incident_day_counts (country_key, dated, day, live_rows) "
        f"SELECT country_key, dated, day, sum(n) FROM ({rows}) AS changes WHERE TRUE "
        "GROUP BY country_key, dated, day HAVING sum(n) <> 0 ORDER BY country_key, dated, day "
        "ON CONFLICT (country_key, dated, day) DO UPDATE SET live_rows = incident_day_counts.live_rows + excluded.live_rows"
    )


def _pg_function(*, with_days: bool) -> str:
    """``tripwire_count_incidents`` as 0006 made it, and with the day counts after the counter row."""
    days = ""
    if with_days:
        days = f"""
    IF TG_OP = 'INSERT' THEN
        {_add([_keyed("new_rows", 1, postgres=True)])};
    ELSIF TG_OP = 'UPDATE' THEN
        {_add([_keyed("new_rows", 1, postgres=True), _keyed("old_rows", -1, postgres=True)])};
    ELSE
        {_add([_keyed("old_rows", -1, postgres=True)])};
    END IF;"""
    truncate = "\n        DELETE FROM incident_day_counts;" if with_days else ""
    return f"""CREATE OR REPLACE FUNCTION tripwire_count_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE delta bigint := 0;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE table_counters SET version = version + 1, live_rows = 0 WHERE name = 'incidents';{truncate}
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        delta := delta + (SELECT count(*) FROM new_rows WHERE superseded_by IS NULL);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        delta := delta - (SELECT count(*) FROM old_rows WHERE superseded_by IS NULL);
    END IF;
    UPDATE table_counters SET version = version + 1, live_rows = live_rows + delta WHERE name = 'incidents';{days}
    RETURN NULL;
END $$"""


def _sqlite_trigger(event: str) -> str:
    name = f"trg_incidents_day_counts_{event}"
    if event == "insert":
        return f"CREATE TRIGGER {name} AFTER INSERT ON incidents WHEN NEW.superseded_by IS NULL BEGIN {_add([_keyed('NEW', 1, postgres=False)])}; END"
    if event == "delete":
        return f"CREATE TRIGGER {name} AFTER DELETE ON incidents WHEN OLD.superseded_by IS NULL BEGIN {_add([_keyed('OLD', -1, postgres=False)])}; END"
    moved = ("(OLD.superseded_by IS NULL OR NEW.superseded_by IS NULL) AND NOT ((OLD.superseded_by IS NULL) = (NEW.superseded_by IS NULL) "
             "AND OLD.country IS NEW.country AND OLD.date IS NEW.date)")
    return (f"CREATE TRIGGER {name} AFTER UPDATE OF country, date, superseded_by ON incidents WHEN {moved} BEGIN "
            f"{_add([_keyed('NEW', 1, postgres=False), _keyed('OLD', -1, postgres=False)])}; END")


def upgrade() -> None:
    op.create_table(
        "incident_day_counts",
        sa.Column("country_key", sa.String(length=16), nullable=False),
        sa.Column("dated", sa.Boolean(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("live_rows", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("country_key", "dated", "day", name="pk_incident_day_counts"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("LOCK TABLE incidents IN SHARE ROW EXCLUSIVE MODE")
        op.execute(_pg_function(with_days=True))
    else:
        for event in EVENTS:
            op.execute(_sqlite_trigger(event))
    op.execute(_add([_keyed("incidents", 1, postgres=postgres)]))  # the incidents already stored


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_pg_function(with_days=False))
    else:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER trg_incidents_day_counts_{event}")
    op.drop_table("incident_day_counts")
