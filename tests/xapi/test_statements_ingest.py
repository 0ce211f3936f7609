"""The LMS writes through ``xapi.lrs.ingest.ingest`` in its own transaction (DESIGN.md §1, §3)."""
from __future__ import annotations

import uuid

import pytest

from tests.xapi.conftest import sample_statement
from xapi.lrs.http import BadRequest, Conflict
from xapi.lrs.ingest import ingest

LMS_AUTHORITY = {"objectType": "Agent", "name": "Công dân số", "account": {"homePage": "http://lms.test", "name": "lms"}}


def test_ingest_flushes_without_committing_so_the_caller_decides(db, xapi_client):
    """A statement written by the LMS becomes visible only when the LMS commits its transaction."""
    kept, dropped = str(uuid.uuid4()), str(uuid.uuid4())
    assert ingest(db.session, [sample_statement(id=dropped)], LMS_AUTHORITY) == [dropped]
    db.session.rollback()
    assert ingest(db.session, [sample_statement(id=kept)], LMS_AUTHORITY, "2.0.0") == [kept]
    db.session.commit()
    assert xapi_client.get("/statements", query_string={"statementId": dropped}).status_code == 404
    stored = xapi_client.get("/statements", query_string={"statementId": kept}).get_json()
    assert stored["authority"] == LMS_AUTHORITY
    assert stored["version"] == "2.0.0"


def test_ingest_raises_http_errors_and_writes_nothing(db, xapi_client):
    """Bad input raises BadRequest, a changed statement Conflict; the view lets them propagate."""
    with pytest.raises(BadRequest):
        ingest(db.session, [sample_statement(actor={"name": "no identifier"})], LMS_AUTHORITY)
    db.session.rollback()
    statement_id = str(uuid.uuid4())
    ingest(db.session, [sample_statement(id=statement_id)], LMS_AUTHORITY)
    db.session.commit()
    with pytest.raises(Conflict):
        ingest(db.session, [sample_statement(id=statement_id, verb={"id": "http://example.com/verbs/other"})],
               LMS_AUTHORITY)
    db.session.rollback()
    assert len(xapi_client.get("/statements").get_json()["statements"]) == 1


def test_ingested_statements_are_not_visible_to_read_mine_of_a_credential(db, make_credential):
    """Statements of the LMS have no credential: statements/read/mine of a client does not see them."""
    ingest(db.session, [sample_statement()], LMS_AUTHORITY)
    db.session.commit()
    reader = make_credential("statements/read/mine")
    assert reader.get("/statements").get_json()["statements"] == []
