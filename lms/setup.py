"""The steps of `lms init` and `lms demo` that span several features."""
from __future__ import annotations

import click
from sqlalchemy import select

from lms.extensions import db


def import_bundled_courses() -> list[str]:
    """Import (or update) every course package shipped in ``courses/``; one line per course."""
    from lms.catalog.packages import bundled_courses_root
    from lms.catalog.services import import_all

    reports = import_all(bundled_courses_root())
    return [str(report) for report in reports]


def create_first_admin(username: str | None, password: str | None, prompt: bool) -> str:
    """Create the first administrator unless one exists; returns a line for the console."""
    from lms.accounts.models import User
    from lms.accounts.services import create_admin

    existing = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    if existing is not None:
        return f"An administrator already exists ({existing.username}); none created."
    if not username:
        if not prompt:
            return "No administrator created: pass --admin-username and --admin-password."
        username = click.prompt("Administrator user name")
    if not password:
        if not prompt:
            raise click.UsageError("--admin-password is required when there is no terminal to prompt on")
        password = click.prompt("Administrator password", hide_input=True, confirmation_prompt=True)
    try:
        admin = create_admin(username, password)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    return f"Administrator {admin.username} created."
