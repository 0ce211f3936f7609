"""Courses, their modules and media files, as imported from packages or written in the editor."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Course(db.Model):
    """A course: its IRI never changes; ``version`` is the package version last imported."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    iri: Mapped[str] = mapped_column(sa.String(500), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    version: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    objectives: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    estimated_minutes: Mapped[int] = mapped_column(sa.Integer, default=0)
    target_groups: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    digcomp: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    vn_skills: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    tags: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    # "package" (imported from courses/) or "editor" (written by a teacher in the web interface).
    source: Mapped[str] = mapped_column(sa.String(20), default="package")
    # SHA-256 of the package files: re-importing an unchanged package does nothing.
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    modules: Mapped[list[CourseModule]] = relationship(
        back_populates="course", order_by="CourseModule.position", cascade="all, delete-orphan")

    @property
    def active_modules(self) -> list[CourseModule]:
        """Modules of the current version, in order (retired ones keep their learners' history)."""
        return [m for m in self.modules if not m.retired]

    def text(self, field: str, locale: str) -> str:
        value = getattr(self, field) or {}
        return value.get(locale) or value.get("vi", "")


class CourseModule(db.Model):
    """One module of a course, run by the activity plugin named in ``type``."""

    __tablename__ = "course_module"
    __table_args__ = (sa.UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    # The module id of the package, stable across versions; the IRI is course IRI + /modules/ + key.
    key: Mapped[str] = mapped_column(sa.String(100))
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    type: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    estimated_minutes: Mapped[int] = mapped_column(sa.Integer, default=0)
    requires_previous: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # True when a newer version of the package no longer has this module.
    retired: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    course: Mapped[Course] = relationship(back_populates="modules")

    @property
    def iri(self) -> str:
        return f"{self.course.iri}/modules/{self.key}"

    def text(self, locale: str) -> str:
        return (self.title or {}).get(locale) or (self.title or {}).get("vi", "")


class CourseAsset(db.Model):
    """A media file of a course (image or download), kept in the database so every worker serves it."""

    __tablename__ = "course_asset"
    __table_args__ = (sa.UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(300))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)

    course: Mapped[Course] = relationship()
