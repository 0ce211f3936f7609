"""Cross-origin requests from browser content to /xapi (CORS), origins allowed per credential."""
from __future__ import annotations

import pytest

from tests.xapi.document_helpers import LrsCaller, make_credential, state_params

SITE = "https://noidung.example.edu.vn"


@pytest.fixture()
def content_key(db):
    return make_credential(db, scopes=["state"], origins=[SITE], name="cmi5 content")


@pytest.mark.parametrize("path", ["/xapi/activities/state", "/xapi/statements", "/xapi/agents/profile",
                                  "/xapi/statements/", "/xapi/no-such-resource"])
def test_preflight_is_answered_directly_for_an_allowed_origin(client, content_key, path):
    """The preflight is answered without redirect or authentication, xAPI headers allowed."""
    response = client.options(path, headers={
        "Origin": SITE, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type, x-experience-api-version, if-match"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    for header in ("authorization", "content-type", "x-experience-api-version", "if-match", "if-none-match"):
        assert header in allowed
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_preflight_for_an_unknown_origin_allows_nothing(client, content_key):
    response = client.options("/xapi/activities/state", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"})
    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response.headers


def test_actual_response_exposes_xapi_headers_to_the_allowed_origin(client, content_key):
    caller = LrsCaller(client, *content_key)
    caller.put("/activities/state", state_params(), {"a": 1})
    response = caller.get("/activities/state", state_params(), headers={"Origin": SITE})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    exposed = response.headers["Access-Control-Expose-Headers"]
    for header in ("ETag", "Last-Modified", "X-Experience-API-Version", "X-Experience-API-Consistent-Through"):
        assert header in exposed
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] != "*"


def test_origin_is_checked_against_the_credential_used(client, db, content_key):
    """A page can read answers only through a credential that allows its origin."""
    other = LrsCaller(client, *make_credential(db, scopes=["state"], origins=["https://other.example"]))
    response = other.get("/activities/state", state_params(stateId=None), headers={"Origin": SITE})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_wildcard_entry_echoes_the_origin_never_star(client, db):
    caller = LrsCaller(client, *make_credential(db, scopes=["state"], origins=["*"]))
    response = caller.get("/activities/state", state_params(stateId=None), headers={"Origin": "https://a.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.example"


def test_errors_are_readable_by_an_allowed_origin(client, content_key):
    response = client.get("/xapi/activities/state", headers={"Origin": SITE, "X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == SITE


def test_revoked_credential_no_longer_allows_its_origin(client, db, content_key):
    from xapi.lrs.auth import revoke_client

    revoke_client(db.session, content_key[0])
    db.session.commit()
    response = client.options("/xapi/activities/state", headers={"Origin": SITE, "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in response.headers
