"""a district's baseline

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("district") as batch:  # batch: SQLite alters a table by copying it
        batch.add_column(sa.Column("baseline", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("district") as batch:
        batch.drop_column("baseline")
