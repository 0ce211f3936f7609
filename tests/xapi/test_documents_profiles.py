"""Activity Profile (Communication §2.7) and Agent Profile (§2.6) resources; concurrency §3.1."""
from __future__ import annotations

import hashlib

import pytest
from tests.xapi.document_helpers import ACTIVITY, AGENT, LrsCaller, make_credential

# Creates a document only if it does not exist yet (§3.1.s4.b6).
NEW = {"If-None-Match": "*"}

RESOURCES = {
    "activity": ("/activities/profile", {"activityId": ACTIVITY}),
    "agent": ("/agents/profile", {"agent": AGENT}),
}


@pytest.fixture(params=sorted(RESOURCES))
def resource(request):
    path, scope = RESOURCES[request.param]
    return path, lambda **extra: {**scope, "profileId": "settings", **extra}


def test_new_profile_round_trip(lrs, resource):
    """§2.6.s3 / §2.7.s3: PUT stores, GET returns the document with ETag and Last-Modified."""
    path, params = resource
    body = '{"ngôn ngữ": "vi"}'.encode("utf-8")
    assert lrs.put(path, params(), body, content_type="application/json", headers=NEW).status_code == 204
    response = lrs.get(path, params())
    assert response.status_code == 200
    assert response.data == body
    assert response.headers["ETag"] == '"%s"' % hashlib.sha1(body).hexdigest()
    assert response.headers["Last-Modified"].endswith("GMT")


def test_put_on_existing_profile_without_precondition_is_409(lrs, resource):
    """§3.1.s4.b13-b15: 409, a message saying how to proceed, and no change."""
    path, params = resource
    lrs.put(path, params(), {"v": 1}, headers=NEW)
    response = lrs.put(path, params(), {"v": 2})
    assert response.status_code == 409
    message = response.get_json()["error"]["message"]
    assert "If-Match" in message and "GET" in message
    assert lrs.get(path, params()).get_json() == {"v": 1}


def test_put_of_a_new_profile_without_precondition(lrs, resource):
    """XAPI-00273 / XAPI-00287 / XAPI-00293 (ADL suite: "fails without ETag header"): a
    header-less PUT that would create a profile is refused with 400 and nothing is stored.
    §3.1.s3.b1 (1.0.3): a Client "MUST include the If-Match header or the If-None-Match header"
    on a profile PUT; 1.0.0: "for other APIs that use PUT (Actor and Activity Profile), the
    headers are required". The same in 2.0.0, whose suite sends If-None-Match: * whenever it
    creates a profile. Over an existing document the same request is 409 (test above)."""
    path, params = resource
    response = lrs.put(path, params(), {"v": 1})
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "If-None-Match: *" in message and "If-Match" in message
    assert lrs.get(path, params()).status_code == 404
    assert lrs.put(path, params(), {"v": 1}, headers=NEW).status_code == 204


def test_state_may_be_created_without_precondition(lrs):
    """The State Resource keeps header-less creation in both versions (ADL's 2.0 suite creates a
    state document so and expects 204); in 2.0 replacing it then needs a header (409)."""
    params = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}
    assert lrs.put("/activities/state", params, {"page": 1}).status_code == 204
    again = lrs.put("/activities/state", params, {"page": 2}).status_code
    assert again == (409 if lrs.version == "2.0.0" else 204)


def test_credential_may_allow_bare_profile_put(client, db, resource):
    """A credential flagged bare_profile_put (``lms lrs client create --bare-profile-put``) may
    create a profile with a header-less PUT, as TinCanPython's RemoteLRS does; replacing an
    existing one without a header stays 409 (§3.1.s4.b13), and other credentials still get 400."""
    from xapi.lrs.auth import create_client

    legacy, secret = create_client(db.session, "tincan LMS", ["all"], "http://lms.test", bare_profile_put=True)
    db.session.commit()
    caller = LrsCaller(client, legacy.key, secret, "1.0.3")
    path, params = resource
    assert caller.put(path, params(), {"v": 1}).status_code == 204
    assert caller.get(path, params()).get_json() == {"v": 1}
    assert caller.put(path, params(), {"v": 2}).status_code == 409
    strict = LrsCaller(client, *make_credential(db), "1.0.3")
    assert strict.put(path, params(profileId="other"), {"v": 1}).status_code == 400


def test_put_with_matching_if_match_replaces(lrs, resource):
    """§3.1.s4.b5: If-Match with the current ETag lets the PUT through."""
    path, params = resource
    lrs.put(path, params(), {"v": 1}, headers=NEW)
    etag = lrs.get(path, params()).headers["ETag"]
    assert lrs.put(path, params(), {"v": 2}, headers={"If-Match": etag}).status_code == 204
    assert lrs.get(path, params()).get_json() == {"v": 2}


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_stale_if_match_is_412_and_changes_nothing(lrs, resource, method):
    """§3.1.s4.b9-b12: a failed If-Match precondition is 412 and the document is unchanged."""
    path, params = resource
    lrs.put(path, params(), {"v": 1}, headers=NEW)
    response = lrs.request(method, path, params(), body={"v": 2}, headers={"If-Match": '"1234"'})
    assert response.status_code == 412
    assert lrs.get(path, params()).get_json() == {"v": 1}


def test_if_match_on_missing_document_is_412(lrs, resource):
    path, params = resource
    assert lrs.put(path, params(), {"v": 1}, headers={"If-Match": '"abc"'}).status_code == 412
    assert lrs.get(path, params()).status_code == 404


def test_if_none_match_star(lrs, resource):
    """§3.1.s4.b6, b8: If-None-Match: * creates only when absent, else 412."""
    path, params = resource
    assert lrs.put(path, params(), {"v": 1}, headers={"If-None-Match": "*"}).status_code == 204
    assert lrs.put(path, params(), {"v": 2}, headers={"If-None-Match": "*"}).status_code == 412
    assert lrs.post(path, params(), {"w": 2}, headers={"If-None-Match": "*"}).status_code == 412
    assert lrs.get(path, params()).get_json() == {"v": 1}


def test_post_merges_with_or_without_if_match(lrs, resource):
    path, params = resource
    lrs.post(path, params(), {"a": 1})
    assert lrs.post(path, params(), {"b": 2}).status_code == 204
    etag = lrs.get(path, params()).headers["ETag"]
    assert lrs.post(path, params(), {"c": 3}, headers={"If-Match": etag}).status_code == 204
    assert lrs.get(path, params()).get_json() == {"a": 1, "b": 2, "c": 3}


def test_post_of_non_json_onto_json_is_400(lrs, resource):
    """§2.2.s8.b1."""
    path, params = resource
    lrs.post(path, params(), {"a": 1})
    assert lrs.post(path, params(), b"abc", content_type="text/plain").status_code == 400
    assert lrs.get(path, params()).get_json() == {"a": 1}


def test_delete_with_if_match(lrs, resource):
    path, params = resource
    lrs.put(path, params(), {"a": 1}, headers=NEW)
    etag = lrs.get(path, params()).headers["ETag"]
    assert lrs.delete(path, params(), headers={"If-Match": etag}).status_code == 204
    assert lrs.get(path, params()).status_code == 404


def test_ids_since_and_delete_needs_profile_id(lrs, resource):
    """§2.6.s4 / §2.7.s4: GET without profileId lists the ids; DELETE needs a profileId."""
    path, params = resource
    lrs.put(path, params(profileId="one"), {"a": 1}, headers=NEW)
    lrs.put(path, params(profileId="two"), b"plain", content_type="text/plain", headers=NEW)
    scope = {k: v for k, v in params().items() if k != "profileId"}
    listing = lrs.get(path, scope)
    assert sorted(listing.get_json()) == ["one", "two"]
    assert lrs.get(path, {**scope, "since": "2999-01-01T00:00:00Z"}).get_json() == []
    assert lrs.delete(path, scope).status_code == 400


def test_profiles_of_other_activities_or_agents_are_separate(lrs):
    assert lrs.put("/activities/profile", {"activityId": ACTIVITY, "profileId": "p"}, {"a": 1},
                   headers=NEW).status_code == 204
    assert lrs.put("/agents/profile", {"agent": AGENT, "profileId": "p"}, {"b": 1}, headers=NEW).status_code == 204
    other_activity = lrs.get("/activities/profile", {"activityId": ACTIVITY + "/x", "profileId": "p"})
    other_agent = lrs.get("/agents/profile", {"agent": {"mbox": "mailto:khac@example.org"}, "profileId": "p"})
    assert other_activity.status_code == 404 and other_agent.status_code == 404


def test_identified_group_may_own_an_agent_profile(lrs):
    """§2.6 note: an Identified Group's identifier can be used as the agent."""
    group = {"objectType": "Group", "account": {"homePage": "http://lms.test", "name": "lop-6a"}}
    assert lrs.put("/agents/profile", {"agent": group, "profileId": "p"}, {"g": 1}, headers=NEW).status_code == 204
    assert lrs.get("/agents/profile", {"agent": group, "profileId": "p"}).get_json() == {"g": 1}


@pytest.mark.parametrize("path, params", [
    ("/activities/profile", {"profileId": "p"}),
    ("/activities/profile", {"activityId": "not an IRI", "profileId": "p"}),
    ("/agents/profile", {"profileId": "p"}),
    ("/agents/profile", {"agent": "not JSON", "profileId": "p"}),
    ("/agents/profile", {"agent": AGENT, "profileId": "p", "activityId": ACTIVITY}),
])
def test_bad_parameters_are_400(lrs, path, params):
    response = lrs.put(path, params, {"a": 1}, headers=NEW)
    assert response.status_code == 400
    assert "If-None-Match" not in response.get_json()["error"]["message"]


def test_profile_scope_is_needed(client, db):
    caller = LrsCaller(client, *make_credential(db, scopes=["state"]))
    response = caller.put("/activities/profile", {"activityId": ACTIVITY, "profileId": "p"}, {"a": 1})
    assert response.status_code == 403


@pytest.mark.parametrize("since", ["1", "true", "not a timestamp"])
def test_malformed_since_is_400_with_or_without_profile_id(lrs, resource, since):
    """§2.6.s4 / §2.7.s4 (XAPI-00295): "since" must be a Timestamp, also beside a profileId."""
    path, params = resource
    scope = {k: v for k, v in params().items() if k != "profileId"}
    assert lrs.get(path, {**scope, "since": since}).status_code == 400
    assert lrs.get(path, params(since=since)).status_code == 400


def test_post_without_a_body_is_400_and_stores_nothing(lrs, resource):
    """XAPI-00314 (POST with no document); an empty document can still be stored with PUT."""
    path, params = resource
    response = lrs.request("POST", path, params())
    assert response.status_code == 400 and "PUT" in response.get_json()["error"]["message"]
    assert lrs.get(path, params()).status_code == 404
    assert lrs.put(path, params(), b"", content_type="text/plain", headers=NEW).status_code == 204
    assert lrs.get(path, params()).data == b""
