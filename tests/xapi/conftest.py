"""Fixtures for the LRS tests: credentials and an HTTP client that speaks xAPI.

``make_credential(*scopes)`` creates an LRS credential and returns an :class:`XapiClient` that
sends its Basic auth and the version header on every request; ``xapi_client`` is one with
scope ``all``. Paths are relative to the LRS mount: ``xapi_client.get("/statements")``.
"""
from __future__ import annotations

import base64
import json as jsonlib
import uuid
from typing import Any, Callable

import pytest

from tests.xapi import document_helpers

LRS_PREFIX = "/xapi"


class XapiClient:
    """A thin wrapper of the Flask test client for one credential and one xAPI version."""

    def __init__(self, client, key: str, secret: str, version: str = "1.0.3", client_id: int | None = None,
                 authority: dict | None = None) -> None:
        self.client = client
        self.key = key
        self.secret = secret
        self.version = version
        self.client_id = client_id
        self.authority = authority

    def with_version(self, version: str) -> "XapiClient":
        return XapiClient(self.client, self.key, self.secret, version, self.client_id, self.authority)

    def headers(self, version: str | None = None, auth: bool = True) -> dict[str, str]:
        headers = {}
        if auth:
            token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        if version is not False:
            headers["X-Experience-API-Version"] = version or self.version
        return headers

    def request(self, method: str, path: str, *, version: str | None = None, auth: bool = True,
                headers: dict[str, str] | None = None, json: Any = None, **kwargs):
        """Send a request; ``json=`` is encoded as application/json; ``version=False`` omits the header."""
        all_headers = self.headers(version, auth)
        all_headers.update(headers or {})
        if json is not None:
            kwargs["data"] = jsonlib.dumps(json)
            all_headers.setdefault("Content-Type", "application/json")
        return self.client.open(LRS_PREFIX + path, method=method, headers=all_headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs):
        return self.request("HEAD", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture()
def make_credential(app, db, client) -> Callable[..., XapiClient]:
    """Factory: ``make_credential("statements/read", name="reader")`` -> XapiClient."""
    from xapi.lrs.auth import create_client

    def make(*scopes: str, name: str | None = None, version: str = "1.0.3") -> XapiClient:
        row, secret = create_client(db.session, name or f"test-{uuid.uuid4().hex[:8]}", list(scopes or ["all"]),
                                    app.config["SITE_URL"])
        db.session.commit()
        return XapiClient(client, row.key, secret, version, row.id, dict(row.authority))

    return make


@pytest.fixture()
def xapi_client(make_credential) -> XapiClient:
    """A client with scope ``all`` speaking xAPI 1.0.3 (``.with_version("2.0.0")`` for 2.0)."""
    return make_credential("all", name="test-all")


@pytest.fixture(params=document_helpers.VERSIONS)
def lrs(request, client, db) -> document_helpers.LrsCaller:
    """The document-resource tests' caller (scope ``all``), once per xAPI version."""
    key, secret = document_helpers.make_credential(db)
    return document_helpers.LrsCaller(client, key, secret, request.param)


def sample_statement(**overrides: Any) -> dict:
    """A small valid statement (no id, no timestamp); keyword arguments replace top-level properties."""
    statement = {
        "actor": {"objectType": "Agent", "name": "Lan", "mbox": "mailto:lan@example.vn"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
        "object": {"objectType": "Activity", "id": "https://congdanso.example/xapi/courses/c1/modules/m1",
                   "definition": {"name": {"en-US": "Module 1", "vi": "Học phần 1"}}},
    }
    statement.update(overrides)
    return statement


@pytest.fixture()
def make_statement() -> Callable[..., dict]:
    """Factory of sample statements: ``make_statement(id=..., verb={...})``."""
    return sample_statement
