"""Small helpers shared by the account and admin views: request origin, error text, safe redirects."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext

from lms.accounts.audit import Origin
from lms.accounts.errors import AccountError


def request_origin() -> Origin:
    """Where the current request comes from, for the audit log."""
    return Origin(ip_address=request.remote_addr or "", user_agent=request.headers.get("User-Agent", ""))


def error_text(exc: AccountError) -> str:
    """The error in the reader's language (the msgid is English, the params are filled in after)."""
    return gettext(exc.message, **exc.params)


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything pointing off-site becomes the home page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("site.home")


def no_store(response):
    """Pages that show a password or secret once must not be kept by the browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response
