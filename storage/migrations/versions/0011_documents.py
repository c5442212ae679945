"""documents: the numbered, signed documents of a dossier with their files

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 07:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("dossier_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"],
                                name=op.f("fk_documents_dossier_id_dossiers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(op.f("ix_documents_dossier_id"), "documents", ["dossier_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_documents_dossier_id"), table_name="documents")
    op.drop_table("documents")
