"""dossiers.search_text: the folded text /timkiem looks in, filled for existing dossiers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 06:00:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from workflow.text_fold import search_text

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The plan's parts a search looks in, as stored in the dossier's blob (storage.uow keeps
# the same list in dossier_search_text).
PLAN_PARTS = ("title", "problem", "regulation", "regulation_issuer", "approach",
              "expected_results")
BATCH = 500

dossiers = sa.table("dossiers", sa.column("id", sa.BigInteger()), sa.column("data", sa.JSON()),
                    sa.column("search_text", sa.Text()))
people = sa.table("people", sa.column("id", sa.String()), sa.column("name", sa.String()),
                  sa.column("unit_id", sa.String()))
units = sa.table("units", sa.column("id", sa.String()), sa.column("name", sa.String()))


def upgrade() -> None:
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="",
                                      nullable=False))
    _backfill(op.get_bind())


def downgrade() -> None:
    # Not in batch mode: SQLite (3.35 and later) drops a column in place, where a batch
    # would copy the table and drop the one every dossier table refers to.
    op.drop_column("dossiers", "search_text")


def _backfill(connection: sa.Connection) -> None:
    """Fold each stored dossier's text in Python (no database folds Vietnamese the same)."""
    named = {person: (name, unit) for person, name, unit in connection.execute(
        sa.select(people.c.id, people.c.name, units.c.name)
        .select_from(people.outerjoin(units, units.c.id == people.c.unit_id)))}
    last = None
    while True:
        query = sa.select(dossiers.c.id, dossiers.c.data).order_by(dossiers.c.id).limit(BATCH)
        if last is not None:
            query = query.where(dossiers.c.id > last)
        rows = connection.execute(query).all()
        if not rows:
            return
        for dossier_id, data in rows:
            connection.execute(sa.update(dossiers).where(dossiers.c.id == dossier_id)
                               .values(search_text=_text(data or {}, named)))
        last = rows[-1][0]


def _text(data: dict[str, Any], named: dict[str, tuple[str, str | None]]) -> str:
    plan = data.get("plan") or {}
    rounds = data.get("past_rounds") or []
    emergency = data.get("emergency") or {}
    proposers = [data.get("proposer"), *(data.get("co_proposers") or [])]
    found = [named[p] for p in proposers if p in named]
    unit_names = list(dict.fromkeys(unit for _, unit in found if unit))
    return search_text(
        *(_str(plan.get(part)) for part in PLAN_PARTS),
        _str(data.get("registration_number")), _str(data.get("answer_reference")),
        *(_str(r.get(key)) for r in rounds for key in ("registration_number",
                                                        "answer_reference")),
        _str(emergency.get("action_taken")), *(name for name, _ in found), *unit_names)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
