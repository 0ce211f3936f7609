"""Assignments: a course, or chosen modules of it, given to a class with an opening and a due date."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Course, CourseModule
from lms.extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Assignment(db.Model):
    """Work given to a class. ``module_keys`` empty means the whole course (as it is now)."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    # Stable module ids, so a new course version keeps the assignment meaningful.
    module_keys: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    opens_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)

    course: Mapped[Course] = relationship()
    school_class: Mapped[Any] = relationship("SchoolClass")

    @property
    def modules(self) -> list[CourseModule]:
        """The assigned modules of the course's current version, in course order."""
        active = self.course.active_modules
        if not self.module_keys:
            return active
        keys = set(self.module_keys)
        return [m for m in active if m.key in keys]
