"""Helpers of the document, agents/activities, CORS, alternate-syntax and limits tests.

``LrsCaller`` sends requests the way a Learning Record Provider does: Basic credentials of a
real credential row and the version header, through the Flask test client (real HTTP handling,
real database).
"""
from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

VERSIONS = ("1.0.3", "2.0.0")
AGENT = {"objectType": "Agent", "mbox": "mailto:hoc.sinh@example.edu.vn", "name": "Hoc Sinh"}
ACTIVITY = "https://congdanso.edu.vn/xapi/courses/test/modules/one"


def make_credential(db, scopes=("all",), origins=(), name="test client",
                    bare_profile_put: bool = False) -> tuple[str, str]:
    """A real LRS credential, committed; returns (key, secret)."""
    from xapi.lrs.auth import create_client

    client, secret = create_client(db.session, name, list(scopes), "http://lms.test",
                                   allowed_origins=list(origins), bare_profile_put=bare_profile_put)
    db.session.commit()
    return client.key, secret


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


class LrsCaller:
    """Calls /xapi resources with one credential and one xAPI version."""

    def __init__(self, client, key: str, secret: str, version: str = "1.0.3") -> None:
        self.client = client
        self.auth = basic(key, secret)
        self.version = version

    def with_version(self, version: str) -> "LrsCaller":
        caller = LrsCaller(self.client, "", "", version)
        caller.auth = self.auth
        return caller

    def request(self, method: str, path: str, params: dict | None = None, body=None,
                headers: dict | None = None, content_type: str | None = None):
        all_headers = {"Authorization": self.auth, "X-Experience-API-Version": self.version}
        all_headers.update(headers or {})
        query = urlencode(_encode_params(params or {}))
        data = body
        if isinstance(body, (dict, list)):
            data = json.dumps(body)
            content_type = content_type or "application/json"
        return self.client.open(f"/xapi{path}" + (f"?{query}" if query else ""), method=method,
                                data=data, headers=all_headers, content_type=content_type)

    def get(self, path, params=None, **kwargs):
        return self.request("GET", path, params, **kwargs)

    def put(self, path, params=None, body=None, **kwargs):
        return self.request("PUT", path, params, body, **kwargs)

    def post(self, path, params=None, body=None, **kwargs):
        return self.request("POST", path, params, body, **kwargs)

    def delete(self, path, params=None, **kwargs):
        return self.request("DELETE", path, params, **kwargs)


def _encode_params(params: dict) -> dict:
    """Agent objects go in the query string as JSON, everything else as text."""
    return {name: json.dumps(value) if isinstance(value, dict) else value for name, value in params.items()}


def state_params(**extra) -> dict:
    params = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}
    params.update(extra)
    return {name: value for name, value in params.items() if value is not None}

