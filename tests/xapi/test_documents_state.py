"""State Resource (Communication §2.3) and the document rules of §2.2, both xAPI versions."""
from __future__ import annotations

import hashlib
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from tests.xapi.document_helpers import ACTIVITY, AGENT, LrsCaller, make_credential, state_params


def test_put_then_get_returns_bytes_and_content_type_unchanged(lrs):
    """§2.2 / §1.5.b1: any content type is stored and returned byte for byte with its type."""
    content = bytes(range(256)) * 4
    assert lrs.put("/activities/state", state_params(), content,
                   content_type="application/octet-stream").status_code == 204
    response = lrs.get("/activities/state", state_params())
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Type"] == "application/octet-stream"


def test_text_content_type_with_parameters_is_returned_as_sent(lrs):
    body = "Xin chào, công dân số".encode("utf-8")
    lrs.put("/activities/state", state_params(), body, content_type="text/plain; charset=utf-8")
    response = lrs.get("/activities/state", state_params())
    assert response.data == body
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_get_has_quoted_sha1_etag_and_last_modified(lrs):
    """§3.1.s4.b1, b2, b4 and §2.2.s6.b1: ETag = quoted SHA-1 of the content; Last-Modified."""
    lrs.put("/activities/state", state_params(), b'{"x": 1}', content_type="application/json")
    response = lrs.get("/activities/state", state_params())
    assert response.headers["ETag"] == '"%s"' % hashlib.sha1(b'{"x": 1}').hexdigest()
    modified = datetime.strptime(response.headers["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
    assert abs(modified.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_head_returns_headers_without_body(lrs):
    """§1.1.s3.b1: HEAD answers like GET without the body."""
    lrs.put("/activities/state", state_params(), {"x": 1})
    response = lrs.request("HEAD", "/activities/state", state_params())
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["ETag"]


def test_post_merges_top_level_properties(lrs):
    """§2.2.s7: POST of JSON onto JSON sets each top-level property; nested objects are replaced."""
    lrs.post("/activities/state", state_params(), {"x": "foo", "y": "bar", "car": {"make": "Ford"}})
    assert lrs.post("/activities/state", state_params(),
                    {"x": "bash", "z": "faz", "car": {"model": "Ram"}}).status_code == 204
    assert lrs.get("/activities/state", state_params()).get_json() == {
        "x": "bash", "y": "bar", "z": "faz", "car": {"model": "Ram"}}


def test_post_creates_a_missing_document_whatever_its_content(lrs):
    """§2.2.s4.b2: a POST of a new document is stored as a PUT would store it, even '1' or 'true'."""
    assert lrs.post("/activities/state", state_params(stateId="one"), b"1",
                    content_type="application/json").status_code == 204
    assert lrs.get("/activities/state", state_params(stateId="one")).data == b"1"


@pytest.mark.parametrize("stored_type, posted, posted_type", [
    ("application/json", b"abc", "application/json"),          # posted is not JSON
    ("application/json", b"[1, 2]", "application/json"),       # posted is not an object
    ("application/json", b'{"a": 1}', "text/plain"),           # posted type is not JSON
    ("text/plain", b'{"a": 1}', "application/json"),           # stored type is not JSON
])
def test_post_that_cannot_merge_is_400_and_changes_nothing(lrs, stored_type, posted, posted_type):
    """§2.2.s8.b1: 400 and the target document is not changed."""
    original = b'{"keep": true}'
    lrs.put("/activities/state", state_params(), original, content_type=stored_type)
    response = lrs.post("/activities/state", state_params(), posted, content_type=posted_type)
    assert response.status_code == 400
    assert "merge" in response.get_json()["error"]["message"]
    after = lrs.get("/activities/state", state_params())
    assert after.data == original and after.headers["Content-Type"] == stored_type


def test_get_without_state_id_lists_ids_and_since_filters(lrs):
    """§2.3.s4: GET without stateId returns the ids; since (exclusive) keeps later changes only."""
    lrs.put("/activities/state", state_params(stateId="a"), {"n": 1})
    time.sleep(0.01)
    middle = datetime.now(timezone.utc)
    time.sleep(0.01)
    lrs.put("/activities/state", state_params(stateId="b"), {"n": 2})
    listing = lrs.get("/activities/state", state_params(stateId=None))
    assert listing.status_code == 200
    assert sorted(listing.get_json()) == ["a", "b"]
    assert listing.headers["ETag"] and listing.headers["Last-Modified"]
    since = lrs.get("/activities/state", state_params(stateId=None, since=middle.isoformat()))
    assert since.get_json() == ["b"]


def test_registration_separates_documents(lrs):
    """§2.3.s3: a state document exists in the context of activity, agent and registration."""
    registration = str(uuid.uuid4())
    lrs.put("/activities/state", state_params(registration=registration), {"with": True})
    lrs.put("/activities/state", state_params(), {"with": False})
    assert lrs.get("/activities/state", state_params(registration=registration)).get_json() == {"with": True}
    assert lrs.get("/activities/state", state_params()).get_json() == {"with": False}
    only = lrs.get("/activities/state", state_params(stateId=None, registration=registration))
    assert only.get_json() == ["bookmark"]


def test_agent_is_matched_by_identifier_not_by_name(lrs):
    lrs.put("/activities/state", state_params(), {"v": 1})
    other_form = {"mbox": AGENT["mbox"]}
    assert lrs.get("/activities/state", state_params(agent=other_form)).get_json() == {"v": 1}


def test_delete_without_state_id_deletes_every_document_of_the_context(lrs):
    """§2.3.s5: DELETE without stateId deletes all matching documents, and only those."""
    registration = str(uuid.uuid4())
    lrs.put("/activities/state", state_params(stateId="a"), {"n": 1})
    lrs.put("/activities/state", state_params(stateId="b", registration=registration), {"n": 2})
    lrs.put("/activities/state", state_params(stateId="c", activityId=ACTIVITY + "/other"), {"n": 3})
    assert lrs.delete("/activities/state", state_params(stateId=None)).status_code == 204
    assert lrs.get("/activities/state", state_params(stateId=None)).get_json() == []
    assert lrs.get("/activities/state", state_params(stateId="c", activityId=ACTIVITY + "/other")).status_code == 200


def test_delete_one_document(lrs):
    lrs.put("/activities/state", state_params(), {"n": 1})
    assert lrs.delete("/activities/state", state_params()).status_code == 204
    missing = lrs.get("/activities/state", state_params())
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"]


def test_put_over_existing_state_without_precondition(lrs):
    """§3.1.s3: 1.0.3 allows it for State; for 2.0 the profile rule (409) applies to State too."""
    lrs.put("/activities/state", state_params(), {"v": 1})
    response = lrs.put("/activities/state", state_params(), {"v": 2})
    if lrs.version == "1.0.3":
        assert response.status_code == 204
        assert lrs.get("/activities/state", state_params()).get_json() == {"v": 2}
    else:
        assert response.status_code == 409
        assert "If-Match" in response.get_json()["error"]["message"]
        assert lrs.get("/activities/state", state_params()).get_json() == {"v": 1}


def test_put_with_if_match_on_state(lrs):
    lrs.put("/activities/state", state_params(), {"v": 1})
    etag = lrs.get("/activities/state", state_params()).headers["ETag"]
    assert lrs.put("/activities/state", state_params(), {"v": 2}, headers={"If-Match": '"0000"'}).status_code == 412
    assert lrs.put("/activities/state", state_params(), {"v": 2}, headers={"If-Match": etag}).status_code == 204
    assert lrs.get("/activities/state", state_params()).get_json() == {"v": 2}


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("missing", ["activityId", "agent"])
def test_missing_required_parameter_is_400(lrs, method, missing):
    """§2.3.s3.table1: activityId and agent are required for every method."""
    response = lrs.request(method, "/activities/state", state_params(**{missing: None}), body=b"{}",
                           content_type="application/json")
    assert response.status_code == 400
    assert missing in response.get_json()["error"]["message"]


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_put_and_post_need_a_state_id(lrs, method):
    response = lrs.request(method, "/activities/state", state_params(stateId=None), body={"a": 1})
    assert response.status_code == 400


@pytest.mark.parametrize("name, value", [
    ("activityId", "1"), ("activityId", "true"), ("activityId", "not an iri"),
    ("agent", "not JSON"), ("agent", "1"), ("agent", '{"name": "no identifier"}'),
    ("agent", '{"mbox": "hoc.sinh@example.edu.vn"}'),
    ("registration", "not UUID"), ("registration", "1"),
])
def test_malformed_parameter_is_400(lrs, name, value):
    """§2.3.s3.table1: activityId is an IRI, agent a JSON Agent, registration a UUID."""
    params = state_params()
    params[name] = value
    response = lrs.get("/activities/state", params)
    assert response.status_code == 400, response.data


@pytest.mark.parametrize("state_id", [None, "bookmark"], ids=["ids", "one document"])
def test_since_must_be_a_timestamp(lrs, state_id):
    """§2.3.s4.table1.row4 (XAPI suite: "rejects a GET request with since ... not a TimeStamp"):
    400 even when a stateId is given, where since selects nothing, and whether or not the
    document exists."""
    response = lrs.get("/activities/state", state_params(stateId=state_id, since="not a timestamp"))
    assert response.status_code == 400
    assert "since" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("name", ["StateId", "foo", "since_"])
def test_unknown_parameter_is_400(lrs, name):
    """§3.2.s3.b7, b8: unknown parameters, or known ones in another letter case, are 400."""
    params = state_params()
    params[name] = "x"
    assert lrs.put("/activities/state", params, {"a": 1}).status_code == 400


def test_scopes_are_enforced(client, db):
    """§4.2: state needs the state scope; all/read may only read."""
    reader = LrsCaller(client, *make_credential(db, scopes=["all/read"]))
    writer = LrsCaller(client, *make_credential(db, scopes=["state"], name="writer"))
    assert writer.put("/activities/state", state_params(), {"a": 1}).status_code == 204
    assert reader.get("/activities/state", state_params()).status_code == 200
    assert reader.put("/activities/state", state_params(), {"a": 2}).status_code == 403
    assert client.get("/xapi/activities/state", headers={"X-Experience-API-Version": "1.0.3"}).status_code == 401


def test_session_cookie_is_not_authentication(client, db):
    """The LMS session never authenticates an LRS request: without Basic credentials it is 401."""
    client.set_cookie("session", "anything", domain="localhost")
    response = client.get("/xapi/activities/state?stateId=x", headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401


def test_lrs_requests_open_no_session_even_with_a_logged_in_cookie(app, client, world):
    """Communication §4 (security): a logged-in LMS session is neither read nor renewed on /xapi."""
    from flask import request

    from tests.accounts.factories import login

    assert login(client, world.usernames["own_teacher"]).status_code == 302
    response = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers
    assert client.get("/", follow_redirects=False).status_code == 200  # still logged in on the LMS
    with app.test_request_context("/xapi/statements"):
        assert app.session_interface.open_session(app, request) is None
    with app.test_request_context("/"):
        assert app.session_interface.open_session(app, request) is not None


DOCUMENT_RESOURCES = {
    "state": ("/activities/state", state_params()),
    "activity profile": ("/activities/profile", {"activityId": ACTIVITY, "profileId": "settings"}),
    "agent profile": ("/agents/profile", {"agent": AGENT, "profileId": "settings"}),
}
INVALID_JSON = [b'{"a":1}[', b"{'a': 1}", b'{"a": NaN}', b"", '{"tên": "Lan"'.encode("utf-8"), b'{"a": "\xff"}']


@pytest.mark.parametrize("resource", sorted(DOCUMENT_RESOURCES))
@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("body", INVALID_JSON)
def test_invalid_json_sent_as_json_is_400_and_not_stored(lrs, resource, method, body):
    """XAPI-00314 / XAPI-00235 (Communication §2.7.s4, §2.3, §1.5, §3.2.s2.b1): a document sent with
    Content-Type application/json that is not valid JSON is refused: "400 Bad Request - Indicates an
    error condition caused by an invalid or missing argument. The term 'invalid arguments' includes
    malformed JSON". Nothing is stored, for PUT as for POST, on all three document resources."""
    path, params = DOCUMENT_RESOURCES[resource]
    headers = {"If-None-Match": "*"}  # the precondition is not what is tested here
    response = lrs.request(method, path, params, body, headers=headers, content_type="application/json")
    assert response.status_code == 400, response.data
    assert "not valid UTF-8 JSON" in response.get_json()["error"]["message"]
    assert lrs.get(path, params).status_code == 404


@pytest.mark.parametrize("resource", sorted(DOCUMENT_RESOURCES))
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_invalid_json_does_not_replace_an_existing_document(lrs, resource, method):
    """XAPI-00314 and §2.2.s8.b1 ("MUST NOT update the target document as a result of the request"):
    broken JSON sent onto an existing JSON document is 400 and the document is unchanged."""
    path, params = DOCUMENT_RESOURCES[resource]
    assert lrs.put(path, params, {"giữ": True}, headers={"If-None-Match": "*"}).status_code == 204
    etag = lrs.get(path, params).headers["ETag"]
    response = lrs.request(method, path, params, b'{"a":1}[', headers={"If-Match": etag},
                           content_type="application/json")
    assert response.status_code == 400
    after = lrs.get(path, params)
    assert after.get_json() == {"giữ": True} and after.headers["ETag"] == etag


@pytest.mark.parametrize("resource", sorted(DOCUMENT_RESOURCES))
@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"null", b" 3.5 "])
def test_put_of_any_valid_json_value_is_stored(lrs, resource, body):
    """§1.5.b1 "Documents can have any content type": a PUT of valid JSON that is not an object is
    a valid application/json document and is stored as sent (only POST merges need objects)."""
    path, params = DOCUMENT_RESOURCES[resource]
    response = lrs.put(path, params, body, headers={"If-None-Match": "*"}, content_type="application/json")
    assert response.status_code == 204
    assert lrs.get(path, params).data == body


def test_other_content_types_are_not_parsed(lrs):
    """§1.5.b1: only application/json promises JSON; text that merely looks broken is stored."""
    params = state_params()
    assert lrs.put("/activities/state", params, b'{"a":1}[', content_type="text/plain").status_code == 204
    assert lrs.get("/activities/state", params).data == b'{"a":1}['
