"""PostgreSQL write path: one cached generic plan serves every batch size (xapi/lrs/storage.py).

psycopg prepares a statement on the server after a few runs, and PostgreSQL then keeps a
generic plan made on the tables as they were at that moment. The write transaction asks for
generic plans and turns sequential scans off, so that the look-up probes the indexes even when
its plan was made on an empty table and later serves a batch of 1000 on a large one. Both the
general look-up and the one-step write (the function lrs_insert_new) are checked.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
import psycopg
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
        cursor.execute(sql.SQL("EXPLAIN EXECUTE {}({}, {})").format(
            sql.Identifier(name), sql.Literal(ids), sql.Literal(["activity-key"])))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    db.session.rollback()

    assert "$1" in plan, plan  # the generic plan (a custom plan shows the values)
    assert "Seq Scan" not in plan, plan
    for table in ("lrs_statement", "lrs_activity"):  # agents are merged by the database, not read
        assert f"Index Scan using uq_{table}" in plan or f"Index Only Scan using uq_{table}" in plan \
            or f"Bitmap Index Scan on uq_{table}" in plan, plan


def _insert_new(connection, count: int) -> None:
    """lrs_insert_new on a raw connection, for ``count`` new statements (storage.insert_new)."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    with connection.cursor() as cursor:
        cursor.execute(storage._PG_INSERT_NEW, {
            "statement_id": ids, "timestamp": [datetime.now(timezone.utc)] * count,
            "verb_id": ["http://example.com/v"] * count, "has_attachments": [False] * count,
            "body": ['{"id":"%s"}' % statement_id for statement_id in ids],
            "kind": [keys.VERB] * count, "value": ["http://example.com/v"] * count,
            "position": list(range(1, count + 1)), "client_id": None, "activities": ["activity-key"],
            "expected_activities": None, "agents": ["agent-key"], "agent_ifis": ['{"mbox":"mailto:lan@example.vn"}'],
            "agent_names": ['["Lan"]'], "alone": False})
        rows = cursor.fetchall()
    assert rows[-1][0] == "i" and len(rows[-1][8]) == count  # every statement went in


def _scans(connection) -> dict[str, tuple[int, int]]:
    """Sequential and index scans of the LRS tables in this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, seq_scan, coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables "
                       "WHERE relname IN ('lrs_statement', 'lrs_activity', 'lrs_agent')")
        return {name: (seq, index) for name, seq, index in cursor.fetchall()}


def test_the_one_step_write_probes_indexes_with_plans_made_on_empty_tables(db):
    """lrs_insert_new (migration 20261129_0005) keeps the plans of its statements for the
    connection's life; made on empty tables, they must still probe the indexes."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner settings (CI runs the suite on PostgreSQL as well)")
    with psycopg.connect(db.engine.url.render_as_string(hide_password=False).replace("+psycopg", "")) as connection:
        _insert_new(connection, 1)  # the first call on this connection plans, on empty tables
        before = _scans(connection)
        _insert_new(connection, 1000)
        after = _scans(connection)
        connection.rollback()
    for table in ("lrs_statement", "lrs_activity", "lrs_agent"):
        seq_scans = after.get(table, (0, 0))[0] - before.get(table, (0, 0))[0]
        index_scans = after.get(table, (0, 0))[1] - before.get(table, (0, 0))[1]
        assert seq_scans == 0, f"{table} was read whole: {before} -> {after}"
        assert index_scans > 0, f"{table} was not probed: {before} -> {after}"
