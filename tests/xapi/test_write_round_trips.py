"""PostgreSQL write path: statements that refer to no other are written by one function call.

xapi/lrs/storage.py ("One round trip", ``insert_new``) and the function ``lrs_insert_new``
(migration 20261129_0005): the look-up of stored ids, referrers and canonical rows and the
insert are one statement, which writes only when the look-up finds no stored statement with
these ids, none referring to them, and (for a write made alone) every canonical row as this
process remembers it. A write made alone runs in autocommit: one round trip, no BEGIN or
COMMIT. These tests count the queries of a write and check the cases where the attempt must
write nothing, or undo itself.
"""
from __future__ import annotations

import uuid

import pytest

from tests.xapi.conftest import sample_statement
from tests.xapi.test_statements_concurrency import _post_while_a_write_is_held
from xapi.lrs import canonical_memory, storage

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@pytest.fixture()
def queries(db, monkeypatch) -> list[tuple[str, bool]]:
    """(SQL, autocommit) of every query the write path sends through storage._run, in order."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL write path (CI runs the suite on PostgreSQL as well)")
    canonical_memory.forget_all()  # the tables were emptied after the previous test
    sent: list[tuple[str, bool]] = []
    original = storage._run

    def counting(session, batch, raw=None):  # noqa: ANN001
        autocommit = (raw or storage._raw(session)).autocommit
        sent.extend((sql, autocommit) for sql, _, _ in batch)
        return original(session, batch, raw)

    monkeypatch.setattr(storage, "_run", counting)
    return sent


def _sql(queries: list[tuple[str, bool]]) -> list[str]:
    return [sql for sql, _ in queries]


def _index_rows(db, statement_id: str) -> int:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT count(*) FROM lrs_statement_index JOIN lrs_statement ON seq = statement_seq "
            "WHERE statement_id = %s", (statement_id,)).scalar()


def _orphan_keys(db) -> int:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT count(*) FROM lrs_statement_index AS i "
            "WHERE NOT EXISTS (SELECT 1 FROM lrs_statement AS s WHERE s.seq = i.statement_seq)").scalar()


def test_a_new_statement_with_known_canonical_rows_is_one_autocommit_query(db, xapi_client, queries):
    """Communication §2.1.2: stored and acknowledged; with nothing else to write, one round trip."""
    assert xapi_client.post("/statements", json=sample_statement()).status_code == 200
    assert _sql(queries) == [storage._PG_INSERT_NEW, storage._PG_ACTIVITY_INSERT]  # the agent: in the first
    assert not any(autocommit for _, autocommit in queries)  # a new activity row: one transaction
    queries.clear()
    statement = sample_statement(id=str(uuid.uuid4()))
    response = xapi_client.post("/statements", json=statement)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert queries == [(storage._PG_INSERT_NEW, True)]
    assert _index_rows(db, statement["id"]) > 0  # committed: another connection sees it
    stored = xapi_client.get("/statements", query_string={"statementId": statement["id"]}).get_json()
    assert stored["stored"] == stored["timestamp"]  # Data §2.4.7.s3.b2: timestamp set to stored
    assert stored["stored"].endswith("Z") and len(stored["stored"]) == len("2026-11-29T21:56:44.778824Z")


def test_a_batch_repeating_a_stored_statement_takes_the_general_path(db, xapi_client, queries):
    """Communication §2.1.1.s2.b2: the stored one stays as it is, the new one is stored once."""
    stored = sample_statement(id=str(uuid.uuid4()))
    assert xapi_client.post("/statements", json=stored).status_code == 200
    queries.clear()
    new = sample_statement(id=str(uuid.uuid4()))
    response = xapi_client.post("/statements", json=[stored, new])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _sql(queries)[0] == storage._PG_INSERT_NEW and storage._PG_INSERT in _sql(queries)
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
    assert _sql(queries)[0] == storage._PG_INSERT_NEW and storage._PG_INSERT in _sql(queries)
    assert xapi_client.get("/statements", query_string={"statementId": target["id"]}).status_code == 404
    voided = xapi_client.get("/statements", query_string={"voidedStatementId": target["id"]})
    assert voided.status_code == 200 and voided.get_json()["id"] == target["id"]


def test_a_canonical_row_changed_elsewhere_is_merged_not_overwritten(db, xapi_client, queries):
    """Data §2.4.4.1: another process renamed the activity and gave it a description since this
    one remembered it; the write made alone finds the row changed, writes nothing, and the
    general path merges the statement's definition into the row as it is now."""
    first = sample_statement()
    assert xapi_client.post("/statements", json=first).status_code == 200
    activity_id = first["object"]["id"]
    with db.engine.begin() as connection:  # as another LRS process would
        connection.exec_driver_sql(
            "UPDATE lrs_activity SET definition = %s::json",
            ('{"name":{"en-US":"Old name"},"description":{"vi":"Mô tả"}}',))
    queries.clear()
    statement = sample_statement(id=str(uuid.uuid4()))
    assert xapi_client.post("/statements", json=statement).status_code == 200
    sent = list(queries)
    assert xapi_client.get("/statements", query_string={"statementId": statement["id"]}).status_code == 200
    definition = xapi_client.get("/activities", query_string={"activityId": activity_id}).get_json()["definition"]
    assert definition == {"name": {"en-US": "Module 1", "vi": "Học phần 1"}, "description": {"vi": "Mô tả"}}
    assert sent[0] == (storage._PG_INSERT_NEW, True)  # predicted: alone
    assert storage._PG_INSERT in _sql(sent)  # the attempt wrote nothing; the general path did
    queries.clear()  # the texts read in that attempt are remembered: alone again
    assert xapi_client.post("/statements", json=sample_statement(id=str(uuid.uuid4()))).status_code == 200
    assert queries == [(storage._PG_INSERT_NEW, True)]


def test_a_statement_changing_a_definition_is_written_in_one_transaction(db, xapi_client, queries):
    """Data §2.4.4.1: a new language for the name changes the canonical row: not alone."""
    assert xapi_client.post("/statements", json=sample_statement()).status_code == 200
    queries.clear()
    renamed = sample_statement(object={"objectType": "Activity", "id": sample_statement()["object"]["id"],
                                       "definition": {"name": {"fr": "Module un"}}})
    assert xapi_client.post("/statements", json=renamed).status_code == 200
    assert _sql(queries) == [storage._PG_INSERT_NEW, storage._PG_ACTIVITY_UPDATE]
    assert not any(autocommit for _, autocommit in queries)
    name = xapi_client.get("/activities", query_string={"activityId": renamed["object"]["id"]}).get_json()
    assert name["definition"]["name"] == {"en-US": "Module 1", "vi": "Học phần 1", "fr": "Module un"}


@pytest.mark.parametrize("same", [True, False], ids=["equivalent", "different"])
def test_a_race_lost_by_a_write_made_alone_undoes_it(db, xapi_client, queries, same):
    """Communication §2.1.1 and §2.1.2.s2.b3: another transaction stores one of the ids between the
    look-up and the insert of a write made alone. The write undoes itself (it cannot be rolled
    back once committed) and goes the general way: 200 without a second copy when the statements
    are equivalent, 409 with nothing of the batch stored when they differ."""
    assert xapi_client.post("/statements", json=sample_statement()).status_code == 200  # canonical rows
    raced_id = str(uuid.uuid4())
    held = sample_statement(id=raced_id)
    raced = held if same else sample_statement(id=raced_id, result={"completion": True})
    new = sample_statement(id=str(uuid.uuid4()))
    queries.clear()
    response = _post_while_a_write_is_held(db, xapi_client, held=held, posted=[new, raced])
    assert response.status_code == (200 if same else 409), response.get_data(as_text=True)
    assert (storage._PG_INSERT_NEW, True) in queries  # the attempt was made alone
    assert xapi_client.get("/statements", query_string={"statementId": new["id"]}).status_code == \
        (200 if same else 404)
    assert _index_rows(db, raced_id) > 0 and _orphan_keys(db) == 0
    with db.engine.connect() as connection:
        copies = connection.exec_driver_sql("SELECT count(*) FROM lrs_statement WHERE statement_id IN (%s, %s)",
                                            (raced_id, new["id"])).scalar()
    assert copies == (2 if same else 1)
