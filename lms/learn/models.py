"""Learners' progress: enrolments (one per learner and course), module progress and attempts."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Course, CourseModule
from lms.extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_registration() -> str:
    return str(uuid.uuid4())


class Enrolment(db.Model):
    """A learner taking a course; ``registration`` is the xAPI context registration of all its statements."""

    __tablename__ = "enrolment"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    registration: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_registration)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    # The module the learner opened last: the player resumes there.
    last_module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course_module.id"), nullable=True)

    course: Mapped[Course] = relationship()
    progress: Mapped[list[ModuleProgress]] = relationship(back_populates="enrolment")


class ModuleProgress(db.Model):
    """One learner's progress on one module."""

    __tablename__ = "module_progress"
    __table_args__ = (sa.UniqueConstraint("enrolment_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("course_module.id"), index=True)
    # not_started, in_progress or completed
    status: Mapped[str] = mapped_column(sa.String(20), default="not_started")
    acknowledged: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    passed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    best_scaled: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    last_scaled: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    # Sessions (launch ... terminate) opened so far; the open one, if any, is number ``sessions``.
    sessions: Mapped[int] = mapped_column(sa.Integer, default=0)
    session_open: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    session_started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="progress")
    module: Mapped[CourseModule] = relationship()

    def facts(self) -> dict[str, Any]:
        """What an activity plugin's completion rule looks at."""
        return {"acknowledged": self.acknowledged, "passed": self.passed, "attempts": self.attempts}


class Attempt(db.Model):
    """One attempt at a graded module: its state while open, its outcome once submitted."""

    __tablename__ = "attempt"
    __table_args__ = (sa.UniqueConstraint("progress_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(sa.ForeignKey("module_progress.id"))
    number: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    score_raw: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    score_max: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    scaled: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    success: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    response: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    results: Mapped[list[Any] | None] = mapped_column(sa.JSON, nullable=True)

    progress: Mapped[ModuleProgress] = relationship()
