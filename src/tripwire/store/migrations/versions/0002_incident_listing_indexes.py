"""Composite indexes so incident listings (by date, optionally by country) read in index order.

Listing 1,000,000 incidents a page at a time sorted the whole table on every
request; with (date, id) and (country, date, id) the first page is an index
range scan.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incidents_date_id", "incidents", ["date", "id"], unique=False)
    op.create_index("ix_incidents_country_date_id", "incidents", ["country", "date", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_incidents_country_date_id", table_name="incidents")
    op.drop_index("ix_incidents_date_id", table_name="incidents")
