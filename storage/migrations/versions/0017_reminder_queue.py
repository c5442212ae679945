"""reminders: a narrow queue of the pending ones for the tick; keys compared byte by byte

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 09:00:00.000000

``reminder_queue`` holds (id, due_at) of every pending reminder, kept by triggers on
``reminders`` whoever writes the row (the unit of work, the duties, a hand-written
UPDATE). The dispatcher claims from this small table and deletes what it took; the wide
``reminders`` row is then updated with no indexed column changed (``status`` was in the
partial index's condition), so PostgreSQL can update it in place (a HOT update, helped
by a fillfactor of 90) instead of inserting it again into its four indexes. A row
marked dispatched other than by the tick keeps its queue entry until the next tick,
which drops it unsent (the tick re-checks the status).

PostgreSQL: the key is compared in the "C" collation (byte order), so that cancelling
by prefix is a range on the unique index (``storage.reminders``). SQLite compares bytes
already.

SQLite: a later migration that rebuilds ``reminders`` in batch mode drops its triggers
and must create them again (``create_triggers``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")

# Into the queue when a row becomes pending or its pending day moves; out of it when a
# pending row is cancelled or left unresolved. The tick itself removes what it sends.
_ENQUEUE_WHEN = ("NEW.status = 'pending' AND "
                 "(OLD.status <> 'pending' OR OLD.due_at <> NEW.due_at)")
_DEQUEUE_WHEN = "OLD.status = 'pending' AND NEW.status NOT IN ('pending', 'dispatched')"

POSTGRES_TRIGGERS = (
    """CREATE FUNCTION reminders_queue() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.status = 'pending' THEN
            INSERT INTO reminder_queue (id, due_at) VALUES (NEW.id, NEW.due_at)
            ON CONFLICT (id) DO UPDATE SET due_at = EXCLUDED.due_at;
        ELSE
            DELETE FROM reminder_queue WHERE id = NEW.id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER reminders_queue_insert AFTER INSERT ON reminders FOR EACH ROW
       WHEN (NEW.status = 'pending') EXECUTE FUNCTION reminders_queue()""",
    f"""CREATE TRIGGER reminders_queue_update AFTER UPDATE OF status, due_at ON reminders
       FOR EACH ROW WHEN (({_ENQUEUE_WHEN}) OR ({_DEQUEUE_WHEN}))
       EXECUTE FUNCTION reminders_queue()""",
)
_SQLITE_UPSERT = ("INSERT INTO reminder_queue (id, due_at) VALUES (NEW.id, NEW.due_at) "
                  "ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at;")
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER reminders_queue_insert AFTER INSERT ON reminders
       WHEN NEW.status = 'pending' BEGIN {_SQLITE_UPSERT} END""",
    f"""CREATE TRIGGER reminders_queue_enqueue AFTER UPDATE OF status, due_at ON reminders
       WHEN {_ENQUEUE_WHEN} BEGIN {_SQLITE_UPSERT} END""",
    f"""CREATE TRIGGER reminders_queue_dequeue AFTER UPDATE OF status ON reminders
       WHEN {_DEQUEUE_WHEN} BEGIN DELETE FROM reminder_queue WHERE id = NEW.id; END""",
)


def create_triggers() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER reminders_queue_update ON reminders")
        op.execute("DROP TRIGGER reminders_queue_insert ON reminders")
        op.execute("DROP FUNCTION reminders_queue()")
    else:
        for name in ("reminders_queue_dequeue", "reminders_queue_enqueue",
                     "reminders_queue_insert"):
            op.execute(f"DROP TRIGGER {name}")


def upgrade() -> None:
    # Plain op calls (no batch mode): nothing here copies the reminders table on SQLite.
    op.create_table(
        "reminder_queue",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False,
                  autoincrement=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["reminders.id"], ondelete="CASCADE",
                                name=op.f("fk_reminder_queue_id_reminders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_queue")),
    )
    op.execute("INSERT INTO reminder_queue (id, due_at) "
               "SELECT id, due_at FROM reminders WHERE status = 'pending'")
    op.create_index("ix_reminder_queue_due", "reminder_queue", ["due_at", "id"])
    create_triggers()
    op.drop_index("ix_reminders_pending_due", table_name="reminders")
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE reminders ALTER COLUMN idempotency_key '
                   'TYPE VARCHAR(200) COLLATE "C"')
        op.execute("ALTER TABLE reminders SET (fillfactor = 90)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE reminders RESET (fillfactor)")
        op.execute("ALTER TABLE reminders ALTER COLUMN idempotency_key "
                   "TYPE VARCHAR(200) COLLATE \"default\"")
    op.create_index("ix_reminders_pending_due", "reminders", ["due_at", "id"],
                    postgresql_where=PENDING, sqlite_where=PENDING)
    drop_triggers()
    op.drop_index("ix_reminder_queue_due", table_name="reminder_queue")
    op.drop_table("reminder_queue")
