"""Reading progress: per module, per assignment (status and percent) and per course; no writes here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import select

from lms.accounts.models import as_utc
from lms.catalog.models import CourseModule
from lms.extensions import db
from lms.learn.models import Enrolment, ModuleProgress

NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE = "not_started", "in_progress", "completed", "overdue"


@dataclass
class ModuleStatus:
    """A module as one learner sees it in an assignment."""

    module: CourseModule
    progress: ModuleProgress | None
    locked: bool

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else NOT_STARTED

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED


@dataclass
class AssignmentStatus:
    """One learner's standing in one assignment."""

    status: str
    completed: int
    total: int
    modules: list[ModuleStatus]

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    def resume_module(self, last_module_id: int | None) -> CourseModule | None:
        """Where the player resumes: the last opened module if unfinished, else the first open one."""
        for entry in self.modules:
            if entry.module.id == last_module_id and not entry.completed and not entry.locked:
                return entry.module
        for entry in self.modules:
            if not entry.completed and not entry.locked:
                return entry.module
        return self.modules[0].module if self.modules else None


def progress_by_module(user_id: int, module_ids: Iterable[int]) -> dict[int, ModuleProgress]:
    """The learner's progress rows for the given modules, by module id (one query)."""
    ids = list(module_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(ModuleProgress).join(Enrolment).where(Enrolment.user_id == user_id, ModuleProgress.module_id.in_(ids)))
    return {row.module_id: row for row in rows}


def module_statuses(modules: list[CourseModule], progress: dict[int, ModuleProgress]) -> list[ModuleStatus]:
    """Each assigned module with its progress; a module that requires the previous one is locked
    until the previous assigned module is completed."""
    result: list[ModuleStatus] = []
    for module in modules:
        locked = bool(module.requires_previous and result and not result[-1].completed)
        result.append(ModuleStatus(module, progress.get(module.id), locked))
    return result


def assignment_status(modules: list[CourseModule], progress: dict[int, ModuleProgress],
                      due_at: datetime | None, now: datetime | None = None) -> AssignmentStatus:
    """Status (not started, in progress, completed, overdue) and counts for one learner."""
    now = now or datetime.now(timezone.utc)
    statuses = module_statuses(modules, progress)
    completed = sum(1 for s in statuses if s.completed)
    if statuses and completed == len(statuses):
        status = COMPLETED
    elif due_at is not None and as_utc(due_at) < now:
        status = OVERDUE
    elif any(s.status != NOT_STARTED for s in statuses):
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    return AssignmentStatus(status, completed, len(statuses), statuses)


def course_percent(enrolment: Enrolment) -> int:
    """Share of the course's current modules the learner completed, 0..100."""
    active = [m.id for m in enrolment.course.active_modules]
    if not active:
        return 0
    done = db.session.scalar(
        select(db.func.count()).select_from(ModuleProgress).where(
            ModuleProgress.enrolment_id == enrolment.id, ModuleProgress.module_id.in_(active),
            ModuleProgress.status == COMPLETED))
    return round(100 * (done or 0) / len(active))
