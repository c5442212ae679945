"""The table of recorded documents: each numbered, signed document of a dossier with the
.docx file as recorded. Rows are written once; only the signed scan is added later."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class DocumentRow(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
