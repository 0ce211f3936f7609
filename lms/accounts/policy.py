"""The one access policy: who may see or manage which user and class. Every view and export asks here.

The rules: an admin sees everything; a school manager sees their own school; a teacher sees
the classes they teach and those classes' students; a student sees only themselves and the
classes they attend. Anonymous or deactivated users see nothing.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from lms.accounts.models import SchoolClass, User, class_student, class_teacher
from lms.extensions import login_manager


def _is_user(actor: Any) -> bool:
    return isinstance(actor, User) and bool(actor.is_active)


def _teaches(actor: User, school_class: SchoolClass) -> bool:
    return any(teacher.id == actor.id for teacher in school_class.teachers)


def _attends(actor: User, school_class: SchoolClass) -> bool:
    return any(student.id == actor.id for student in school_class.students)


def can_manage_class(actor: Any, school_class: SchoolClass) -> bool:
    """Change a class, its roster and its cards: a teacher of it, the manager of its school, an admin."""
    if not _is_user(actor):
        return False
    if actor.role == "admin":
        return True
    if actor.role == "manager":
        return actor.school_id is not None and actor.school_id == school_class.school_id
    if actor.role == "teacher":
        return _teaches(actor, school_class)
    return False


def can_view_class(actor: Any, school_class: SchoolClass) -> bool:
    """See a class: whoever may manage it, and the students in it."""
    if can_manage_class(actor, school_class):
        return True
    return _is_user(actor) and actor.role == "student" and _attends(actor, school_class)


def can_view_user(actor: Any, target: User) -> bool:
    """See a person's data: themselves, the admin, their school's manager, a teacher of their class."""
    if not _is_user(actor):
        return False
    if actor.id == target.id or actor.role == "admin":
        return True
    if actor.role == "manager":
        return actor.school_id is not None and actor.school_id == target.school_id
    if actor.role == "teacher" and target.role == "student":
        return any(_attends(target, c) for c in actor.classes_taught)
    return False


def visible_classes(actor: Any) -> Select:
    """A query of the classes ``actor`` may see, ordered by name."""
    query = select(SchoolClass).order_by(SchoolClass.name, SchoolClass.id)
    if not _is_user(actor):
        return query.where(sa.false())
    if actor.role == "admin":
        return query
    if actor.role == "manager":
        return query.where(SchoolClass.school_id == actor.school_id) if actor.school_id else query.where(sa.false())
    link = class_teacher if actor.role == "teacher" else class_student
    return query.where(SchoolClass.id.in_(select(link.c.class_id).where(link.c.user_id == actor.id)))


def visible_students(actor: Any) -> Select:
    """A query of the student accounts ``actor`` may see, ordered by name."""
    query = select(User).where(User.role == "student").order_by(User.full_name, User.username)
    if not _is_user(actor):
        return query.where(sa.false())
    if actor.role == "admin":
        return query
    if actor.role == "manager":
        if not actor.school_id:
            return query.where(sa.false())
        in_school_classes = select(class_student.c.user_id).join(
            SchoolClass, SchoolClass.id == class_student.c.class_id).where(SchoolClass.school_id == actor.school_id)
        return query.where(sa.or_(User.school_id == actor.school_id, User.id.in_(in_school_classes)))
    if actor.role == "teacher":
        taught = select(class_teacher.c.class_id).where(class_teacher.c.user_id == actor.id)
        return query.where(User.id.in_(select(class_student.c.user_id).where(class_student.c.class_id.in_(taught))))
    return query.where(User.id == actor.id)


def role_required(*roles: str) -> Callable:
    """View decorator: anonymous users go to the login page; logged-in users without a role get 403."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def require(allowed: bool) -> None:
    """Stop the request with 403 unless ``allowed`` (call it after loading the objects)."""
    if not allowed:
        abort(403)
