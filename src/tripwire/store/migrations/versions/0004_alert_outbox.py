"""The red-line alert outbox: alerts written with their evaluation, marked when delivered.

``check_and_record`` used to write evaluations and then send alerts from
memory; a run killed in between lost those alerts for good, and ``tripwire
brief`` (which has no sinks) never sent any. Each alert is now a row written in
the transaction of the evaluation that raised it, with an idempotency ``key``;
deliveries set ``delivered_at``, failures count ``attempts`` and keep the last
error, and the next run retries whatever is still pending.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tripwire.store.codec import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=200), nullable=False),
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("previous_status", sa.String(length=20), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluations.id"], name="fk_alerts_evaluation_id_evaluations", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("key", name="uq_alerts_key"),
    )
    op.create_index("ix_alerts_evaluation_id", "alerts", ["evaluation_id"], unique=False)
    op.create_index("ix_alerts_incident_id", "alerts", ["incident_id"], unique=False)
    op.create_index("ix_alerts_delivered_at_id", "alerts", ["delivered_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_alerts_delivered_at_id", table_name="alerts")
    op.drop_index("ix_alerts_incident_id", table_name="alerts")
    op.drop_index("ix_alerts_evaluation_id", table_name="alerts")
    op.drop_table("alerts")
