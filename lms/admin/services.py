"""Administrator actions on people, schools and LRS credentials; each one is written to the audit log."""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import Select, or_, select

from lms.accounts import audit, passwords, services
from lms.accounts.audit import Origin
from lms.accounts.errors import AccountError
from lms.accounts.models import School, User
from lms.extensions import db
from xapi.lrs import auth
from xapi.lrs.models import LrsClient

ORIGIN_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def search_users(text: str = "", role: str = "", school_id: int | None = None) -> Select:
    """Users whose username, name or e-mail contains ``text``, optionally of one role or school."""
    query = select(User).order_by(User.username)
    text = text.strip().lower()
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(User.username.like(pattern), User.email.like(pattern),
                                User.full_name.ilike(pattern)))
    if role:
        query = query.where(User.role == role)
    if school_id:
        query = query.where(User.school_id == school_id)
    return query


def create_account(actor: User, origin: Origin, username: str, full_name: str, email: str | None, role: str,
                   school: School | None) -> tuple[User, str]:
    """A new account with a generated first password (returned to show once; changed at first login)."""
    password = passwords.generate_first_password()
    if role in ("manager", "teacher") and school is None:
        raise AccountError("A school manager or teacher must belong to a school.")
    user = audit.audited(actor, "user_create", origin, f"user:{services.normalize_username(username)}",
                         lambda: services.create_user(username, password, role, full_name=full_name, email=email,
                                                      school=school, commit=False),
                         details={"role": role, "school": school.code if school else None})
    return user, password


def change_role(actor: User, origin: Origin, user: User, role: str, school: School | None) -> None:
    def work() -> None:
        if user.id == actor.id and role != "admin":
            raise AccountError("You cannot take away your own administrator role.")
        services.set_role(user, role, school, commit=False)

    audit.audited(actor, "user_role_change", origin, f"user:{user.username}", work,
                  details={"from": user.role, "to": role, "school": school.code if school else None})


def set_active(actor: User, origin: Origin, user: User, active: bool) -> None:
    def work() -> None:
        if user.id == actor.id and not active:
            raise AccountError("You cannot deactivate your own account.")
        services.set_active(user, active, commit=False)

    audit.audited(actor, "user_activate" if active else "user_deactivate", origin, f"user:{user.username}", work)


def reset_password(actor: User, origin: Origin, user: User) -> str:
    """A new first password for ``user`` (returned to show once); their sessions end."""
    return audit.audited(actor, "password_reset", origin, f"user:{user.username}",
                         lambda: services.reset_password(user, commit=False))


def create_school(actor: User, origin: Origin, name: str, code: str, province: str) -> School:
    return audit.audited(actor, "school_create", origin, f"school:{code.strip().upper()}",
                         lambda: services.create_school(name, code, province, commit=False))


def _check_origins(origins: list[str]) -> None:
    for value in origins:
        if not ORIGIN_PATTERN.match(value):
            raise AccountError("%(origin)s is not an origin like https://lms.example.vn (no path).", origin=value)


def create_lrs_client(actor: User, origin: Origin, name: str, scopes: list[str],
                      origins: list[str], bare_profile_put: bool = False) -> tuple[LrsClient, str]:
    """A new LRS credential; the secret is returned to show once and is never stored or logged."""
    def work() -> tuple[LrsClient, str]:
        _check_origins(origins)
        return auth.create_client(db.session, name, scopes, current_app.config["SITE_URL"],
                                  allowed_origins=origins, bare_profile_put=bare_profile_put)

    return audit.audited(actor, "lrs_client_create", origin, f"lrs_client:{name.strip()[:100]}", work,
                         details={"scopes": sorted(scopes), "origins": origins,
                                  "bare_profile_put": bare_profile_put})


def rotate_lrs_client(actor: User, origin: Origin, key: str) -> str:
    return audit.audited(actor, "lrs_client_rotate", origin, f"lrs_client:{key}",
                         lambda: auth.rotate_secret(db.session, key))


def revoke_lrs_client(actor: User, origin: Origin, key: str) -> None:
    audit.audited(actor, "lrs_client_revoke", origin, f"lrs_client:{key}",
                  lambda: auth.revoke_client(db.session, key))
