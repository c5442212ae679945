"""dossier_participants.task: the role has something to do on the dossier now (/viec is
counted and paged in SQL on it); set on the stored dossiers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# Only the columns the backfill writes by (the table as it stands at this revision).
participants = sa.table("dossier_participants", sa.column("dossier_id", sa.BigInteger()),
                        sa.column("role", sa.String()), sa.column("task", sa.Boolean()))


def upgrade() -> None:
    with op.batch_alter_table("dossier_participants") as batch_op:
        batch_op.add_column(sa.Column("task", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    _backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("dossier_participants") as batch_op:
        batch_op.drop_column("task")


def _backfill(connection: sa.Connection) -> None:
    """The roles with a task now, as the dossier's saves find them (workflow.desk_tasks),
    on each stored dossier decoded as the application reads it."""
    from storage.desk_read import stored_dossiers
    from workflow.desk_tasks import task_roles

    for dossiers in stored_dossiers(connection):
        for dossier in dossiers:
            if roles := task_roles(dossier):
                connection.execute(sa.update(participants).where(
                    participants.c.dossier_id == dossier.id,
                    participants.c.role.in_(sorted(r.value for r in roles))).values(task=True))
