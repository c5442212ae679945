"""reminders: a partial index on the pending ones' due_at, for the dispatcher's claim

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    # Plain op calls (no batch mode): creating and dropping an index never copies the
    # table on SQLite. Only the pending rows are in the new index, so a dispatched
    # reminder leaves it instead of being re-sorted among a million; the claim reads
    # (due_at, id) in the order it wants. The old (status, due_at) index served that
    # claim alone.
    op.create_index("ix_reminders_pending_due", "reminders", ["due_at", "id"],
                    postgresql_where=PENDING, sqlite_where=PENDING)
    op.drop_index("ix_reminders_due", table_name="reminders")


def downgrade() -> None:
    op.create_index("ix_reminders_due", "reminders", ["status", "due_at"])
    op.drop_index("ix_reminders_pending_due", table_name="reminders")
