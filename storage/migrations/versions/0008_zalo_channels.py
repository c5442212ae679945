"""chat_accounts.preferred_at and shown_choices: the channel a person chose for their
notifications (/kenh), and the numbered choices last shown in a chat without buttons

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no constraint: SQLite adds it in place, no table copy.
    with op.batch_alter_table("chat_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preferred_at", sa.DateTime(timezone=True),
                                      nullable=True))
    op.create_table(
        "shown_choices",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "chat_id", name=op.f("pk_shown_choices")),
    )


def downgrade() -> None:
    op.drop_table("shown_choices")
    with op.batch_alter_table("chat_accounts", schema=None) as batch_op:
        batch_op.drop_column("preferred_at")
