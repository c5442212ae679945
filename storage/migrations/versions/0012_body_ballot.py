"""bodies.ballot: a body's own ballot mode, overriding its pack's (the organisation file)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 12:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite supports it, and a batch copy of ``bodies`` would have
    # to drop a table that units, memberships and bodies themselves refer to.
    op.add_column("bodies", sa.Column("ballot", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("bodies", "ballot")  # in place, as 0010 does
