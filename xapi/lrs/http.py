"""The HTTP rules of the xAPI specification in one place: versions, errors, the blueprint.

Communication §3.3 (versioning) and §3.2 (errors). Every response carries
``X-Experience-API-Version``; every error is JSON with a message.
"""
from __future__ import annotations

import hashlib
import json
from typing import Callable

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

SUPPORTED_VERSIONS = ("1.0.3", "2.0.0")

bp = Blueprint("xapi", __name__)


class XapiError(Exception):
    """Base of the errors the LRS answers with; ``status`` is the HTTP status code."""

    status = 400

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(XapiError):
    status = 400


class Unauthorized(XapiError):
    status = 401


class Forbidden(XapiError):
    status = 403


class NotFound(XapiError):
    status = 404


class MethodNotAllowed(XapiError):
    status = 405


class Conflict(XapiError):
    status = 409


class PreconditionFailed(XapiError):
    status = 412


class PayloadTooLarge(XapiError):
    status = 413


class TooManyRequests(XapiError):
    status = 429


class ServiceUnavailable(XapiError):
    status = 503


def parse_version_header(raw: str | None) -> str:
    """Map the request's X-Experience-API-Version to the version we answer with.

    1.0.3 §6.2: any 1.0.x is accepted and answered as 1.0.3; IEEE 9274.1.1 uses 2.0.0.
    """
    if not raw:
        raise BadRequest("The X-Experience-API-Version header is required (1.0.3 or 2.0.0)")
    value = raw.strip()
    parts = value.split(".")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
        if parts[:2] == ["1", "0"]:
            return "1.0.3"
        if parts[:2] == ["2", "0"] and (len(parts) == 2 or parts[2] == "0"):
            return "2.0.0"
    raise BadRequest(f"Unsupported xAPI version {value!r}; this LRS supports 1.0.3 and 2.0.0")


def response_version(raw: str | None) -> str:
    """The X-Experience-API-Version of the answer to a request whose header is ``raw``.

    1.0.3 §3.3.s3.b1/b2 and IEEE 9274.1.1: every response carries the header, set to the latest
    patch version. A supported request version is answered in kind (1.0.x -> 1.0.3, 2.0.x ->
    2.0.0). A request without the header gets 2.0.0, the latest version this LRS speaks (ADL's
    2.0 suite expects 2.0.0 on that 400; its 1.0.3 suite checks the status only). One with a
    version this LRS does not speak gets the line closest to it: 2.0.0 for another 2.x, 1.0.3
    for anything else (0.9, 0.95, 1.1.0 ...).
    """
    if not (raw or "").strip():
        return "2.0.0"
    try:
        return parse_version_header(raw)
    except BadRequest:
        return "2.0.0" if raw.strip().startswith("2.") else "1.0.3"


def xapi_version() -> str:
    """The version negotiated for the current request."""
    return g.get("xapi_version", SUPPORTED_VERSIONS[-1])


def db_session() -> Session:
    """The SQLAlchemy session the host application gave ``init_lrs``."""
    return current_app.extensions["xapi"]["session"]()


# Endpoints that answer without the version header (Communication §2.7: the About resource).
_VERSION_FREE_ENDPOINTS = {"xapi.about"}


@bp.before_request
def _negotiate_version() -> None:
    raw = request.headers.get("X-Experience-API-Version")
    try:
        g.xapi_version = parse_version_header(raw)
    except BadRequest:
        g.xapi_version = response_version(raw)  # the 400 carries a version too
        if request.method == "OPTIONS" or request.endpoint in _VERSION_FREE_ENDPOINTS:
            return  # 1.0.3 §2.8.s5.b4: the About resource does not reject on the version header
        raise


@bp.before_request
def _authenticate_and_limit() -> None:
    """Refused alternate-syntax requests, then authentication and per-credential limits (§3.2)."""
    from xapi.lrs import alternate, auth, limits

    alternate.raise_if_rejected(request.environ)
    if request.method == "OPTIONS" or request.endpoint in _VERSION_FREE_ENDPOINTS:
        return
    limits.enforce(auth.authenticate(db_session()))


@bp.after_request
def _version_header(response):
    response.headers["X-Experience-API-Version"] = g.get("xapi_version") or response_version(None)
    return response


@bp.after_request
def _cors_headers(response):
    from xapi.lrs import cors

    return cors.add_headers(response, db_session)


def error_response(status: int, message: str, headers: dict[str, str] | None = None):
    response = jsonify({"error": {"code": status, "message": message}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["X-Experience-API-Version"] = g.get("xapi_version") or response_version(None)
    return response


def json_response(value: object) -> Response:
    """A 200 JSON answer with an ETag (SHA-1 of the body) for the read-only resources."""
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    response = Response(body, status=200, content_type="application/json")
    response.headers["ETag"] = f'"{hashlib.sha1(body).hexdigest()}"'
    return response


@bp.errorhandler(XapiError)
def _xapi_error(exc: XapiError):
    return error_response(exc.status, exc.message, exc.headers)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    # Werkzeug's own errors (405, 413 from MAX_CONTENT_LENGTH, 415 ...) become JSON too.
    return error_response(exc.code or 500, exc.description or exc.name)


# The 1.0.x versions whose requests this LRS accepts: every 1.0.x is served by the 1.0.3 rules
# (1.0.3 §3.3: patch versions only fix the text), and About lists each of them.
VERSIONS_1_0 = ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]


@bp.route("/about", methods=["GET", "HEAD"])
def about():
    """Communication §2.8: the versions this LRS speaks, answered with or without a version header.

    A request that names a 1.0.x version is answered in xAPI 1.0.3 terms: 1.0.3 §2.8.s5.b1.b1
    knows only 0.9, 0.95 and 1.0.x as values of "version", and 1.0.x clients (the tincan library,
    the 1.0.3 conformance suite, XAPI-00316) reject others; every 1.0.x is listed, since each is
    accepted (XAPI-00317 asks for a 1.0.x value, and some of its versions look for "1.0.1").
    Without a header, or with 2.0.0, 2.0.0 is listed too, so that a client choosing its
    version (§2.8.s2) sees every one.
    """
    versions = list(VERSIONS_1_0)
    if not _requested_1_0():
        versions.append(SUPPORTED_VERSIONS[-1])
    return jsonify({"version": versions, "extensions": {}})


def _requested_1_0() -> bool:
    try:
        return parse_version_header(request.headers.get("X-Experience-API-Version")) == "1.0.3"
    except BadRequest:
        return False


def init_lrs(app: Flask, session: Callable[[], Session], url_prefix: str = "/xapi") -> None:
    """Mount the LRS on ``app``. ``session`` returns the SQLAlchemy session to use.

    The route modules are imported here, from an explicit list, so that each one adds
    its resources to ``bp`` before the blueprint is registered.
    """
    import importlib

    from xapi.lrs import alternate, cors

    for name in ROUTE_MODULES:
        importlib.import_module(name)
    app.extensions["xapi"] = {"session": session, "url_prefix": url_prefix}
    app.register_blueprint(bp, url_prefix=url_prefix)
    if type(app.session_interface) is SecureCookieSessionInterface:  # a host's own interface stays
        app.session_interface = NoSessionOnLrsPaths()
    app.wsgi_app = alternate.AlternateSyntaxMiddleware(
        app.wsgi_app, url_prefix, lambda: app.config.get("MAX_CONTENT_LENGTH"))

    @app.before_request
    def _cors_preflight():
        # Answered before routing can redirect or refuse it: browsers do not follow redirects
        # of a preflight, and a preflight carries no credentials.
        if request.method == "OPTIONS" and is_lrs_path(request.path, app):
            return cors.preflight_response(session())
        return None


class NoSessionOnLrsPaths(SecureCookieSessionInterface):
    """Flask's cookie sessions, except that a request to the LRS gets none.

    The LRS authenticates every request with its own credentials and never reads a session
    cookie (a browser's cookie must not act as an xAPI credential). Not opening the session
    also spares each xAPI request the cookie parsing and signer set-up (~20 µs). Flask gives
    these requests its null session; nothing on the LRS paths writes to the session.
    """

    def open_session(self, app: Flask, request):  # noqa: ANN001, ANN201 - Flask's signature
        if is_lrs_path(request.path, app):
            return None
        return super().open_session(app, request)


def is_lrs_path(path: str, app: Flask) -> bool:
    """True when ``path`` lies under the LRS mount point (its errors are JSON)."""
    prefix = app.extensions.get("xapi", {}).get("url_prefix", "/xapi")
    return path == prefix or path.startswith(prefix + "/")


# The modules that add routes to ``bp``; each owns one group of resources.
ROUTE_MODULES: tuple[str, ...] = ("xapi.lrs.api", "xapi.lrs.documents", "xapi.lrs.people")
