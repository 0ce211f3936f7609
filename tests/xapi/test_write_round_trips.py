"""PostgreSQL write path: statements that refer to no other are inserted with their look-up.

xapi/lrs/storage.py (``insert_if_new``): the look-up of stored ids, referrers and canonical
rows and the insert are one statement, which writes only when the look-up finds no stored
statement with these ids and none referring to them. Otherwise it writes nothing and the
write goes on by the general path. These tests count the queries of a write and check the
cases where the one-statement attempt must write nothing.
"""
from __future__ import annotations

import uuid

import pytest

from tests.xapi.conftest import sample_statement
from xapi.lrs import storage

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@pytest.fixture()
def queries(db, monkeypatch) -> list[str]:
    """The SQL of every query the write path sends through storage._run, in order."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL write path (CI runs the suite on PostgreSQL as well)")
    sent: list[str] = []
    original = storage._run

    def counting(session, batch):  # noqa: ANN001
        sent.extend(sql for sql, _, _ in batch)
        return original(session, batch)

    monkeypatch.setattr(storage, "_run", counting)
    return sent


def _index_rows(db, statement_id: str) -> int:
    with storage._raw(db.session).cursor() as cursor:
        cursor.execute("SELECT count(*) FROM lrs_statement_index JOIN lrs_statement ON seq = statement_seq "
                       "WHERE statement_id = %s", [statement_id])
        (count,) = cursor.fetchone()
    db.session.rollback()
    return count


def test_a_new_statement_is_written_with_two_queries(xapi_client, queries):
    """The slot (lock, stored, seqs), then look-up and insert together; canonical rows known."""
    assert xapi_client.post("/statements", json=sample_statement()).status_code == 200  # canonical rows
    queries.clear()
    response = xapi_client.post("/statements", json=sample_statement())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert queries == [storage._PG_START.format(lock="pg_advisory_xact_lock_shared"), storage._PG_INSERT_IF_NEW]


def test_a_batch_repeating_a_stored_statement_takes_the_general_path(db, xapi_client, queries):
    """Communication §2.1.1.s2.b2: the stored one stays as it is, the new one is stored once."""
    stored = sample_statement(id=str(uuid.uuid4()))
    assert xapi_client.post("/statements", json=stored).status_code == 200
    queries.clear()
    new = sample_statement(id=str(uuid.uuid4()))
    response = xapi_client.post("/statements", json=[stored, new])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert queries[1:3] == [storage._PG_INSERT_IF_NEW, storage._PG_INSERT]  # the attempt wrote nothing
    keys_of_new = _index_rows(db, new["id"])
    assert keys_of_new > 0
    assert _index_rows(db, stored["id"]) == keys_of_new  # same shape: no key written twice
    listed = xapi_client.get("/statements").get_json()["statements"]
    assert sorted(s["id"] for s in listed) == sorted([stored["id"], new["id"]])


def test_a_batch_with_a_different_stored_statement_is_409_and_writes_nothing(db, xapi_client, queries):
    """Communication §2.1.1.s2: a conflict rejects the whole batch, the one-step attempt included."""
    stored = sample_statement(id=str(uuid.uuid4()))
    assert xapi_client.post("/statements", json=stored).status_code == 200
    changed = dict(stored, result={"completion": True})
    new = sample_statement(id=str(uuid.uuid4()))
    assert xapi_client.post("/statements", json=[new, changed]).status_code == 409
    assert _index_rows(db, new["id"]) == 0
    assert xapi_client.get("/statements", query_string={"statementId": new["id"]}).status_code == 404


def test_a_statement_voided_before_it_arrived_is_stored_voided(xapi_client, queries):
    """Data §2.3.2: the voiding statement came first; the referrer found sends the write the long way."""
    target = sample_statement(id=str(uuid.uuid4()))
    voiding = sample_statement(verb={"id": VOIDED, "display": {"en-US": "voided"}},
                               object={"objectType": "StatementRef", "id": target["id"]})
    assert xapi_client.post("/statements", json=voiding).status_code == 200
    queries.clear()
    assert xapi_client.post("/statements", json=target).status_code == 200
    assert storage._PG_INSERT_IF_NEW in queries and storage._PG_INSERT in queries
    assert xapi_client.get("/statements", query_string={"statementId": target["id"]}).status_code == 404
    voided = xapi_client.get("/statements", query_string={"voidedStatementId": target["id"]})
    assert voided.status_code == 200 and voided.get_json()["id"] == target["id"]
