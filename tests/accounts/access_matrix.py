"""The access matrix: every view and export, who may use it, and how to tell that data leaked.

Other features add their routes by writing their own ``RouteSpec`` list and calling
``check_access`` from a parametrized test (see test_access_matrix.py), using ``build_world``
(tests/accounts/factories.py) for the people and classes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from tests.accounts.factories import World, login

ACTORS = ("student", "other_student", "own_teacher", "other_teacher", "manager", "other_manager", "admin",
          "anonymous")
CLASS_STAFF = frozenset({"own_teacher", "manager", "admin"})
CLASS_MEMBERS = CLASS_STAFF | {"student"}
ADMIN = frozenset({"admin"})


@dataclass(frozen=True)
class RouteSpec:
    """One view or export.

    ``marker`` is text only an allowed actor may receive. A ``filtered`` view (a list, or the
    user's own page) may answer 200 to those not allowed but then leaves the marker out;
    any other view answers 403 to them. ``effect`` (POST) tells whether the action took place.
    ``location`` marks a GET that sends allowed actors on (302) to a URL containing it.
    """

    name: str
    method: str
    url: Callable[[World], str]
    allowed: frozenset[str]
    marker: Callable[[World], str] | None = None
    filtered: bool = False
    data: Callable[[World], dict] = field(default=lambda w: {})
    effect: Callable[[World], bool] | None = None
    location: Callable[[World], str] | None = None


def _db():
    from lms.extensions import db

    db.session.expire_all()
    return db


def _class_a_student_count(w: World) -> int:
    from lms.accounts.models import SchoolClass

    return len(_db().session.get(SchoolClass, w.class_a_id).students)


def _student(w: World):
    from lms.accounts.models import User

    return _db().session.get(User, w.user_ids["student"])


def _class_a_teachers(w: World) -> set[str]:
    from lms.accounts.models import SchoolClass

    return {t.username for t in _db().session.get(SchoolClass, w.class_a_id).teachers}


def _lrs_client_count(w: World) -> int:
    from xapi.lrs.models import LrsClient

    return _db().session.query(LrsClient).count()


def _school_count(w: World) -> int:
    from lms.accounts.models import School

    return _db().session.query(School).count()


def _class_a(path: str = "") -> Callable[[World], str]:
    return lambda w: f"/classes/{w.class_a_id}{path}"


ROUTES: list[RouteSpec] = [
    RouteSpec("own account page", "GET", lambda w: "/account", frozenset({"student"}),
              marker=lambda w: w.student_username, filtered=True),
    RouteSpec("student profile", "GET", lambda w: f"/users/{w.student_public_id}", CLASS_MEMBERS,
              marker=lambda w: w.student_username),
    RouteSpec("class list", "GET", lambda w: "/classes", CLASS_MEMBERS, marker=lambda w: w.class_a_name,
              filtered=True),
    RouteSpec("class page", "GET", _class_a(), CLASS_MEMBERS, marker=lambda w: w.class_a_code),
    RouteSpec("login cards", "GET", _class_a("/cards"), CLASS_STAFF, marker=lambda w: w.student_username),
    RouteSpec("class list export (CSV)", "GET", _class_a("/students.csv"), CLASS_STAFF,
              marker=lambda w: w.student_username),
    RouteSpec("roster import form", "GET", _class_a("/roster"), CLASS_STAFF, marker=lambda w: w.class_a_name),
    RouteSpec("school manager's overview", "GET", lambda w: "/school", frozenset({"manager"}),
              marker=lambda w: w.class_a_name, filtered=True),
    RouteSpec("new class form", "GET", lambda w: "/classes/new",
              frozenset({"own_teacher", "other_teacher", "manager", "other_manager", "admin"})),
    RouteSpec("roster import", "POST", _class_a("/roster"), CLASS_STAFF,
              data=lambda w: {"csv_text": "Phan Văn Mới\n"}, effect=lambda w: _class_a_student_count(w) == 2),
    RouteSpec("add a student", "POST", _class_a("/students"), CLASS_STAFF,
              data=lambda w: {"full_name": "Lý Thị Mới"}, effect=lambda w: _class_a_student_count(w) == 2),
    RouteSpec("reset a student's password", "POST",
              lambda w: f"/classes/{w.class_a_id}/students/{w.student_public_id}/reset-password", CLASS_STAFF,
              effect=lambda w: _student(w).must_change_password),
    RouteSpec("remove a student", "POST",
              lambda w: f"/classes/{w.class_a_id}/students/{w.student_public_id}/remove", CLASS_STAFF,
              effect=lambda w: _class_a_student_count(w) == 0),
    RouteSpec("add a teacher to a class", "POST", _class_a("/teachers"), CLASS_STAFF,
              data=lambda w: {"username": w.usernames["other_teacher"]},
              effect=lambda w: w.usernames["other_teacher"] in _class_a_teachers(w)),
    RouteSpec("admin home", "GET", lambda w: "/admin/", ADMIN),
    RouteSpec("admin user search", "GET", lambda w: "/admin/users?q=hocsinh", ADMIN,
              marker=lambda w: w.student_username),
    RouteSpec("admin user page", "GET", lambda w: f"/admin/users/{w.user_ids['student']}", ADMIN,
              marker=lambda w: w.student_username),
    RouteSpec("admin new user form", "GET", lambda w: "/admin/users/new", ADMIN),
    RouteSpec("admin schools", "GET", lambda w: "/admin/schools", ADMIN, marker=lambda w: "SAOMAI"),
    RouteSpec("admin audit log", "GET", lambda w: "/admin/audit", ADMIN),
    RouteSpec("admin LRS credentials", "GET", lambda w: "/admin/lrs-clients", ADMIN),
    RouteSpec("admin password reset", "POST", lambda w: f"/admin/users/{w.user_ids['student']}/reset-password",
              ADMIN, effect=lambda w: _student(w).must_change_password),
    RouteSpec("admin deactivation", "POST", lambda w: f"/admin/users/{w.user_ids['student']}/active", ADMIN,
              data=lambda w: {"active": "0"}, effect=lambda w: not _student(w).is_active),
    RouteSpec("admin role change", "POST", lambda w: f"/admin/users/{w.user_ids['student']}/role", ADMIN,
              data=lambda w: {"role": "teacher", "school_id": str(w.school_id)},
              effect=lambda w: _student(w).role == "teacher"),
    RouteSpec("admin school creation", "POST", lambda w: "/admin/schools", ADMIN,
              data=lambda w: {"name": "Trường Mới", "code": "TRUONGMOI"}, effect=lambda w: _school_count(w) == 3),
    RouteSpec("admin LRS credential creation", "POST", lambda w: "/admin/lrs-clients", ADMIN,
              data=lambda w: {"name": "Kho học liệu", "scopes": ["statements/read"]},
              effect=lambda w: _lrs_client_count(w) == 1),
]


def check_access(client, world: World, spec: RouteSpec, actor: str) -> None:
    """Ask ``spec``'s route as ``actor`` and assert that only an allowed actor gets the data or the effect."""
    if actor != "anonymous":
        assert login(client, world.usernames[actor]).status_code == 302
    url = spec.url(world)
    if spec.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=spec.data(world))
    body = response.get_data().decode("utf-8", "replace")  # exports may be binary (zip)
    allowed = actor in spec.allowed
    if actor == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"], response.status_code
    elif allowed:
        expected = (302,) if spec.location else (200,) if spec.method == "GET" else (200, 302)
        assert response.status_code in expected, response.status_code
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"]
        if spec.location:
            assert spec.location(world) in response.headers["Location"], response.headers["Location"]
        if spec.marker:
            assert spec.marker(world) in body, f"{actor} should see the data of {spec.name}"
    elif spec.filtered:
        assert response.status_code in (200, 403), response.status_code
        assert spec.marker(world) not in body, f"{actor} must not see the data of {spec.name}"
    else:
        assert response.status_code == 403, response.status_code
        if spec.marker:
            assert spec.marker(world) not in body
    if spec.effect is not None:
        assert spec.effect(world) is (actor in spec.allowed), f"{spec.name} by {actor}: effect mismatch"
