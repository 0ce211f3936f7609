"""PUT and POST on the Statement Resource: what the LRS fills in, batches, conflicts, HTTP rules."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.xapi.conftest import sample_statement

VERSIONS = ("1.0.3", "2.0.0")


def _get(client, statement_id: str) -> dict:
    response = client.get("/statements", query_string={"statementId": statement_id})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _count(client) -> int:
    return len(client.get("/statements").get_json()["statements"])


@pytest.mark.parametrize("version", VERSIONS)
def test_put_stores_with_204_and_lrs_fills_stored_timestamp_authority_version(xapi_client, version):
    """Communication §2.1.1: PUT returns 204; Data §2.4.7-2.4.10: stored, timestamp, authority, version set by the LRS."""
    client = xapi_client.with_version(version)
    statement_id = str(uuid.uuid4())
    response = client.put("/statements", query_string={"statementId": statement_id}, json=sample_statement())
    assert response.status_code == 204
    assert response.get_data() == b""
    stored = _get(client, statement_id)
    assert stored["id"] == statement_id
    assert stored["timestamp"] == stored["stored"]
    assert stored["authority"] == xapi_client.authority
    assert stored["version"] == ("1.0.0" if version == "1.0.3" else "2.0.0")


@pytest.mark.parametrize("version", VERSIONS)
def test_post_single_and_batch_return_ids_in_order(xapi_client, version):
    """Communication §2.1.2: POST returns 200 and the ids in the order of the statements; ids are generated."""
    client = xapi_client.with_version(version)
    given = str(uuid.uuid4())
    response = client.post("/statements", json=[sample_statement(id=given), sample_statement()])
    assert response.status_code == 200
    ids = response.get_json()
    assert ids[0] == given and uuid.UUID(ids[1])
    single = client.post("/statements", json=sample_statement())
    assert single.status_code == 200 and len(single.get_json()) == 1


def test_provided_authority_and_stored_are_overwritten(xapi_client):
    """Data §2.4.8.s3.b2 (stored MUST be overwritten) and §2.4.9.s3.b4 (authority from the credential)."""
    fake = {"objectType": "Agent", "mbox": "mailto:boss@example.com"}
    statement = sample_statement(id=str(uuid.uuid4()), authority=fake, stored="2001-01-01T00:00:00Z")
    assert xapi_client.post("/statements", json=statement).status_code == 200
    stored = _get(xapi_client, statement["id"])
    assert stored["authority"] == xapi_client.authority
    assert not stored["stored"].startswith("2001")


def test_given_timestamp_and_version_are_kept(xapi_client):
    """Data §2.4.10.s3.b3: statements keep the version they were accepted with."""
    statement = sample_statement(id=str(uuid.uuid4()), timestamp="2024-05-01T10:00:00.123+07:00", version="1.0.3")
    assert xapi_client.post("/statements", json=statement).status_code == 200
    stored = _get(xapi_client, statement["id"])
    assert stored["timestamp"] == "2024-05-01T10:00:00.123+07:00"
    assert stored["version"] == "1.0.3"


def test_context_activities_are_returned_as_arrays(xapi_client):
    """Data §2.4.6.2.s4.b3: every contextActivities value is returned as an array."""
    parent = {"id": "https://congdanso.example/xapi/courses/c1"}
    statement = sample_statement(id=str(uuid.uuid4()), context={"contextActivities": {"parent": parent}})
    assert xapi_client.post("/statements", json=statement).status_code == 200
    assert _get(xapi_client, statement["id"])["context"]["contextActivities"]["parent"] == [parent]


@pytest.mark.parametrize("version", VERSIONS)
def test_batch_with_one_invalid_statement_stores_nothing(xapi_client, version):
    """Communication §3.2.s3.b9: a batch is rejected whole if any statement is rejected."""
    client = xapi_client.with_version(version)
    bad = sample_statement(verb={"id": "not an iri"})
    response = client.post("/statements", json=[sample_statement(), sample_statement(), bad])
    assert response.status_code == 400
    assert "[2]" in response.get_json()["error"]["message"]
    assert _count(client) == 0


def test_batch_with_duplicate_ids_is_400(xapi_client):
    """Communication §2.1.2.s2.b6: a batch holding the same id twice is rejected with 400."""
    statement_id = str(uuid.uuid4())
    response = xapi_client.post("/statements", json=[sample_statement(id=statement_id),
                                                     sample_statement(id=statement_id.upper())])
    assert response.status_code == 400
    assert _count(xapi_client) == 0


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_different_statement_with_existing_id_is_409_and_changes_nothing(xapi_client, method):
    """Communication §2.1.1.s2.b2/b3: same id, different statement -> 409 Conflict, nothing modified."""
    statement_id = str(uuid.uuid4())
    original = sample_statement(id=statement_id)
    assert xapi_client.post("/statements", json=original).status_code == 200
    before = _get(xapi_client, statement_id)
    changed = sample_statement(id=statement_id, verb={"id": "http://adlnet.gov/expapi/verbs/completed"})
    if method == "PUT":
        response = xapi_client.put("/statements", query_string={"statementId": statement_id}, json=changed)
    else:
        response = xapi_client.post("/statements", json=[sample_statement(), changed])
    assert response.status_code == 409
    assert _get(xapi_client, statement_id) == before
    assert _count(xapi_client) == 1  # the other statement of the batch was not stored either


def test_equivalent_statement_with_existing_id_is_accepted_without_change(xapi_client):
    """Communication §2.1.1.s2.b2 and Data §2.3.1: differences allowed by immutability exceptions are ignored."""
    statement_id = str(uuid.uuid4())
    original = sample_statement(id=statement_id, timestamp="2024-05-01T03:00:00Z",
                                context={"contextActivities": {"parent": {"id": "https://example.com/p"}}})
    assert xapi_client.post("/statements", json=original).status_code == 200
    before = _get(xapi_client, statement_id)
    same = json.loads(json.dumps(original))
    same["timestamp"] = "2024-05-01T10:00:00+07:00"      # same instant, other serialisation
    same["verb"]["display"] = {"vi": "đã trải nghiệm"}  # displays are not part of the statement
    same["object"]["definition"] = {"name": {"en-US": "Renamed"}}
    same["actor"]["mbox"] = "mailto:lan@EXAMPLE.VN"      # e-mail domains are case-insensitive
    same["context"]["contextActivities"]["parent"] = [{"id": "https://example.com/p"}]
    put = xapi_client.put("/statements", query_string={"statementId": statement_id}, json=same)
    assert put.status_code == 204
    post = xapi_client.post("/statements", json=[same])
    assert post.status_code == 204 and post.data == b""
    assert _get(xapi_client, statement_id) == before
    assert _count(xapi_client) == 1


def test_post_of_stored_statements_is_204_and_of_a_mixed_batch_200(xapi_client):
    """Communication §2.1.2 (IEEE 9274.1.1 §4.1.6.1 POST): for a statement whose id is stored the
    LRS "responds with 409 Conflict or 204 No Content" and modifies nothing (ADL suite: "should
    return 409 or 204 when statement ID already exists on PUT", a PUT then a POST). A batch whose
    statements are all stored already is 204; one that also holds a new statement stores the new
    one and is 200 with every id in order."""
    stored = sample_statement(id=str(uuid.uuid4()))
    assert xapi_client.put("/statements", query_string={"statementId": stored["id"]}, json=stored).status_code == 204
    before = _get(xapi_client, stored["id"])
    again = xapi_client.post("/statements", json=stored)
    assert again.status_code == 204 and again.data == b""
    assert "X-Experience-API-Consistent-Through" in again.headers
    new = sample_statement(id=str(uuid.uuid4()))
    mixed = xapi_client.post("/statements", json=[stored, new])
    assert mixed.status_code == 200 and mixed.get_json() == [stored["id"], new["id"]]
    assert _get(xapi_client, stored["id"]) == before
    assert _count(xapi_client) == 2


def test_put_rules_for_statement_id(xapi_client):
    """Communication §2.1.1: statementId is required, must be a UUID and match the statement's id."""
    statement = sample_statement()
    assert xapi_client.put("/statements", json=statement).status_code == 400
    assert xapi_client.put("/statements", query_string={"statementId": "true"}, json=statement).status_code == 400
    mismatch = sample_statement(id=str(uuid.uuid4()))
    response = xapi_client.put("/statements", query_string={"statementId": str(uuid.uuid4())}, json=mismatch)
    assert response.status_code == 400
    array = xapi_client.put("/statements", query_string={"statementId": str(uuid.uuid4())}, json=[statement])
    assert array.status_code == 400


@pytest.mark.parametrize("method", ["GET", "PUT", "POST"])
def test_unknown_or_miscased_parameter_is_400(xapi_client, method):
    """Communication §3.2.s3.b7/b8: unknown parameters, and known ones in another case, are 400."""
    params = {"statementId": str(uuid.uuid4()), "Verb": "http://example.com/v"}
    response = xapi_client.request(method, "/statements", query_string=params,
                                   json=None if method == "GET" else sample_statement())
    assert response.status_code == 400
    assert response.is_json and "Verb" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", json.dumps(sample_statement())),
    ("application/json", "this is not json"),
    ("application/x-www-form-urlencoded", "a=b"),
    (None, json.dumps(sample_statement())),
])
def test_content_type_that_does_not_match_the_body_is_400(xapi_client, content_type, body):
    """Communication §3.2.s3.b6: a Content-Type that does not match the content is 400 (not 415, not 500)."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = xapi_client.post("/statements", data=body, headers=headers)
    assert response.status_code == 400
    assert response.is_json
    assert _count(xapi_client) == 0


def test_request_over_the_size_limit_is_413(app, xapi_client):
    """Communication §3.2.s3.b11: a request larger than the configured maximum is 413."""
    limit = app.config["LRS_MAX_REQUEST_BYTES"]
    statement = sample_statement(result={"response": "x" * (limit + 10)})
    response = xapi_client.post("/statements", json=statement)
    assert response.status_code == 413
    assert response.is_json


def test_missing_or_wrong_credentials_are_401(xapi_client):
    """Communication §4 / §3.2.s2.b2: without valid credentials the LRS answers 401."""
    anonymous = xapi_client.post("/statements", json=sample_statement(), auth=False)
    assert anonymous.status_code == 401
    assert "WWW-Authenticate" in anonymous.headers
    xapi_client.secret = "wrong"
    assert xapi_client.get("/statements").status_code == 401


def test_scopes_are_enforced_with_403(make_credential):
    """Communication §3.2.s3.b10 and §4.2 scopes: a reader cannot write, a writer cannot read."""
    reader = make_credential("statements/read")
    writer = make_credential("statements/write")
    assert reader.post("/statements", json=sample_statement()).status_code == 403
    assert writer.post("/statements", json=sample_statement()).status_code == 200
    assert writer.get("/statements").status_code == 403
    assert reader.get("/statements").status_code == 200


def test_read_mine_sees_only_statements_of_its_credential(make_credential):
    """Communication §4.2: scope statements/read/mine reads only statements whose authority it is."""
    one = make_credential("statements/write", "statements/read/mine")
    other = make_credential("statements/write")
    mine = one.post("/statements", json=sample_statement()).get_json()[0]
    theirs = other.post("/statements", json=sample_statement()).get_json()[0]
    listed = [s["id"] for s in one.get("/statements").get_json()["statements"]]
    assert listed == [mine]
    assert one.get("/statements", query_string={"statementId": theirs}).status_code == 404
    assert one.get("/statements", query_string={"statementId": mine}).status_code == 200


def test_missing_version_header_is_400(xapi_client):
    """Communication §3.3.s3.b7: requests without a supported version header are rejected with 400."""
    response = xapi_client.post("/statements", json=sample_statement(), version=False)
    assert response.status_code == 400


def test_every_response_has_consistent_through(xapi_client):
    """Communication §2.1.3.s2.b5: X-Experience-API-Consistent-Through on all Statement Resource responses."""
    responses = [
        xapi_client.post("/statements", json=sample_statement()),
        xapi_client.get("/statements"),
        xapi_client.post("/statements", json={"bad": True}),
        xapi_client.get("/statements", query_string={"statementId": str(uuid.uuid4())}),
    ]
    for response in responses:
        assert response.headers.get("X-Experience-API-Consistent-Through", "").endswith("Z")


def test_pooled_connections_are_recycled_and_not_pinged_on_every_checkout(db, xapi_client):
    """Operations (docs/content/operations.md): pooled connections are replaced after an hour, and
    SQLAlchemy's per-checkout pre-ping (a round trip per request) is off: lms/database.py checks
    only connections that sat idle."""
    assert db.engine.pool._pre_ping is False
    assert db.engine.pool._recycle == 3600
    for _ in range(3):
        assert xapi_client.post("/statements", json=sample_statement()).status_code == 200


def test_idle_pooled_connection_the_database_dropped_is_replaced_before_use(db, xapi_client, monkeypatch):
    """Operations: a pooled connection the database dropped while it sat idle (as a restart does)
    never reaches a request: it is checked, found dead and replaced."""
    from sqlalchemy import text

    from lms import database

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database server that can drop connections")
    import psycopg

    assert xapi_client.post("/statements", json=sample_statement()).status_code == 200
    db.session.remove()
    db.engine.dispose()  # an empty pool, then exactly one pooled connection, whose server process we end
    with db.engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle
    try:
        response = xapi_client.post("/statements", json=sample_statement())
        assert response.status_code == 200, response.get_data(as_text=True)
        statement_id = response.get_json()[0]
        assert xapi_client.get("/statements", query_string={"statementId": statement_id}).status_code == 200
    finally:
        db.session.remove()
        db.engine.dispose()


def test_is_alive_says_no_for_a_closed_connection(db):
    """The idle check treats any driver error as a dead connection (the pool then replaces it)."""
    from lms import database

    raw = db.engine.raw_connection()
    try:
        assert database.is_alive(raw.driver_connection) is True
        raw.driver_connection.close()
        assert database.is_alive(raw.driver_connection) is False
    finally:
        raw.invalidate()

@pytest.mark.parametrize("version", VERSIONS)
def test_stored_body_keeps_big_integers_and_vietnamese_text_exactly(xapi_client, version):
    """Data §2.4.6 extensions hold any JSON value; the LRS returns it as sent (an integer beyond
    64 bits, which the fast JSON encoder refuses, goes through the standard one)."""
    client = xapi_client.with_version(version)
    statement = sample_statement()
    statement["result"] = {"extensions": {"http://example.org/big": 2 ** 70, "http://example.org/small": -1.5e-7},
                           "response": "Tiếng Việt: Cổng dịch vụ công quốc gia"}
    statement_id = client.post("/statements", json=statement).get_json()[0]
    stored = _get(client, statement_id)
    assert stored["result"]["extensions"]["http://example.org/big"] == 2 ** 70
    assert stored["result"]["extensions"]["http://example.org/small"] == -1.5e-7
    assert stored["result"]["response"] == "Tiếng Việt: Cổng dịch vụ công quốc gia"


def test_lone_surrogate_in_a_string_is_a_400_not_a_500(xapi_client):
    """Data §2.2: statements are JSON text; a "\\ud800" escape names no character, so the
    statement cannot be stored as UTF-8 and is refused with a clear error."""
    body = json.dumps(sample_statement()).replace('"Lan"', '"Lan\\ud800"', 1)
    response = xapi_client.post("/statements", data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "error" in response.get_json() or "message" in response.get_json()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_number_constants_are_refused(xapi_client, constant):
    """Data §2.2: statements are JSON (RFC 8259 has no NaN or Infinity); Python's parser would take them."""
    body = json.dumps(sample_statement(result={"score": {"raw": 1}})).replace('"raw": 1', f'"raw": {constant}')
    response = xapi_client.post("/statements", data=body, content_type="application/json")
    assert response.status_code == 400
    assert _count(xapi_client) == 0


def test_surrogate_pairs_are_characters_and_are_kept(xapi_client):
    """A \\ud83d\\ude00 pair is one character (U+1F600): accepted and returned as that character."""
    body = json.dumps(sample_statement()).replace('"Lan"', '"Lan \\ud83d\\ude00"', 1)
    statement_id = xapi_client.post("/statements", data=body, content_type="application/json").get_json()[0]
    assert _get(xapi_client, statement_id)["actor"]["name"] == "Lan \U0001F600"
