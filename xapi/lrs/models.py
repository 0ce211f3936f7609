"""Database models of the LRS (statements, credentials); plain SQLAlchemy, no Flask."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON, BigInteger, Boolean, DateTime, Index, Integer, LargeBinary, MetaData, String, Text, false, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every LRS table; kept apart from the LMS models so the LRS can run alone."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class LrsClient(Base):
    """A credential (key + hashed secret) that other systems use with HTTP Basic auth."""

    __tablename__ = "lrs_client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of a 256-bit random secret: safe against guessing without a slow password hash,
    # so checking a request costs microseconds (see auth.py).
    secret_digest: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    # The authority Agent put on statements written with this credential.
    authority: Mapped[dict] = mapped_column(JSON)
    allowed_origins: Mapped[list] = mapped_column(JSON, default=list)
    # Accept PUTs that create a profile document without If-Match/If-None-Match
    # (documents.py, _put_rule): for clients such as TinCanPython that never send one.
    bare_profile_put: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Statement(Base):
    """One stored statement: its exact JSON plus the columns that ordering, paging and voiding need.

    Statements are ordered by (``stored``, ``seq``): ``stored`` is the order the specification
    asks for, ``seq`` (unique) breaks ties between the statements of one batch, which share
    their ``stored`` time. ``seq`` is NOT the commit order on PostgreSQL, where writers run
    concurrently (see storage.py for why paging and Consistent-Through stay exact anyway).
    Filters other than time live in :class:`StatementIndex`.
    """

    __tablename__ = "lrs_statement"
    __table_args__ = (
        Index("ix_lrs_statement_stored_seq", "stored", "seq"),
        Index("ix_lrs_statement_client_id_stored_seq", "client_id", "stored", "seq"),
        # Only statements whose object is a StatementRef have a target: keep the index small.
        Index("ix_lrs_statement_ref_target", "ref_target",
              postgresql_where=text("ref_target IS NOT NULL"), sqlite_where=text("ref_target IS NOT NULL")),
    )

    # PostgreSQL: drawn from the sequence lrs_statement_seq (created by the migration);
    # SQLite: last + 1 under the database write lock.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    stored: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    verb_id: Mapped[str] = mapped_column(Text)
    # The credential that wrote it (NULL: the LMS itself); scope statements/read/mine reads on it.
    client_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    # The verb is http://adlnet.gov/expapi/verbs/voided: such a statement can never be voided.
    voiding: Mapped[bool] = mapped_column(Boolean, default=False)
    # Id of the statement this one's object refers to (StatementRef), for voiding and filters.
    ref_target: Mapped[str | None] = mapped_column(String(36), nullable=True)
    has_attachments: Mapped[bool] = mapped_column(Boolean, default=False)
    # The statement exactly as stored (with id, stored, timestamp, authority, version): format=exact.
    body: Mapped[str] = mapped_column(Text)


class StatementIndex(Base):
    """One filter key of one statement: every value a GET filter can match, with its kind.

    Kinds: ``v`` verb, ``r`` registration, ``a`` agent (actor/object and their group members),
    ``A`` related agent (every agent the statement mentions), ``t`` object activity, ``T``
    related activity (object, context activities, SubStatement); a related key is stored only
    when the statement has no direct key (``a``/``t``) of the same value, and related filters
    read both kinds. A statement whose object is a
    StatementRef also carries the keys of its target (Communication §2.1.3.s3). The primary
    key (kind, value, stored, statement_seq) is the index each filter reads in ``stored``
    order, newest first, with the time bounds and the paging cursor as index bounds; a
    second filter is a probe on the full key. ``stored`` is a copy of the statement's.
    Long values are replaced by a SHA-256 (see keys.py) so that the key fits any B-tree.
    """

    __tablename__ = "lrs_statement_index"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)
    stored: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    statement_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class StatementAttachment(Base):
    """Attachment content received in multipart requests, stored once per SHA-2."""

    __tablename__ = "lrs_attachment"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
