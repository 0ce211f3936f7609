"""PostgreSQL write path: one cached generic plan serves every batch size (xapi/lrs/storage.py).

psycopg prepares a statement on the server after a few runs, and PostgreSQL then keeps a
generic plan made on the tables as they were at that moment. The write transaction asks for
generic plans and turns sequential scans off, so that the look-up probes the indexes even when
its plan was made on an empty table and later serves a batch of 1000 on a large one.
"""
from __future__ import annotations

import uuid

import pytest
from psycopg import sql

from xapi.lrs import storage

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
