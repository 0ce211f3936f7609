"""Views of the accounts feature."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="", template_folder="templates")


@bp.route("/login")
def login():
    return "login"


@bp.route("/logout", methods=["POST"])
def logout():
    return "logout"


from lms.extensions import login_manager  # noqa: E402


@login_manager.user_loader
def _load_user(user_id):
    return None
