"""The demo's assignment: the beginners' course, given to the demo class, open now, due in two weeks."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from lms.accounts.models import SchoolClass, User
from lms.catalog.models import Course
from lms.extensions import db
from lms.teach.services import create_assignment


# Where a newcomer starts: computer and Ubuntu basics.
DEMO_COURSE_SLUG = "ubuntu-basics"


def build_demo_assignment(school_class: SchoolClass, teacher: User) -> str:
    """Assign the beginners' course (else the first by slug) to ``school_class``; returns a report line."""
    course = db.session.scalar(select(Course).where(Course.slug == DEMO_COURSE_SLUG))
    if course is None:
        course = db.session.scalar(select(Course).order_by(Course.slug))
    if course is None:
        return "No course is installed, so no demo assignment was created."
    now = datetime.now(timezone.utc)
    create_assignment(school_class, course, [], now - timedelta(minutes=1), now + timedelta(days=14), teacher,
                      notify=False)
    return f"Assigned the course {course.slug} to class {school_class.name} (due in 14 days)."
