"""The alternate request syntax of xAPI 1.0.3 (Communication §1.3), as WSGI middleware.

A client that cannot send PUT, DELETE or custom headers (old browsers' cross-domain APIs) sends
``POST <resource>?method=PUT`` with a form body: the content in ``content``, the headers
Authorization, X-Experience-API-Version, Content-Type, Content-Length, If-Match and
If-None-Match as form fields, and every query parameter as a form field. The middleware turns
such a request back into the ordinary one before Flask routes it, so every resource supports the
syntax without knowing about it.

§1.3.s3.b7: the LRS MUST treat those form fields as header parameters, so a form field is the
header. When the same header is also sent as a real header with a different value, the request
names two values for one header and is refused with 400 (a real header with the same value is
harmless). Content-Type and Content-Length are the exception: the real ones describe the form
itself, so the form fields replace them. IEEE 9274.1.1 (xAPI 2.0) removed the syntax:
such requests are refused with 400, as are malformed ones. Refusals are not answered here but
left in the environ for the LRS's before-request hook, so they get the LRS's usual JSON error.
"""
from __future__ import annotations

import io
from typing import Callable
from urllib.parse import parse_qsl, urlencode

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from xapi.lrs.http import BadRequest, parse_version_header

# Form fields that stand for headers (case-insensitive), with their WSGI environ names.
HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
# The content describes itself: its form fields replace the form's own headers.
CONTENT_HEADERS = {"CONTENT_TYPE", "CONTENT_LENGTH"}
METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE"}
REJECTION = "xapi.alternate_syntax_rejected"
FORM_TYPE = "application/x-www-form-urlencoded"


class Rejected(Exception):
    """The request uses the alternate syntax wrongly; ``status`` and message for the answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class AlternateSyntaxMiddleware:
    """Rewrite ``POST ...?method=X`` requests under ``prefix`` into ordinary xAPI requests."""

    def __init__(self, wsgi_app: Callable, prefix: str, max_bytes: Callable[[], int | None]) -> None:
        self.wsgi_app = wsgi_app
        self.prefix = prefix.rstrip("/")
        self.max_bytes = max_bytes

    def __call__(self, environ: dict, start_response: Callable):
        if self._applies(environ):
            try:
                rewrite(environ, self.max_bytes())
            except Rejected as exc:
                environ[REJECTION] = exc
        return self.wsgi_app(environ, start_response)

    def _applies(self, environ: dict) -> bool:
        path = environ.get("PATH_INFO", "")
        if not (path == self.prefix or path.startswith(self.prefix + "/")):
            return False
        return any(name == "method" for name, _ in parse_qsl(environ.get("QUERY_STRING", ""),
                                                              keep_blank_values=True))


def rewrite(environ: dict, max_bytes: int | None) -> None:
    """Turn one alternate-syntax request into the request it stands for, in place."""
    query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if environ.get("REQUEST_METHOD") != "POST":
        raise Rejected("A request with a 'method' query parameter (alternate request syntax) must be a POST")
    if [name for name, _ in query] != ["method"]:
        raise Rejected("With the alternate request syntax the query string holds only 'method'; "
                       "send every other parameter as a form field")
    method = query[0][1].upper()
    if method not in METHODS:
        raise Rejected(f"Unknown method {query[0][1]!r} in the alternate request syntax")
    form = _read_form(environ, max_bytes)
    headers, params, content = _split_form(form)
    _refuse_conflicting_headers(environ, headers)
    _refuse_for_2_0(environ, headers)
    body = content.encode("utf-8") if content is not None else b""
    environ["REQUEST_METHOD"] = method
    environ["QUERY_STRING"] = urlencode(params)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["CONTENT_TYPE"] = headers.pop("CONTENT_TYPE", "application/json" if content is not None else "")
    headers.pop("CONTENT_LENGTH", None)  # recomputed from the content actually received
    for name, value in headers.items():
        environ[name] = value  # §1.3.s3.b7: the form field is the header
    environ["xapi.alternate_syntax"] = True


def _read_form(environ: dict, max_bytes: int | None) -> list[tuple[str, str]]:
    content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if not content_type and environ.get("CONTENT_LENGTH", "") in ("", "0"):
        # No body at all (POST ?method=GET with every header sent as a header): an empty form.
        return []
    if content_type != FORM_TYPE:
        raise Rejected(f"The alternate request syntax sends a form: Content-Type must be {FORM_TYPE}")
    try:
        raw = get_input_stream(environ, max_content_length=max_bytes).read()
    except RequestEntityTooLarge:
        raise Rejected("The request is larger than this LRS accepts", 413) from None
    try:
        form = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw))
    except (UnicodeDecodeError, ValueError):
        raise Rejected("The form body is not valid UTF-8 application/x-www-form-urlencoded data") from None
    names = [name.lower() if name.lower() in HEADER_FIELDS else name for name, _ in form]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise Rejected(f"Form field(s) given more than once: {', '.join(repeated)}")
    return form


def _refuse_conflicting_headers(environ: dict, headers: dict[str, str]) -> None:
    """§1.3.s3.b7: a form field is a header, so a real header may not say something else."""
    for name, value in headers.items():
        if name in CONTENT_HEADERS:
            continue
        real = environ.get(name)
        if real is not None and real.strip() != value.strip():
            field = next(field for field, environ_name in HEADER_FIELDS.items() if environ_name == name)
            raise Rejected(f"The {field} form field and the {field} header have different values; "
                           "with the alternate request syntax the form field is the header, send it once")


def _refuse_for_2_0(environ: dict, headers: dict[str, str]) -> None:
    raw = headers.get("HTTP_X_EXPERIENCE_API_VERSION", environ.get("HTTP_X_EXPERIENCE_API_VERSION"))
    try:
        version = parse_version_header(raw)
    except BadRequest:
        return  # the LRS answers the missing or unsupported version itself
    if version != "1.0.3":
        raise Rejected("xAPI 2.0 has no alternate request syntax (IEEE 9274.1.1 removed it); "
                       "send an ordinary request with the real method and headers")


def _split_form(form: list[tuple[str, str]]) -> tuple[dict[str, str], list[tuple[str, str]], str | None]:
    headers: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    content: str | None = None
    for name, value in form:
        if name == "content":
            content = value
        elif name.lower() in HEADER_FIELDS:
            headers[HEADER_FIELDS[name.lower()]] = value
        else:
            params.append((name, value))
    return headers, params, content


def raise_if_rejected(environ: dict) -> None:
    """Called by the LRS before each request: answer a refused alternate-syntax request."""
    rejection = environ.get(REJECTION)
    if rejection is None:
        return
    from xapi.lrs.http import PayloadTooLarge

    raise (PayloadTooLarge if rejection.status == 413 else BadRequest)(str(rejection))
