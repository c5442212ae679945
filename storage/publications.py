"""Published results (887 Điều 5 khoản 3): the table and the repository the unit of work
hands out as ``uow.publications`` (``workflow.publishing``).

One row per dossier: what the committee made public, as a versioned blob, with the
office body and the times in columns for the public listing's query. The row is written
by the session's commit, with the dossier's step, its audit record and its outbox
messages (``storage.uow``); a withdrawal keeps the row and stamps it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.codec import Schema
from storage.models import Base, Body
from workflow.organisation import OrgBody
from workflow.publishing import CommitteeResults, Publication

PUBLICATION_BLOB = Schema("publication", Publication, version=1)


class PublicationRow(Base):
    __tablename__ = "publications"
    dossier_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("dossiers.id"),
                                            primary_key=True, autoincrement=False)
    body: Mapped[str] = mapped_column(String(64), index=True)
    published_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]]


class SqlPublications:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, dossier_id: int, /) -> Publication | None:
        row = await self.session.get(PublicationRow, dossier_id)
        return None if row is None else PUBLICATION_BLOB.load(row.data, dossier_id)

    async def put(self, publication: Publication, /) -> None:
        columns = {"body": publication.body, "published_at": publication.published_at,
                   "withdrawn_at": publication.withdrawn_at,
                   "data": PUBLICATION_BLOB.dump(publication)}
        row = await self.session.get(PublicationRow, publication.dossier_id)
        if row is None:
            self.session.add(PublicationRow(dossier_id=publication.dossier_id, **columns))
        else:
            for name, value in columns.items():
                setattr(row, name, value)

    async def public(self, under: Collection[str] | None = None, /
                     ) -> list[CommitteeResults]:
        query = select(PublicationRow).where(PublicationRow.withdrawn_at.is_(None))
        if under is not None:
            from storage.statistics import descendants  # the same tree as the statistics

            query = query.where(PublicationRow.body.in_(
                sorted(await descendants(self.session, under))))
        rows = (await self.session.execute(
            query.order_by(PublicationRow.published_at, PublicationRow.dossier_id))).scalars()
        found = [PUBLICATION_BLOB.load(row.data, row.dossier_id) for row in rows]
        if not found:
            return []
        tree = {row.id: OrgBody(row.id, row.name, row.kind, row.parent_id) for row in
                (await self.session.execute(select(Body))).scalars()}
        by_committee: dict[str, list[Publication]] = {}
        for publication in found:
            by_committee.setdefault(_committee(tree, publication.body), []).append(publication)
        results = [CommitteeResults(committee, tree[committee].name if committee in tree
                                    else committee, _line(tree, committee), tuple(items))
                   for committee, items in by_committee.items()]
        return sorted(results, key=lambda r: (r.name, r.committee))


def _committee(tree: dict[str, OrgBody], office: str) -> str:
    """The committee an office body belongs to: its parent (an office has no body under
    it); the body itself at the top of the chart."""
    body = tree.get(office)
    return body.parent if body is not None and body.parent else office


def _line(tree: dict[str, OrgBody], body_id: str) -> tuple[OrgBody, ...]:
    line: list[OrgBody] = []
    current: str | None = body_id
    while current is not None and current in tree and len(line) < 12:
        if any(b.id == current for b in line):
            break
        line.append(tree[current])
        current = tree[current].parent
    return tuple(line)
