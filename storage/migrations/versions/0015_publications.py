"""publications: the evaluated plans a committee made public (887 Điều 5 khoản 3)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 14:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("dossier_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("body", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"],
                                name=op.f("fk_publications_dossier_id_dossiers")),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_publications")),
    )
    op.create_index(op.f("ix_publications_body"), "publications", ["body"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_publications_body"), table_name="publications")
    op.drop_table("publications")
