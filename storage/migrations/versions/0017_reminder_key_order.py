"""reminders: keys compared byte by byte on PostgreSQL, so a cancel reads the key's index

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 09:00:00.000000

Cancelling a step's reminders takes the keys under a prefix (``storage.reminders``).
With the key in the "C" collation (byte order) those keys are one range of the unique
index; in a language's collation they are not, and the LIKE it used read every row.
SQLite compares bytes already: nothing to do there.

(A narrow queue of the pending reminders kept by triggers was tried for the tick and
not kept: bench/bench_reminders.py measured it slower on PostgreSQL.)
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # rebuilds the unique index
        op.execute('ALTER TABLE reminders ALTER COLUMN idempotency_key '
                   'TYPE VARCHAR(200) COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE reminders ALTER COLUMN idempotency_key '
                   'TYPE VARCHAR(200) COLLATE "default"')
