"""votes.comment: a member's remarks with their vote

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing votes have no comment: the server default fills them.
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("comment")
