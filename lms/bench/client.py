"""A lean xAPI HTTP client for the benchmark: one keep-alive connection, Basic auth, timings.

Standard library only (``http.client``), so each benchmark process is cheap and the
client side does as little work per request as possible.
"""
from __future__ import annotations

import base64
import http.client
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

# Errors after which the connection is re-opened (the server closed or reset it).
_CONNECTION_ERRORS = (http.client.HTTPException, ConnectionError, TimeoutError, OSError)


class BenchAborted(RuntimeError):
    """The benchmark cannot go on (LRS unreachable, credentials refused, data already there)."""


class TransportError(OSError):
    """The request could not be sent, or its answer could not be read, even on a new connection."""


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self):
        return json.loads(self.body)


@dataclass
class ErrorLog:
    """Counts answers that are not what the spec says, keeping a few examples to show."""

    count: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def add(self, what: str, status: int | str, detail: str) -> None:
        self.count += 1
        key = str(status)
        self.by_status[key] = self.by_status.get(key, 0) + 1
        if len(self.examples) < 5:
            self.examples.append(f"{what}: {status} {detail[:300]}")

    def merge(self, other: "ErrorLog") -> None:
        self.count += other.count
        for key, value in other.by_status.items():
            self.by_status[key] = self.by_status.get(key, 0) + value
        self.examples.extend(other.examples[: max(0, 5 - len(self.examples))])

    def as_dict(self) -> dict:
        return {"count": self.count, "by_status": dict(self.by_status), "examples": list(self.examples)}


class LrsClient:
    """Talks to one LRS endpoint (``url`` is the xAPI base, e.g. http://host:8000/xapi)."""

    def __init__(self, url: str, key: str, secret: str, version: str, timeout: float = 120.0) -> None:
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--url must be an http(s) URL, got {url!r}")
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.base_path = parts.path
        self.timeout = timeout
        token = base64.b64encode(f"{key}:{secret}".encode("utf-8")).decode("ascii")
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": version}
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self._connection = kind(self.host, self.port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json", auth: bool = True) -> Response:
        """One request on the kept-alive connection; raises TransportError if it fails twice."""
        headers = dict(self.headers)
        if not auth:
            del headers["Authorization"]
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            return self._once(method, path, body, headers)
        except _CONNECTION_ERRORS:
            self.close()  # a kept-alive connection that the server has closed fails once
        try:
            return self._once(method, path, body, headers)
        except _CONNECTION_ERRORS as exc:
            self.close()
            raise TransportError(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc

    def _once(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Response:
        started = time.perf_counter()
        connection = self._connect()
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        seconds = time.perf_counter() - started
        if (answer.getheader("Connection") or "").lower() == "close":
            self.close()
        return Response(answer.status, data, seconds, {k.lower(): v for k, v in answer.getheaders()})

    def path(self, resource: str, params: dict | None = None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_path}/{resource}{query}"

    def post_statements(self, body: bytes) -> Response:
        return self.request("POST", self.path("statements"), body)

    def get_statements(self, params: dict | None = None) -> Response:
        return self.request("GET", self.path("statements", params))

    def get_more(self, more: str) -> Response:
        """Follow a ``more`` link: a path relative to the host (Data §2.5), or an absolute URL."""
        parts = urlsplit(more)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.request("GET", target)


def error_detail(response: Response) -> str:
    """The message of an xAPI error answer, or the start of the body."""
    try:
        data = json.loads(response.body)
        message = data.get("error", {}).get("message") if isinstance(data, dict) else None
    except ValueError:
        message = None
    return message or response.body[:200].decode("utf-8", "replace")
