"""The X-Experience-API-Version header of requests and responses (1.0.3 Communication §3.3, §2.8;
IEEE 9274.1.1), including the About resource, which answers with or without the header."""
from __future__ import annotations

import pytest

from tests.xapi.document_helpers import basic, make_credential

# The six resources of XAPI-00321 (1.0.3 suite, About Resource Requirements).
RESOURCES = ["/statements", "/activities", "/activities/profile", "/activities/state", "/agents",
             "/agents/profile"]


@pytest.fixture()
def auth(db):
    return {"Authorization": basic(*make_credential(db))}


@pytest.mark.parametrize("path", RESOURCES)
def test_missing_version_header_is_400_answered_as_2_0_0(client, auth, path):
    """XAPI-00321 / XAPI-00331, 1.0.3 §3.3.s3.b1: "The LRS MUST include the X-Experience-API-Version
    header in every response", §3.3.s4.b1: "The Client MUST include the X-Experience-API-Version
    header in every request", §3.3.s3.b7: rejects are 400. The answer names the latest version
    this LRS speaks, 2.0.0 (ADL 2.0 suite: "Expected version header 2.0.0 with status code 400")."""
    response = client.get(f"/xapi{path}", headers=auth)
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"] == "2.0.0"
    assert "X-Experience-API-Version" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("sent, answered", [("0.95", "1.0.3"), ("1.1.0", "1.0.3"), ("2.1.0", "2.0.0"),
                                            ("abc", "1.0.3")])
def test_unsupported_version_is_400_with_a_version_header(client, auth, sent, answered):
    """1.0.3 §3.3.s3.b4/b6/b7: versions before 1.0.0 and from 1.1.0 are rejected with 400; the
    answer still carries the header (§3.3.s3.b1), in the line closest to the one asked for."""
    response = client.get("/xapi/statements", headers={**auth, "X-Experience-API-Version": sent})
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"] == answered


@pytest.mark.parametrize("sent, answered", [("1.0.3", "1.0.3"), ("1.0", "1.0.3"), ("1.0.1", "1.0.3"),
                                            ("2.0.0", "2.0.0")])
def test_supported_version_is_answered_in_kind(client, auth, sent, answered):
    """1.0.3 §3.3.s3.b2/b3/b5 ("set this header to the latest patch version"; 1.0 and any 1.0.x are
    accepted) and IEEE 9274.1.1 (2.0.0): each response speaks the version the request asked for."""
    response = client.get("/xapi/statements", headers={**auth, "X-Experience-API-Version": sent})
    assert response.status_code == 200
    assert response.headers["X-Experience-API-Version"] == answered


@pytest.mark.parametrize("sent, answered, versions", [
    ("1.0.3", "1.0.3", ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]),
    ("1.0.0", "1.0.3", ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]),
    ("2.0.0", "2.0.0", ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"]),
    (None, "2.0.0", ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"]),
    ("0.9", "1.0.3", ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"]),
])
def test_about_answers_every_version_header(client, sent, answered, versions):
    """XAPI-00316, 1.0.3 §2.8.s5.b4: "An LRS MUST NOT reject requests based on their version header"
    (About), §2.8.s5.b1.b1: in 1.0.3 the "version" values are 0.9, 0.95 and 1.0.x, so a request that
    speaks 1.0.x gets the 1.0.x versions it accepts (XAPI-00317) and the 1.0.3 header; a 2.0.0 request, or one without a header
    (a client choosing its version, §2.8.s2), sees every version. No credentials needed (§2.8.s5.b3)."""
    headers = {} if sent is None else {"X-Experience-API-Version": sent}
    response = client.get("/xapi/about", headers=headers)
    assert response.status_code == 200
    assert response.headers["X-Experience-API-Version"] == answered
    assert response.get_json() == {"version": versions, "extensions": {}}
