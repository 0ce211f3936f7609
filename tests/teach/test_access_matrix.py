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


# The catalogue (issue 7) and the course editor: every staff member browses and exports; only the class's
# staff assign to class A; only the author (own teacher) and admins edit a course written in the editor.
ALL_STAFF = frozenset({"own_teacher", "other_teacher", "manager", "other_manager", "admin"})
AUTHOR = frozenset({"own_teacher", "admin"})


def _editor_course_id(w) -> int:
    from sqlalchemy import select

    from lms.catalog.models import Course
    from lms.extensions import db

    return db.session.scalar(select(Course.id).where(Course.slug == "teachers-own"))


def _editor_module_id(w) -> int:
    from sqlalchemy import select

    from lms.catalog.models import CourseModule
    from lms.extensions import db

    return db.session.scalar(select(CourseModule.id).where(CourseModule.course_id == _editor_course_id(w)))


def _course_slugs(w) -> set[str]:
    from lms.catalog.models import Course
    from lms.extensions import db

    db.session.expire_all()
    return {c.slug for c in db.session.query(Course)}


def _editor_course_title(w) -> str:
    from lms.catalog.models import Course
    from lms.extensions import db

    db.session.expire_all()
    return db.session.get(Course, _editor_course_id(w)).title["vi"]


def _editor_module_titles(w) -> set[str]:
    from lms.catalog.models import CourseModule
    from lms.extensions import db

    db.session.expire_all()
    return {m.title["vi"] for m in db.session.query(CourseModule).filter_by(course_id=_editor_course_id(w))}


def _write_editor_course(w) -> None:
    """A course written in the editor by the own teacher, with one page."""
    from lms.accounts.models import User
    from lms.catalog import editor
    from lms.extensions import db

    author = db.session.get(User, w.user_ids["own_teacher"])
    written = editor.create_course(author, "teachers-own", {"vi": "Khoá của cô giáo", "en": "The teacher's course"},
                                   {"vi": "Tóm tắt", "en": "Summary"})
    editor.save_module(written, None, "page", "intro", {"vi": "Mở đầu", "en": "Intro"}, False,
                       'content = "intro"\n', {"intro.vi.md": "# Chào\n", "intro.en.md": "# Hello\n"})


def _page_form(title_vi: str) -> dict:
    return {"key": "intro", "title_vi": title_vi, "title_en": "Intro", "settings": 'content = "intro"\n',
            "file:intro.vi.md": "# Chào\n", "file:intro.en.md": "# Hello\n"}


CATALOG_ROUTES = [
    RouteSpec("catalogue", "GET", lambda w: "/catalog/?group=pupils", ALL_STAFF,
              marker=lambda w: "Kiến thức công dân số cơ bản"),
    RouteSpec("catalogue course page", "GET", lambda w: "/catalog/courses/civic-basics", ALL_STAFF,
              marker=lambda w: "Biết cổng dịch vụ công"),
    RouteSpec("assign from the catalogue", "GET",
              lambda w: f"/catalog/courses/civic-basics/assign?class_id={w.class_a_id}", CLASS_STAFF,
              location=lambda w: f"/teach/classes/{w.class_a_id}/assign?course_id={course().id}"),
    RouteSpec("manage courses", "GET", lambda w: "/catalog/manage", ALL_STAFF, marker=lambda w: "teachers-own"),
    RouteSpec("course export", "GET", lambda w: f"/catalog/{course().id}/export.zip", ALL_STAFF),
    RouteSpec("new course form", "GET", lambda w: "/catalog/new", ALL_STAFF),
    RouteSpec("new course", "POST", lambda w: "/catalog/new", ALL_STAFF,
              data=lambda w: {"slug": "brand-new", "title_vi": "Mới", "title_en": "New", "summary_vi": "Tóm tắt",
                              "summary_en": "Summary"},
              effect=lambda w: "brand-new" in _course_slugs(w)),
    RouteSpec("course editor", "GET", lambda w: f"/catalog/{_editor_course_id(w)}", AUTHOR,
              marker=lambda w: "Mở đầu"),
    RouteSpec("course editor save", "POST", lambda w: f"/catalog/{_editor_course_id(w)}", AUTHOR,
              data=lambda w: {"title_vi": "Tên mới", "title_en": "New name", "summary_vi": "Tóm tắt",
                              "summary_en": "Summary"},
              effect=lambda w: _editor_course_title(w) == "Tên mới"),
    RouteSpec("new module form", "GET", lambda w: f"/catalog/{_editor_course_id(w)}/modules/new/page", AUTHOR),
    RouteSpec("new module", "POST", lambda w: f"/catalog/{_editor_course_id(w)}/modules/new/quiz", AUTHOR,
              data=lambda w: {"key": "check", "title_vi": "Kiểm tra", "title_en": "Check",
                              "settings": 'questions = "check.toml"\n',
                              "file:check.toml": "[[questions]]\nid = \"q1\"\ntype = \"truefalse\"\nanswer = true\n"
                                                 "prompt = { vi = \"Đúng?\", en = \"True?\" }\n"
                                                 "feedback_correct = { vi = \"Đúng\", en = \"Right\" }\n"
                                                 "feedback_incorrect = { vi = \"Sai\", en = \"Wrong\" }\n"},
              effect=lambda w: "Kiểm tra" in _editor_module_titles(w)),
    RouteSpec("module editor", "GET", lambda w: f"/catalog/{_editor_course_id(w)}/modules/{_editor_module_id(w)}",
              AUTHOR, marker=lambda w: "# Chào"),
    RouteSpec("module editor save", "POST",
              lambda w: f"/catalog/{_editor_course_id(w)}/modules/{_editor_module_id(w)}", AUTHOR,
              data=lambda w: _page_form("Mở đầu mới"), effect=lambda w: "Mở đầu mới" in _editor_module_titles(w)),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("spec", CATALOG_ROUTES, ids=lambda s: s.name)
def test_catalogue_access(client, world, spec, actor):
    """Issue 7 with issue 5's one policy: the catalogue is for staff; students and visitors do not get it."""
    import_fixture_course()
    _write_editor_course(world)
    check_access(client, world, spec, actor)


def test_every_catalogue_route_is_in_the_matrix(app):
    """A new catalogue or editor route without a row in CATALOG_ROUTES fails here."""
    covered = {"/catalog/", "/catalog/courses/<slug>", "/catalog/courses/<slug>/assign", "/catalog/manage",
               "/catalog/<int:course_id>/export.zip", "/catalog/new", "/catalog/<int:course_id>",
               "/catalog/<int:course_id>/modules/new/<module_type>", "/catalog/<int:course_id>/modules/<int:module_id>"}
    public = {"/catalog/static/<path:filename>"}  # the stylesheet
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] == "catalog"}
    assert rules - covered - public == set()
