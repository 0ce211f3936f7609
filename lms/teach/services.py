"""Assignments and the gradebook: creating assignments, and class results per assignment (+ CSV)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts.models import SchoolClass, User
from lms.catalog.models import Course, CourseModule
from lms.extensions import db
from lms.learn import progress as reading
from lms.learn.models import Enrolment, ModuleProgress
from lms.teach.models import Assignment


class AssignmentError(ValueError):
    """The assignment cannot be created as asked; the message is for the teacher (an English msgid)."""


def create_assignment(school_class: SchoolClass, course: Course, module_keys: list[str], opens_at: datetime,
                      due_at: datetime | None, teacher: User | None, notify: bool = True) -> Assignment:
    """Assign the course (all modules when ``module_keys`` is empty) to the class; commits once."""
    known = {m.key for m in course.active_modules}
    unknown = [k for k in module_keys if k not in known]
    if unknown:
        raise AssignmentError("Unknown module")
    if due_at is not None and due_at <= opens_at:
        raise AssignmentError("The due date must be after the opening date.")
    keys = [m.key for m in course.active_modules if m.key in set(module_keys)]
    if keys and len(keys) == len(known):
        keys = []  # every module chosen = the whole course, including modules a later version adds
    assignment = Assignment(class_id=school_class.id, course_id=course.id, module_keys=keys, opens_at=opens_at,
                            due_at=due_at, created_by_id=teacher.id if teacher else None)
    db.session.add(assignment)
    db.session.commit()
    if notify:
        from lms.jobs import enqueue

        enqueue("lms.teach.notifications:notify_new_assignment", assignment.id)
    return assignment


def class_assignments(classes: list[SchoolClass]) -> dict[int, list[Assignment]]:
    """The assignments of each class, newest first, with their courses (one query for all classes)."""
    by_class: dict[int, list[Assignment]] = {c.id: [] for c in classes}
    if by_class:
        query = (select(Assignment).where(Assignment.class_id.in_(by_class))
                 .options(selectinload(Assignment.course).selectinload(Course.modules))
                 .order_by(Assignment.opens_at.desc(), Assignment.id.desc()))
        for assignment in db.session.scalars(query):
            by_class[assignment.class_id].append(assignment)
    return by_class


@dataclass
class Cell:
    """One student's result on one module."""

    module: CourseModule
    progress: ModuleProgress | None

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else reading.NOT_STARTED

    @property
    def score(self) -> int | None:
        best = self.progress.best_scaled if self.progress else None
        return None if best is None else round(best * 100)

    @property
    def attempts(self) -> int:
        return self.progress.attempts if self.progress else 0


@dataclass
class GradebookRow:
    student: User
    status: reading.AssignmentStatus
    cells: list[Cell]


@dataclass
class Gradebook:
    assignment: Assignment
    modules: list[CourseModule]
    rows: list[GradebookRow]


def gradebook(assignment: Assignment) -> Gradebook:
    """Every student of the class × every assigned module (two queries, whatever the class size)."""
    modules = assignment.modules
    students = sorted(assignment.school_class.students, key=lambda u: (u.full_name or u.username, u.username))
    rows_by_user: dict[int, dict[int, ModuleProgress]] = {s.id: {} for s in students}
    if students and modules:
        query = (select(Enrolment.user_id, ModuleProgress).join(ModuleProgress.enrolment)
                 .where(Enrolment.user_id.in_(rows_by_user), ModuleProgress.module_id.in_([m.id for m in modules])))
        for user_id, row in db.session.execute(query):
            rows_by_user[user_id][row.module_id] = row
    rows = [GradebookRow(s, reading.assignment_status(modules, rows_by_user[s.id], assignment.due_at),
                         [Cell(m, rows_by_user[s.id].get(m.id)) for m in modules]) for s in students]
    return Gradebook(assignment, modules, rows)


def _cell(value: object) -> object:
    """Spreadsheets run text that starts with = + - @ as a formula: neutralise it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def gradebook_csv(book: Gradebook, locale: str) -> str:
    """The gradebook as CSV: one row per student, status/score/attempts columns per module."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["username", "full_name", "status", "progress_percent"]
    for m in book.modules:
        header += [f"{m.key}:status", f"{m.key}:best_score_percent", f"{m.key}:attempts"]
    writer.writerow(header)
    for row in book.rows:
        line = [_cell(row.student.username), _cell(row.student.full_name), row.status.status, row.status.percent]
        for cell in row.cells:
            line += [cell.status, "" if cell.score is None else cell.score, cell.attempts]
        writer.writerow(line)
    return out.getvalue()
