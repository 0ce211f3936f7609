"""PostgreSQL write path: one cached generic plan serves every batch size (xapi/lrs/storage.py).

psycopg prepares a statement on the server after a few runs, and PostgreSQL then keeps a
generic plan made on the tables as they were at that moment. The write transaction asks for
generic plans and turns sequential scans off, so that the look-up probes the indexes even when
its plan was made on an empty table and later serves a batch of 1000 on a large one. Both the
general look-up and the one-step write (look-up and insert together) are checked.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import pytest
from psycopg import sql

from xapi.lrs import keys, storage

LOOKUP_MARK = "FROM lrs_statement WHERE statement_id = ANY("


def _look_up(db, ids: list[str]) -> None:
    storage.begin_write(db.session, ids, False, ["activity-key"], ["agent-key"])


def test_the_write_look_up_probes_indexes_with_a_plan_made_on_empty_tables(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner settings (CI runs the suite on PostgreSQL as well)")
    # One transaction, so one connection: psycopg prepares the look-up on its fifth run,
    # while every table is empty, the worst moment for a plan that is then kept.
    for _ in range(6):
        _look_up(db, [str(uuid.uuid4())])
    ids = [str(uuid.uuid4()) for _ in range(1000)]
    _look_up(db, ids)  # a batch of 1000, with the planner settings of a write
    with storage._raw(db.session).cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE strpos(statement, %s) > 0", [LOOKUP_MARK])
        (name,) = cursor.fetchone()
        cursor.execute(sql.SQL("EXPLAIN EXECUTE {}({}, {}, {})").format(
            sql.Identifier(name), sql.Literal(ids), sql.Literal(["activity-key"]), sql.Literal(["agent-key"])))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    db.session.rollback()

    assert "$1" in plan, plan  # the generic plan (a custom plan shows the values)
    assert "Seq Scan" not in plan, plan
    for table in ("lrs_statement", "lrs_activity", "lrs_agent"):
        assert f"Index Scan using uq_{table}" in plan or f"Index Only Scan using uq_{table}" in plan \
            or f"Bitmap Index Scan on uq_{table}" in plan, plan


ONE_STEP_MARK = "WITH found (tag, seq, key, stored, body, voiding, ref_target)"


def _one_step_write(db, statement_id: str) -> None:
    """The statements of a write without StatementRefs (storage.open_slot, storage.insert_if_new)."""
    stored, seqs = storage.open_slot(db.session, 1)
    plan = storage.WritePlan(
        rows=[{"seq": seqs[0], "statement_id": statement_id, "timestamp": stored, "verb_id": "http://example.com/v",
               "voided": False, "voiding": False, "ref_target": None, "has_attachments": False, "body": "{}"}],
        index_rows=[(keys.VERB, "http://example.com/v", seqs[0])], stored=stored, client_id=None)
    storage.insert_if_new(db.session, plan, seqs, [statement_id], ["activity-key"], ["agent-key"])


def test_the_one_step_write_probes_indexes_with_a_plan_made_on_empty_tables(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner settings (CI runs the suite on PostgreSQL as well)")
    for _ in range(6):  # prepared (and planned) on the fifth run, on empty tables
        _one_step_write(db, str(uuid.uuid4()))
    raw = storage._raw(db.session)
    with raw.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements WHERE strpos(statement, %s) > 0",
                       [ONE_STEP_MARK])
        name, statement = cursor.fetchone()
        # Explain it for a batch of 1000 new ids, with the parameters in the order of the statement.
        ids = [str(uuid.uuid4()) for _ in range(1000)]
        stored = datetime.now(timezone.utc)
        values = {"ids": ids, "activities": ["activity-key"], "agents": ["agent-key"], "stored": stored,
                  "client_id": None, "seq": list(range(1, 1001)), "statement_id": ids, "timestamp": [stored] * 1000,
                  "verb_id": ["http://example.com/v"] * 1000, "voided": [False] * 1000, "voiding": [False] * 1000,
                  "ref_target": [None] * 1000, "has_attachments": [False] * 1000, "body": ["{}"] * 1000,
                  "kind": [keys.VERB] * 1000, "value": ["http://example.com/v"] * 1000, "key_seq": list(range(1, 1001))}
        # psycopg numbers named parameters in the order they first appear ($1, $2, ...).
        names = list(dict.fromkeys(re.findall(r"%\((\w+)\)b", storage._PG_INSERT_IF_NEW)))
        assert statement.count("$") >= len(names) and f"${len(names)}" in statement
        ordered = [values[key] for key in names]
        cursor.execute(sql.SQL("EXPLAIN EXECUTE {}({})").format(
            sql.Identifier(name), sql.SQL(", ").join(sql.Literal(value) for value in ordered)))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    db.session.rollback()

    assert "$1" in plan or "$2" in plan, plan  # the generic plan
    assert "Seq Scan" not in plan, plan
    for table in ("lrs_statement", "lrs_activity", "lrs_agent"):
        assert f"uq_{table}" in plan, plan
