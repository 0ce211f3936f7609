"""People and their groups: users, schools, classes, login throttling and the append-only audit log."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db

ROLES = ("admin", "manager", "teacher", "student")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC, so say so before comparing."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def new_public_id() -> str:
    return uuid.uuid4().hex


class_teacher = sa.Table(
    "class_teacher",
    db.metadata,
    sa.Column("class_id", sa.ForeignKey("school_class.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user_account.id"), primary_key=True, index=True),
)

class_student = sa.Table(
    "class_student",
    db.metadata,
    sa.Column("class_id", sa.ForeignKey("school_class.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user_account.id"), primary_key=True, index=True),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False, default=utcnow),
)


class School(db.Model):
    """A school; managers, teachers and students belong to at most one."""

    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    province: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    classes: Mapped[list[SchoolClass]] = relationship(back_populates="school", order_by="SchoolClass.name")


class User(db.Model, UserMixin):
    """A person who logs in. ``public_id`` is the opaque, stable id used as the xAPI account name."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True, nullable=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[str] = mapped_column(sa.String(16), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), nullable=True, index=True)
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # The first password, Fernet-encrypted with a key derived from SECRET_KEY, kept only so that
    # login cards can be printed; cleared at the first password change.
    initial_password_encrypted: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    preferred_locale: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    # Part of the session's user id: bumping it ends every other session of this user.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)

    school: Mapped[School | None] = relationship()
    classes_taught: Mapped[list[SchoolClass]] = relationship(
        secondary=class_teacher, back_populates="teachers", order_by="SchoolClass.name")
    classes_attended: Mapped[list[SchoolClass]] = relationship(
        secondary=class_student, back_populates="students", order_by="SchoolClass.name")

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def get_id(self) -> str:
        """Flask-Login keeps this in the session; the loader refuses it once the version moved on."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class SchoolClass(db.Model):
    """A class of one school with its teachers and students; ``code`` is printed on login cards."""

    __tablename__ = "school_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    school_year: Mapped[str] = mapped_column(sa.String(16), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    school: Mapped[School] = relationship(back_populates="classes")
    teachers: Mapped[list[User]] = relationship(
        secondary=class_teacher, back_populates="classes_taught", order_by="User.full_name")
    students: Mapped[list[User]] = relationship(
        secondary=class_student, back_populates="classes_attended", order_by="User.full_name")


class LoginThrottle(db.Model):
    """Failed logins counted per account (or per unknown name) and per IP address.

    Kept in the database so that every gunicorn worker sees the same counts.
    """

    __tablename__ = "login_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)


AUDIT_OUTCOMES = ("ok", "denied", "failed")


class AuditLog(db.Model):
    """One administrative or security action: who, when, from where, what, outcome. Never a secret."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), nullable=True, index=True)
    # Copied so the row still says who acted if the account is renamed later.
    actor_username: Mapped[str] = mapped_column(sa.String(64), default="")
    ip_address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    outcome: Mapped[str] = mapped_column(sa.String(16))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit record."""


@event.listens_for(AuditLog, "before_update")
def _refuse_audit_update(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyError("the audit log is append-only: records cannot be changed")


@event.listens_for(AuditLog, "before_delete")
def _refuse_audit_delete(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyError("the audit log is append-only: records cannot be deleted")
