"""attachments.purpose and attachments.round: what a received file came with, and when

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nothing filled the table before this revision; the defaults keep any row valid.
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=16), server_default="plan",
                                      nullable=False))
        batch_op.add_column(sa.Column("round", sa.Integer(), server_default="1",
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_column("round")
        batch_op.drop_column("purpose")
