"""Cross-origin access to the LRS for browser content (cmi5 units, SCORM wrappers, xAPI JS).

Each credential lists the origins allowed to use it (``lrs_client.allowed_origins``; ``*``
allows any origin). A preflight carries no credential, so it is answered for an origin that at
least one active credential allows; the actual response then carries
``Access-Control-Allow-Origin`` only when the credential used allows that origin, so a browser
page can read answers only through a key meant for its site. The origin is always echoed, never
``*``, and ``Access-Control-Allow-Credentials`` is never sent: the LRS authenticates with the
Authorization header alone and never with cookies, so browsers must not attach the LMS
session to these requests.
"""
from __future__ import annotations

from typing import Callable

from flask import Response, g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from xapi.lrs.models import LrsClient

ALLOWED_METHODS = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
ALLOWED_HEADERS = ("Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
                   "Accept, Accept-Language")
EXPOSED_HEADERS = ("ETag, Last-Modified, Content-Type, X-Experience-API-Version, "
                   "X-Experience-API-Consistent-Through")
PREFLIGHT_MAX_AGE = "600"


def normalise_origin(origin: str) -> str:
    """Compare origins without letter case of scheme/host and without a trailing slash."""
    return origin.strip().rstrip("/").lower()


def origin_allowed(origin: str, allowed: tuple[str, ...] | list[str]) -> bool:
    wanted = normalise_origin(origin)
    return any(entry == "*" or normalise_origin(entry) == wanted for entry in allowed)


def origins_of_active_clients(session: Session) -> list[str]:
    origins: list[str] = []
    for allowed in session.scalars(select(LrsClient.allowed_origins).where(LrsClient.revoked.is_(False))):
        origins.extend(allowed or [])
    return origins


def preflight_response(session: Session) -> Response:
    """Answer an OPTIONS preflight directly (never a redirect, never authenticated)."""
    response = Response(status=204)
    origin = request.headers.get("Origin")
    if origin and origin_allowed(origin, origins_of_active_clients(session)):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    response.headers["Vary"] = "Origin"
    return response


def add_headers(response: Response, session: Callable[[], Session]) -> Response:
    """Add CORS headers to an actual (non-preflight) LRS response when the origin is allowed.

    ``session`` gives the database session, asked for only when the answer needs the database.
    """
    origin = request.headers.get("Origin")
    if not origin or request.method == "OPTIONS":
        return response
    response.vary.add("Origin")
    principal = g.get("xapi_principal")
    # Before authentication succeeded (a 400 or 401) the page may read the error when any
    # credential allows its origin; afterwards only the credential used decides.
    allowed = principal.allowed_origins if principal is not None else origins_of_active_clients(session())
    if origin_allowed(origin, allowed):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response
