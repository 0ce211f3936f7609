"""Home page, language switch, /healthz and the error pages in both languages."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from lms.config import LOCALES
from lms.extensions import db

bp = Blueprint("site", __name__)


@bp.route("/")
def home():
    return render_template("site/home.html")


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in LOCALES:
        session["lang"] = code
    target = request.args.get("next") or url_for("site.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("site.home")
    return redirect(target)


@bp.route("/healthz")
def healthz():
    """Load balancers and monitoring call this; 503 when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.error("health check failed: %s", exc)
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def _render_error(code: int):
    from xapi.lrs.http import error_response, is_lrs_path

    messages = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
                413: "Request too large", 500: "Server error"}
    if is_lrs_path(request.path, current_app):
        return error_response(code, messages.get(code, "Error"))
    return render_template("site/error.html", code=code), code


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    if exc.code in (400, 403, 404, 405, 413, 429):
        return _render_error(exc.code)
    return exc


@bp.app_errorhandler(500)
def server_error(exc):
    db.session.rollback()
    return _render_error(500)
