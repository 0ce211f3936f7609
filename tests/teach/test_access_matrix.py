"""The learning loop's views and exports in the access matrix of tests/accounts (issue 5's one policy)."""
from __future__ import annotations

import pytest

from tests.accounts.access_matrix import ACTORS, CLASS_STAFF, RouteSpec, check_access
from tests.learn.helpers import assign, course, import_fixture_course, module_ids

STUDENT = frozenset({"student"})


def _assignment_id(w) -> int:
    from sqlalchemy import select

    from lms.extensions import db
    from lms.teach.models import Assignment

    return db.session.scalar(select(Assignment.id).order_by(Assignment.id))


def _assignment_count(w) -> int:
    from lms.extensions import db
    from lms.teach.models import Assignment

    db.session.expire_all()
    return db.session.query(Assignment).count()


ROUTES = [
    RouteSpec("my assignments", "GET", lambda w: "/learn/", STUDENT, marker=lambda w: "Kiến thức công dân số",
              filtered=True),
    RouteSpec("assignment page (student)", "GET", lambda w: f"/learn/assignments/{_assignment_id(w)}", STUDENT,
              marker=lambda w: "Cổng dịch vụ công"),
    RouteSpec("player", "GET", lambda w: f"/learn/assignments/{_assignment_id(w)}/modules/{module_ids()['portal']}",
              STUDENT, marker=lambda w: "Cổng dịch vụ công quốc gia"),
    RouteSpec("teacher's assignments", "GET", lambda w: "/teach/", CLASS_STAFF,
              marker=lambda w: w.class_a_name, filtered=True),
    RouteSpec("assign form", "GET", lambda w: f"/teach/classes/{w.class_a_id}/assign", CLASS_STAFF,
              marker=lambda w: w.class_a_name),
    RouteSpec("gradebook", "GET", lambda w: f"/teach/assignments/{_assignment_id(w)}", CLASS_STAFF,
              marker=lambda w: w.student_username),
    RouteSpec("gradebook CSV", "GET", lambda w: f"/teach/assignments/{_assignment_id(w)}/gradebook.csv", CLASS_STAFF,
              marker=lambda w: w.student_username),
    RouteSpec("assign a course", "POST", lambda w: f"/teach/classes/{w.class_a_id}/assign", CLASS_STAFF,
              data=lambda w: {"course_id": str(course().id), "opens_on": "2024-01-01"},
              effect=lambda w: _assignment_count(w) == 2),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("spec", ROUTES, ids=lambda s: s.name)
def test_access(client, world, spec, actor):
    import_fixture_course()
    assign(world.class_a_id)
    if spec.filtered and spec.url(world).startswith("/teach/") and actor in ("student", "other_student"):
        # Students are not staff: the teachers' pages are not theirs at all.
        _login_and_expect_403(client, world, spec, actor)
        return
    check_access(client, world, spec, actor)


def _login_and_expect_403(client, world, spec, actor):
    from tests.accounts.factories import login

    login(client, world.usernames[actor])
    assert client.get(spec.url(world)).status_code == 403
