"""Voiding and StatementRefs: Data §2.3.2, Communication §2.1.3.s3 and §2.1.4."""
from __future__ import annotations

import uuid

import pytest

from tests.xapi.conftest import sample_statement

VERSIONS = ("1.0.3", "2.0.0")
VOIDED = {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}}
TARGET_VERB = "http://example.com/verbs/target-" + uuid.uuid4().hex


def voiding(target_id: str, **overrides) -> dict:
    return sample_statement(verb=VOIDED, object={"objectType": "StatementRef", "id": target_id}, **overrides)


def ids_of(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [statement["id"] for statement in response.get_json()["statements"]]


@pytest.mark.parametrize("version", VERSIONS)
def test_voided_statement_is_hidden_but_returned_by_voided_statement_id(xapi_client, version):
    """Communication §2.1.4.s1.b1: a voided statement is returned only through voidedStatementId."""
    client = xapi_client.with_version(version)
    target = str(uuid.uuid4())
    assert client.post("/statements", json=sample_statement(id=target)).status_code == 200
    assert client.get("/statements", query_string={"voidedStatementId": target}).status_code == 404
    void_id = client.post("/statements", json=voiding(target)).get_json()[0]
    assert client.get("/statements", query_string={"statementId": target}).status_code == 404
    returned = client.get("/statements", query_string={"voidedStatementId": target})
    assert returned.status_code == 200 and returned.get_json()["id"] == target
    assert "Last-Modified" in returned.headers
    assert ids_of(client.get("/statements")) == [void_id]


def test_voiding_statement_cannot_be_voided(xapi_client):
    """Data §2.3.2: any statement that voids another cannot itself be voided (rejected, nothing stored)."""
    target = str(uuid.uuid4())
    xapi_client.post("/statements", json=sample_statement(id=target))
    void_id = xapi_client.post("/statements", json=voiding(target)).get_json()[0]
    response = xapi_client.post("/statements", json=voiding(void_id))
    assert response.status_code == 400
    assert xapi_client.get("/statements", query_string={"statementId": void_id}).status_code == 200
    in_one_batch = str(uuid.uuid4())
    batch = [voiding(target, id=in_one_batch), voiding(in_one_batch)]
    assert xapi_client.post("/statements", json=batch).status_code == 400


def test_voiding_before_the_target_arrives_voids_it_on_arrival(xapi_client):
    """Data §2.3.2.s2.b5: a voiding statement is not rejected because its target is missing."""
    target = str(uuid.uuid4())
    assert xapi_client.post("/statements", json=voiding(target)).status_code == 200
    assert xapi_client.post("/statements", json=sample_statement(id=target)).status_code == 200
    assert xapi_client.get("/statements", query_string={"statementId": target}).status_code == 404
    assert xapi_client.get("/statements", query_string={"voidedStatementId": target}).status_code == 200


def test_voiding_in_the_same_batch(xapi_client):
    """Data §2.3.2.s2.b3: the target is voided when the LRS also contains the voiding statement."""
    target = str(uuid.uuid4())
    response = xapi_client.post("/statements", json=[sample_statement(id=target), voiding(target)])
    assert response.status_code == 200
    assert xapi_client.get("/statements", query_string={"voidedStatementId": target}).status_code == 200


def test_statements_targeting_a_voided_statement_match_its_filters(xapi_client):
    """Communication §2.1.3.s3 and §2.1.4.s1.b2: StatementRefs to a voided statement are still returned,
    and they match the filters the targeted statement matches (as in the ADL conformance suite)."""
    voided_id, voiding_id, ref_id = (str(uuid.uuid4()) for _ in range(3))
    xapi_client.post("/statements", json=sample_statement(id=voided_id, verb={"id": TARGET_VERB}))
    xapi_client.post("/statements", json=voiding(voided_id, id=voiding_id))
    ref = sample_statement(id=ref_id, verb={"id": TARGET_VERB},
                           object={"objectType": "StatementRef", "id": voided_id})
    xapi_client.post("/statements", json=ref)
    assert ids_of(xapi_client.get("/statements", query_string={"verb": TARGET_VERB})) == [ref_id, voiding_id]
    limited = xapi_client.get("/statements", query_string={"verb": TARGET_VERB, "limit": "1"})
    assert ids_of(limited) == [ref_id]
    activity = sample_statement()["object"]["id"]
    assert set(ids_of(xapi_client.get("/statements", query_string={"activity": activity}))) == {ref_id, voiding_id}


def test_statement_ref_filters_apply_recursively_and_to_late_targets(xapi_client):
    """Communication §2.1.3.s3: a targets b targets c — a matches c's filters, even if c is stored last."""
    a, b, c = (str(uuid.uuid4()) for _ in range(3))
    other_verb = {"id": "http://example.com/verbs/commented"}
    xapi_client.post("/statements", json=sample_statement(id=a, verb=other_verb,
                                                          object={"objectType": "StatementRef", "id": b}))
    xapi_client.post("/statements", json=sample_statement(id=b, verb=other_verb,
                                                          object={"objectType": "StatementRef", "id": c}))
    registration = str(uuid.uuid4())
    xapi_client.post("/statements", json=sample_statement(id=c, verb={"id": TARGET_VERB},
                                                          context={"registration": registration}))
    assert ids_of(xapi_client.get("/statements", query_string={"verb": TARGET_VERB})) == [c, b, a]
    by_registration = xapi_client.get("/statements", query_string={"registration": registration, "ascending": "true"})
    assert ids_of(by_registration) == [a, b, c]


def test_context_statement_ref_does_not_affect_filters(xapi_client):
    """Communication §2.1.3.s3 note: a StatementRef in context.statement does not change filtering."""
    target = str(uuid.uuid4())
    xapi_client.post("/statements", json=sample_statement(id=target, verb={"id": TARGET_VERB}))
    other = sample_statement(verb={"id": "http://example.com/verbs/other"},
                             context={"statement": {"objectType": "StatementRef", "id": target}})
    xapi_client.post("/statements", json=other)
    assert ids_of(xapi_client.get("/statements", query_string={"verb": TARGET_VERB})) == [target]
