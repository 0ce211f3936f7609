"""Security headers on every response (the LRS adds its own CORS headers)."""
from __future__ import annotations

from flask import Flask

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)


# Added to every response that does not set them itself (name, value).
DEFAULT_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def init_app(app: Flask) -> None:
    wanted = DEFAULT_HEADERS + ((HSTS,) if app.config.get("SESSION_COOKIE_SECURE") else ())

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        # One pass over the headers: each lookup in werkzeug's Headers is a scan of its list.
        present = {name.lower() for name, _ in headers.items()}
        for name, value in wanted:
            if name.lower() not in present:
                headers.add(name, value)
        return response
