"""Tables of the document resources (state, activity and agent profiles) and canonical activities/agents."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xapi.lrs.models import Base, utcnow


class LrsDocument(Base):
    """One stored document, kept byte for byte with its content type (Communication §2.2).

    ``kind`` is ``state``, ``activity_profile`` or ``agent_profile``. A document is found by
    ``key``, a SHA-256 of everything that names it (kind, activity, agent, registration, id), so
    one short unique index serves all three resources even though some parts are absent.
    ``scope`` is a SHA-256 of (kind, activity, agent) without the registration and the id: the
    multiple-document GET and DELETE of the State Resource select on it.
    """

    __tablename__ = "lrs_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(64), index=True)
    activity_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    agent_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    registration: Mapped[str | None] = mapped_column(String(36), nullable=True)
    document_id: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(255))
    # SHA-1 of the content in lowercase hex: the ETag the specification asks for (§3.1).
    etag: Mapped[str] = mapped_column(String(40))
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LrsActivity(Base):
    """The canonical definition of an Activity, kept up to date from stored statements (§2.5)."""

    __tablename__ = "lrs_activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SHA-256 of the activity IRI: IRIs have no length limit, the unique index needs one.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    activity_id: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LrsAgent(Base):
    """What the LRS has seen of one agent identifier (IFI): the names used with it (§2.4 Person)."""

    __tablename__ = "lrs_agent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SHA-256 of the normalised IFI (see xapi.lrs.canonical.agent_key).
    key: Mapped[str] = mapped_column(String(64), unique=True)
    ifi: Mapped[dict] = mapped_column(JSON)
    names: Mapped[list] = mapped_column(JSON, default=list)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
