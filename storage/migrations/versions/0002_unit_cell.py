"""units.cell_id: the unit's party cell, where route resolution starts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:34:57.408030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # In place, not by batch mode: batch copies `units` and drops the original, which
        # the foreign keys of `people` refuse inside the migration's transaction (where
        # PRAGMA foreign_keys cannot be turned off). SQLite accepts a nullable column with
        # an inline, named REFERENCES clause.
        op.execute("ALTER TABLE units ADD COLUMN cell_id VARCHAR(64) "
                   "CONSTRAINT fk_units_cell_id_bodies REFERENCES bodies (id)")
    else:
        op.add_column("units", sa.Column("cell_id", sa.String(length=64), nullable=True))
        op.create_foreign_key(op.f("fk_units_cell_id_bodies"), "units", "bodies",
                              ["cell_id"], ["id"])
    op.create_index(op.f("ix_units_cell_id"), "units", ["cell_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_units_cell_id"), table_name="units")
    if op.get_bind().dialect.name == "sqlite":
        # Batch mode copies the table without the column (and its unnamed-on-reflection
        # foreign key); like any copy of `units`, it needs no person pointing at a unit.
        with op.batch_alter_table("units", schema=None) as batch_op:
            batch_op.drop_column("cell_id")
    else:
        op.drop_constraint(op.f("fk_units_cell_id_bodies"), "units", type_="foreignkey")
        op.drop_column("units", "cell_id")
