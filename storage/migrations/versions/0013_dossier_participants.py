"""dossier_participants: who takes part in each dossier, filled for existing dossiers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BATCH = 500

participants = sa.table("dossier_participants", sa.column("dossier_id", sa.BigInteger()),
                        sa.column("role", sa.String()), sa.column("party", sa.String()))


def upgrade() -> None:
    # A new table: plain op calls on every database (no batch copy on SQLite).
    op.create_table(
        "dossier_participants",
        sa.Column("dossier_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("party", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"],
                                name=op.f("fk_dossier_participants_dossier_id_dossiers")),
        sa.PrimaryKeyConstraint("dossier_id", "role", "party",
                                name=op.f("pk_dossier_participants")),
    )
    op.create_index("ix_dossier_participants_party", "dossier_participants",
                    ["party", "role"], unique=False)
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_dossier_participants_party", table_name="dossier_participants")
    op.drop_table("dossier_participants")


def _backfill(connection: sa.Connection) -> None:
    """Each stored dossier decoded as the application reads it, its participants found
    by the same function its saves use."""
    from storage.desk_read import participants as of
    from storage.desk_read import stored_dossiers

    for dossiers in stored_dossiers(connection, BATCH):
        found = [{"dossier_id": dossier.id, "role": role, "party": party}
                 for dossier in dossiers for role, party in sorted(of(dossier))]
        if found:
            connection.execute(sa.insert(participants), found)
