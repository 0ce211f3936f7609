"""E-mails to students: a new assignment, and a reminder when a due date approaches.

Only students with an e-mail address get mail; each assignment is announced once and reminded
once (``notified_at`` / ``reminded_at``), so running the jobs again sends nothing twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db
from lms.learn import progress as reading
from lms.teach.mailer import mail_configured, send_messages
from lms.teach.models import Assignment
from lms.teach.schemas import SITE_ZONE
from lms.teach.services import gradebook


def _locale(user: User) -> str:
    return getattr(user, "preferred_locale", None) or current_app.config["DEFAULT_LOCALE"]


def _link(assignment: Assignment) -> str:
    return f"{current_app.config['SITE_URL'].rstrip('/')}/learn/assignments/{assignment.id}"


def _due_text(assignment: Assignment) -> str:
    if assignment.due_at is None:
        return ""
    due = assignment.due_at if assignment.due_at.tzinfo else assignment.due_at.replace(tzinfo=timezone.utc)
    return due.astimezone(SITE_ZONE).strftime("%d/%m/%Y %H:%M")


def _new_assignment_mail(assignment: Assignment, user: User) -> tuple[str, str, str]:
    locale = _locale(user)
    with force_locale(locale):
        title = assignment.course.text("title", locale)
        subject = _("New assignment: %(title)s", title=title)
        lines = [_("Hello %(name)s,", name=user.display_name), "",
                 _("Your teacher has given your class a new assignment: %(title)s.", title=title)]
        if assignment.due_at:
            lines.append(_("Please complete it by %(due)s.", due=_due_text(assignment)))
        lines += ["", _("Open it here: %(link)s", link=_link(assignment))]
    return user.email or "", subject, "\n".join(lines)


def _reminder_mail(assignment: Assignment, user: User) -> tuple[str, str, str]:
    locale = _locale(user)
    with force_locale(locale):
        title = assignment.course.text("title", locale)
        subject = _("Reminder: %(title)s is due soon", title=title)
        body = "\n".join([_("Hello %(name)s,", name=user.display_name), "",
                          _("The assignment %(title)s is due on %(due)s and is not finished yet.",
                            title=title, due=_due_text(assignment)),
                          "", _("Open it here: %(link)s", link=_link(assignment))])
    return user.email or "", subject, body


def notify_new_assignment(assignment_id: int) -> int:
    """Announce an assignment to its class's students with an address; returns mails sent."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.notified_at is not None or not mail_configured():
        return 0
    students = [s for s in assignment.school_class.students if s.email and s.is_active]
    sent = send_messages([_new_assignment_mail(assignment, s) for s in students])
    assignment.notified_at = datetime.now(timezone.utc)
    db.session.commit()
    return sent


def _unfinished(assignment: Assignment, students: list[User]) -> list[User]:
    """The ``students`` who have not completed the assignment (one progress query for the class)."""
    done = {row.student.id for row in gradebook(assignment).rows if row.status.status == reading.COMPLETED}
    return [s for s in students if s.id not in done]


def send_due_reminders(within_hours: int = 48, now: datetime | None = None) -> int:
    """Remind students who have not finished assignments due within ``within_hours``; returns mails sent."""
    if not mail_configured():
        return 0
    now = now or datetime.now(timezone.utc)
    due = list(db.session.scalars(select(Assignment).where(
        Assignment.reminded_at.is_(None), Assignment.due_at.is_not(None), Assignment.due_at > now,
        Assignment.due_at <= now + timedelta(hours=within_hours), Assignment.opens_at <= now)))
    sent = 0
    for assignment in due:
        students = [s for s in assignment.school_class.students if s.email and s.is_active]
        sent += send_messages([_reminder_mail(assignment, s) for s in _unfinished(assignment, students)])
        assignment.reminded_at = now
        db.session.commit()
    return sent
