"""The student's view of assignments: the list with status and progress, and one assignment's modules."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User, as_utc
from lms.accounts.policy import visible_classes
from lms.catalog.models import Course, CourseModule
from lms.extensions import db
from lms.learn import progress as reading
from lms.learn.models import Enrolment
from lms.learn.services import load_assignment
from lms.teach.models import Assignment


@dataclass
class AssignmentRow:
    """One assignment as the student sees it."""

    assignment: Assignment
    status: reading.AssignmentStatus
    resume: CourseModule | None


def my_assignments(user: User) -> list[AssignmentRow]:
    """Open assignments of the student's classes, due soonest first, with status and progress."""
    now = datetime.now(timezone.utc)
    class_ids = select(visible_classes(user).subquery().c.id)
    query = (select(Assignment).where(Assignment.class_id.in_(class_ids))
             .options(selectinload(Assignment.course).selectinload(Course.modules),
                      selectinload(Assignment.school_class)))
    assignments = [a for a in db.session.scalars(query) if as_utc(a.opens_at) <= now]
    modules = {a.id: a.modules for a in assignments}
    progress = reading.progress_by_module(user.id, [m.id for ms in modules.values() for m in ms])
    last = dict(db.session.execute(select(Enrolment.course_id, Enrolment.last_module_id)
                                   .where(Enrolment.user_id == user.id)).all())
    rows = []
    for a in assignments:
        status = reading.assignment_status(modules[a.id], progress, a.due_at, now)
        rows.append(AssignmentRow(a, status, status.resume_module(last.get(a.course_id))))
    far = datetime.max.replace(tzinfo=timezone.utc)
    rows.sort(key=lambda r: (r.status.status == reading.COMPLETED, as_utc(r.assignment.due_at) or far, r.assignment.id))
    return rows


def assignment_overview(user: User, assignment_id: int) -> AssignmentRow:
    """One open assignment of the student, with each module's status and lock."""
    assignment = load_assignment(user, assignment_id)
    modules = assignment.modules
    progress = reading.progress_by_module(user.id, [m.id for m in modules])
    last = db.session.scalar(select(Enrolment.last_module_id).where(
        Enrolment.user_id == user.id, Enrolment.course_id == assignment.course_id))
    status = reading.assignment_status(modules, progress, assignment.due_at)
    return AssignmentRow(assignment, status, status.resume_module(last))
