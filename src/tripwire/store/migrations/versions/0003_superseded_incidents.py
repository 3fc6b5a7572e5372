"""Incidents replaced by a later merge are kept, marked with their successor.

When a dated article joins an undated incident, or a follow-up report bridges
two stored incidents, the merge gives the event a new id. The old row stays
for the record (history, evaluations that cite it) with ``superseded_by``
pointing to the incident that replaced it; listings, attribution and checks
see only live rows.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("superseded_by", sa.String(length=200), nullable=True))
    op.create_index("ix_incidents_superseded_by", "incidents", ["superseded_by"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_incidents_superseded_by", table_name="incidents")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("superseded_by")
