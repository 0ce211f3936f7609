"""The learner's pages: my assignments, an assignment's modules, the module player, course media."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lms.accounts.menu import register_menu_item
from lms.accounts.policy import role_required
from lms.catalog.models import CourseAsset
from lms.extensions import db
from lms.learn import services
from lms.learn.assignments import assignment_overview, my_assignments

bp = Blueprint("learn", __name__, url_prefix="/learn", template_folder="templates", static_folder="static",
               static_url_path="/static")
register_menu_item(("student",), "learn.index", _l("My assignments"), position=10)

_ERRORS = {"not_found": 404, "forbidden": 403}


def _locale() -> str:
    return str(get_locale() or "vi")


def _player_error(exc: services.PlayerError, assignment_id: int):
    if exc.kind in _ERRORS:
        abort(_ERRORS[exc.kind])
    if exc.kind == "not_open":
        flash(_("This assignment is not open yet."), "error")
        return redirect(url_for("learn.index"))
    flash(_("Complete the previous module first."), "error")
    return redirect(url_for("learn.assignment", assignment_id=assignment_id))


@bp.route("/")
@role_required("student")
def index():
    return render_template("learn/assignments.html", rows=my_assignments(current_user), locale=_locale())


@bp.route("/assignments/<int:assignment_id>")
@role_required("student")
def assignment(assignment_id: int):
    try:
        overview = assignment_overview(current_user, assignment_id)
    except services.PlayerError as exc:
        return _player_error(exc, assignment_id)
    return render_template("learn/assignment.html", overview=overview, locale=_locale())


def media_base(course_id: int) -> str:
    """URL prefix under which ``media/...`` paths of the course are served."""
    return url_for("learn.asset", course_id=course_id, path="media/x")[: -len("/media/x")]


@bp.route("/assignments/<int:assignment_id>/modules/<int:module_id>")
@role_required("student")
def module(assignment_id: int, module_id: int):
    try:
        player = services.load_player(current_user, assignment_id, module_id, _locale(), lock=True)
    except services.PlayerError as exc:
        return _player_error(exc, assignment_id)
    services.open_module(player)
    state = services.learner_state(player, media_base(player.assignment.course_id), request.path)
    body = Markup(player.plugin.render(player.view, state, player.locale))
    return render_template("learn/player.html", player=player, body=body, locale=player.locale)


@bp.route("/assignments/<int:assignment_id>/modules/<int:module_id>", methods=["POST"])
@role_required("student")
def act(assignment_id: int, module_id: int):
    try:
        player = services.load_player(current_user, assignment_id, module_id, _locale(), lock=True)
    except services.PlayerError as exc:
        return _player_error(exc, assignment_id)
    action = request.form.get("action", "submit")
    here = url_for("learn.module", assignment_id=assignment_id, module_id=module_id)
    if action == "retry":
        if not services.retry(player):
            flash(_("You have used all your attempts."), "error")
        return redirect(here)
    if action == "leave":
        services.leave(player)
        return redirect(_after(player))
    if action not in ("submit", "done"):
        abort(400)
    outcome = services.submit(player, request.form.to_dict(flat=False))
    if outcome is not None and not outcome.is_valid:
        flash(_("Answer at least one question before submitting."), "error")
        return redirect(here)
    if action == "done":
        return redirect(_after(player))
    return redirect(here)


def _after(player: services.Player) -> str:
    following = player.next_module()
    if following is not None:
        return url_for("learn.module", assignment_id=player.assignment.id, module_id=following.id)
    return url_for("learn.assignment", assignment_id=player.assignment.id)


@bp.route("/courses/<int:course_id>/<path:path>")
@role_required("admin", "manager", "teacher", "student")
def asset(course_id: int, path: str):
    """A course media file. SVG is served with a CSP that forbids scripts, opened alone or not."""
    row = db.session.scalar(select(CourseAsset).where(CourseAsset.course_id == course_id, CourseAsset.path == path))
    if row is None:
        abort(404)
    if request.if_none_match.contains(row.sha256):
        return "", 304, {"ETag": f'"{row.sha256}"'}
    response = make_response(row.data)
    response.headers["Content-Type"] = row.content_type
    response.headers["ETag"] = f'"{row.sha256}"'
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
    if not row.content_type.startswith("image/"):
        response.headers["Content-Disposition"] = f'attachment; filename="{path.rsplit("/", 1)[-1]}"'
    return response
